"""Assistant tests run on a real SQLite database, real embedded Chroma, FakeEmbedder, fake LLM."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.llm.fake import FakeChatModel
from assistant.service import Assistant
from knowledge.importing import import_records
from knowledge.models import SourceRecord
from knowledge.settings import Settings
from retrieval.embedders import FakeEmbedder
from retrieval.service import Retrieval, build_retrieval
from tests.assistant.seed import SEED


@dataclass
class World:
    settings: Settings
    sessions: sessionmaker[Session]
    retrieval: Retrieval
    ids: dict[str, int]  # external id -> row id (customers, interactions, articles, orders)

    def assistant(self, replies: list[Any] | None = None) -> tuple[Assistant, FakeChatModel]:
        llm = FakeChatModel(replies=list(replies or []))
        return Assistant(self.settings, self.sessions, self.retrieval, llm), llm


def seed_world(settings: Settings, sessions: sessionmaker[Session], embedder: Any) -> World:
    """Import the seed company through knowledge.importing and index it."""
    for entity, source, records in SEED:
        report = import_records(
            sessions, records, source=source, entity=entity, settings=settings.imports
        )
        assert report.rejected == 0, report
    with sessions() as s:
        ids = {r.external_id: r.entity_id for r in s.query(SourceRecord).all()}
    retrieval = build_retrieval(settings.retrieval, sessions, embedder=embedder)
    retrieval.index(progress=False)
    return World(settings, sessions, retrieval, ids)


@pytest.fixture
def world(settings: Settings, sqlite_engine: Any) -> World:
    from knowledge.db import make_session_factory

    settings.retrieval.collection = f"t{uuid.uuid4().hex[:12]}"
    settings.imports.progress = False
    return seed_world(settings, make_session_factory(sqlite_engine), FakeEmbedder())
