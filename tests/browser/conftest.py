"""A live server (uvicorn on 127.0.0.1, free port, in a thread) and headless Debian Chromium."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import create_app
from knowledge.apikeys import create_key
from knowledge.db import make_engine, make_session_factory, migrate
from knowledge.importing import import_records
from retrieval.service import build_retrieval
from tests.api.conftest import api_settings
from tests.api.seed import SEED

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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
        role: create_key(sessions, name=f"{role}-1", role=role)[1] for role in ("agent", "admin")
    }
    engine.dispose()

    port = _free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    else:
        server.should_exit = True
        raise RuntimeError("the server did not become ready within 60 s")
    try:
        yield LiveServer(url, keys)
    finally:
        server.should_exit = True
        thread.join(15)


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
