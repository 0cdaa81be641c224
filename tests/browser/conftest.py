"""A live server (uvicorn on 127.0.0.1, a free port, in a thread) and headless Debian Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from api.app import create_app
from knowledge.apikeys import ROLES, create_key
from knowledge.db import make_engine, make_session_factory, migrate
from knowledge.importing import import_records
from retrieval.service import build_retrieval
from tests.api.conftest import api_settings
from tests.api.live import serving
from tests.api.seed import SEED, TEAM

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@dataclass
class LiveServer:
    url: str
    keys: dict[str, str]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Seed a database and index, then serve the app with uvicorn until the module ends."""
    settings = api_settings(tmp_path_factory.mktemp("live") / "data")
    engine = make_engine(settings.database)
    migrate(engine)
    sessions = make_session_factory(engine)
    for entity, source, records in SEED:
        if records:
            import_records(
                sessions, records, source=source, entity=entity, settings=settings.imports
            )
    build_retrieval(settings.retrieval, sessions).index(progress=False)
    keys = {
        role: create_key(sessions, name=f"{role}-1", role=role, teams=[TEAM])[1] for role in ROLES
    }
    engine.dispose()

    with serving(create_app(settings)) as url:
        yield LiveServer(url, keys)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (the Makefile does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()
