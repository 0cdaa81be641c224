"""Engine and sessions: SQLite (WAL, busy timeout, foreign keys) or any SQLAlchemy URL.

Sessions in knowledge/: a function that reads or changes data takes a Session and leaves the
transaction to its caller. Only an entry point that commits on its own takes the sessionmaker:
per batch (the importer, `enrich_all`), or a journal entry kept whatever its caller does next
(audit, chat turns, gaps, feedback, API keys; their readers still do too, for now).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from knowledge.settings import DatabaseSettings

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_engine(settings: DatabaseSettings) -> Engine:
    """Create the engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    url = settings.url
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=settings.echo,
            connect_args={"timeout": settings.sqlite_busy_timeout_ms / 1000},
        )
        timeout_ms = settings.sqlite_busy_timeout_ms

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, echo=settings.echo, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to the engine (expire_on_commit off: records outlive sessions)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def write_transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """`transaction` that takes SQLite's write lock at its start (BEGIN IMMEDIATE).

    For a unit of work that reads before it writes: a deferred SQLite transaction (as a
    SAVEPOINT opens one) that read first cannot take the write lock once another
    connection has written since, and fails at once with "database is locked" — the busy
    timeout does not apply. Taken first, the lock is waited for (busy_timeout) instead.
    """
    with transaction(factory) as session:
        if session.get_bind().dialect.name == "sqlite":
            session.connection().exec_driver_sql("BEGIN IMMEDIATE")
        yield session


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (creates it on an empty database)."""
    # Alembic (~0.1 s) only when migrating: API workers and scripts that open sessions skip it.
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            # pysqlite opens a transaction before DML only, so each CREATE TABLE committed on
            # its own: a process killed mid-migration left tables without their
            # alembic_version row, and every later start failed ("table ... already
            # exists"). One explicit transaction makes the upgrade all or nothing; IMMEDIATE
            # takes the write lock first, waiting out (busy_timeout) a writer elsewhere.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    log.debug("database migrated to head")
