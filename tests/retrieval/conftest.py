"""Fixtures of the retrieval tests: data written through the ORM, embedded Chroma or a server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import make_session_factory
from knowledge.models import Article, Customer, Interaction
from knowledge.settings import Settings
from retrieval.embedders import FakeEmbedder
from retrieval.service import Retrieval, build_retrieval

BASE_TIME = datetime(2025, 1, 1, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real Chroma server (`chroma run`) on loopback for the whole test session."""
    exe = shutil.which("chroma") or str(Path(__file__).resolve().parents[2] / ".venv/bin/chroma")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [exe, "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("chroma run exited at start") from None
                time.sleep(0.3)
        else:
            raise RuntimeError("chroma run did not start listening within 60 s")
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.integration)])
def chroma_mode(request: pytest.FixtureRequest) -> str:
    """Every retrieval test runs on embedded Chroma, and (integration) on a Chroma server."""
    return str(request.param)


@pytest.fixture
def rsettings(settings: Settings, chroma_mode: str, request: pytest.FixtureRequest) -> Settings:
    """Settings with a fake embedder; a fresh collection per test (server mode shares a server)."""
    settings.retrieval.embedder = "fake-64"
    settings.retrieval.collection = f"t{uuid.uuid4().hex[:12]}"
    if chroma_mode == "server":
        host, port = request.getfixturevalue("chroma_server")
        settings.retrieval.chroma_host = host
        settings.retrieval.chroma_port = port
    return settings


@pytest.fixture
def db(sqlite_engine: Any) -> sessionmaker[Session]:
    return make_session_factory(sqlite_engine)


@pytest.fixture
def retrieval(rsettings: Settings, db: sessionmaker[Session]) -> Iterator[Retrieval]:
    r = build_retrieval(rsettings.retrieval, db, embedder=FakeEmbedder(64))
    yield r
    r.keywords.close()


def add_customer(sessions: sessionmaker[Session], name: str = "山田 太郎") -> int:
    with sessions.begin() as s:
        customer = Customer(name=name)
        s.add(customer)
        s.flush()
        return customer.id


def add_interaction(
    sessions: sessionmaker[Session],
    customer_id: int,
    body: str,
    *,
    subject: str | None = None,
    kind: str = "inquiry",
    phase: str = "support",
    language: str = "ja",
    days: int = 0,
) -> int:
    with sessions.begin() as s:
        row = Interaction(
            customer_id=customer_id,
            kind=kind,
            phase=phase,
            channel="email",
            occurred_at=BASE_TIME + timedelta(days=days),
            subject=subject,
            body=body,
            language=language,
        )
        s.add(row)
        s.flush()
        return row.id


def add_article(
    sessions: sessionmaker[Session], title: str, body: str, language: str = "ja"
) -> int:
    with sessions.begin() as s:
        row = Article(kind="faq", title=title, body=body, language=language, tags=[])
        s.add(row)
        s.flush()
        return row.id
