"""The API under test: real SQLite, real embedded Chroma, FakeEmbedder, fake LLM."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from knowledge.apikeys import ROLES, create_key
from knowledge.importing import import_records
from knowledge.settings import Settings
from tests.api.seed import SEED, TEAM


@dataclass
class ApiHarness:
    client: TestClient
    services: Services
    keys: dict[str, str]  # role -> plain key
    customers: dict[str, int]  # external id -> customer id
    app: FastAPI

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}


def api_settings(data_dir: Path) -> Settings:
    """Settings of one test app: temporary data dir, fake LLM, fake embedder, fresh collection."""
    settings = Settings(environment="test", data_dir=data_dir, llm={"mode": "fake"})  # type: ignore[arg-type]
    settings.retrieval.embedder = "fake-64"
    settings.retrieval.collection = f"t{uuid.uuid4().hex[:12]}"
    settings.imports.progress = False
    settings.api.generations_per_minute = 0  # tests ask more often; test_load.py checks it
    settings.api.refresh_on_start = False  # seed() indexes itself; a second pass would race it
    return settings


def seed(services: Services) -> dict[str, int]:
    """Import the seed company through knowledge.importing and index it."""
    for entity, source, records in SEED:
        if records:
            report = import_records(
                services.sessions,
                records,
                source=source,
                entity=entity,
                settings=services.settings.imports,
            )
            assert report.rejected == 0, report.rejected_rows
    from knowledge.models import Customer, SourceRecord

    with services.sessions() as session:
        rows = session.query(SourceRecord).filter_by(entity="customer").all()
        ids = {r.external_id: r.entity_id for r in rows}
        assert all(session.get(Customer, i) for i in ids.values())
    assert services.retrieval is not None
    services.retrieval.index(progress=False)
    return ids


def start(settings: Settings) -> Iterator[ApiHarness]:
    app = create_app(settings)
    with TestClient(app) as client:
        services: Services = app.state.services
        keys = {
            role: create_key(services.sessions, name=f"{role}-1", role=role, teams=[TEAM])[1]
            for role in ROLES
        }
        customers = seed(services)
        yield ApiHarness(client, services, keys, customers, app)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[ApiHarness]:
    """A fresh app with seeded data and one key per role, for tests that write."""
    yield from start(api_settings(tmp_path / "data"))


@pytest.fixture(scope="module")
def shared_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiHarness]:
    """One app for a whole module of read-mostly tests (auth matrix, schemathesis)."""
    yield from start(api_settings(tmp_path_factory.mktemp("api") / "data"))
