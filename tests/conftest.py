"""Shared fixtures: a migrated database on SQLite (always) and PostgreSQL (integration)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import make_engine, make_session_factory, migrate
from knowledge.settings import DatabaseSettings, Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

PG_ADMIN_URL = os.environ.get(
    "KIZUNA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _shared_data() -> Path:
    """The team's shared data folder: KIZUNA_SHARED_DATA, else ../shared/data beside the clone."""
    if os.environ.get("KIZUNA_SHARED_DATA"):
        return Path(os.environ["KIZUNA_SHARED_DATA"])
    beside = Path(__file__).resolve().parents[2] / "shared" / "data"
    return beside if beside.exists() else Path("/work/shared/data")


SHARED_DATA = _shared_data()
# Where the packaged GGUF is assembled once for all tests that use the real local model.
MODEL_CACHE = Path(os.environ.get("KIZUNA_TEST_MODEL_CACHE", "/tmp/kizuna-test-models"))


@pytest.fixture(scope="session")
def model_path() -> str:
    """The packaged local model's GGUF file (assembled into MODEL_CACHE on first use)."""
    from assistant.llm.model_file import resolve_model_path

    return str(resolve_model_path(Settings(llm={"model_cache_dir": str(MODEL_CACHE)}).llm))  # type: ignore[arg-type]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for one test: everything under a temporary data directory, fake LLM."""
    return Settings(environment="test", data_dir=tmp_path / "data", llm={"mode": "fake"})  # type: ignore[arg-type]


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(DatabaseSettings(url=f"sqlite:///{tmp_path / 'kizuna.db'}"))
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    name = f"kizuna_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(DatabaseSettings(url=url))
    migrate(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgresql_engine(postgres_engine: Engine) -> Engine:
    """The name the `engine` parametrisation looks up (`{param}_engine`)."""
    return postgres_engine


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.integration),
    ]
)
def engine(request: pytest.FixtureRequest) -> Engine:
    """The same knowledge tests run on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)
