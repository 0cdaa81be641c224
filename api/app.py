"""The one place the HTTP app is assembled: `create_app(settings)`.

The lifespan opens the database and loads retrieval, the LLM and the assistant once (in a
worker thread, so start-up does not block the loop); importing this module loads nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.errors import document_limits, install_error_handlers
from api.limits import BodyLimit, GenerationLimits
from api.routes import (
    audiences,
    campaigns,
    chat,
    customers,
    generate,
    ingest,
    journal,
    keys,
    search,
    system,
)
from api.services import build_services, close_services
from knowledge.settings import Settings

log = logging.getLogger(__name__)
STATIC_DIR = Path(__file__).parent / "static"

DESCRIPTION = """
Kizuna (絆): customer data in one place with a grounded, bilingual assistant on top.

Authenticate with an API key (`kizuna keys create --role agent --name alice`):
`Authorization: Bearer kz_...` or `X-API-Key: kz_...`. The browser panel at `/` signs in with
a key and keeps an HttpOnly session cookie instead. Roles: `agent` (chat, customers, search,
briefs), `sales` (customers, briefs, drafts, segments), `marketing` (drafts, segments,
audiences and campaigns), `admin` (everything, including ingest, imports, keys, audit, gaps).
Which customers a key sees follows its role's reach (all, its teams', or its own: docs/api.md,
"Visibility").
Errors: `{"error": {"code", "message"}}` with 401 (no or bad key), 403 (role), 404 (unknown,
or not visible to this key), 409 (consent; a conversation about another customer), 422
(malformed), 503 (model/index unavailable).
"""


def create_app(
    settings: Settings, *, embedder: Any = None, llm: Any = None, load_models: bool = True
) -> FastAPI:
    """Assemble the app; `embedder`/`llm` replace the configured ones (tests, benchmarks)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await anyio.to_thread.run_sync(
            lambda: build_services(settings, embedder=embedder, llm=llm, load_models=load_models)
        )
        services.loop = asyncio.get_running_loop()
        app.state.services = services
        if settings.api.refresh_on_start:
            # A process killed mid-import or mid-index left records unenriched or unindexed:
            # the same pass as after an ingest brings both in step (it skips what is done).
            services.schedule_refresh()
        log.info("kizuna API ready (model=%s)", services.model_name or "-")
        try:
            yield
        finally:
            close_services(services)

    app = FastAPI(
        title="Kizuna API",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    # Limits answer before routing or body parsing run (CORS, added after, wraps them).
    app.add_middleware(GenerationLimits, settings=settings.api)
    app.add_middleware(BodyLimit, settings=settings.api)
    if settings.api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type"],
        )
    for module in (
        system,
        customers,
        search,
        chat,
        generate,
        ingest,
        journal,
        keys,
        audiences,
        campaigns,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/", include_in_schema=False)
    async def panel() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-store"})

    @app.get("/docs/api", include_in_schema=False)
    async def docs_redirect() -> RedirectResponse:
        return RedirectResponse("/docs")

    document_limits(app)
    return app
