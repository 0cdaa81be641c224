"""A process killed in the middle of the first migration leaves a database the next start can
migrate (before: tables without their alembic_version row, "table ... already exists")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from knowledge.db import make_engine, migrate
from knowledge.settings import DatabaseSettings

# Dies like kill -9 (no commit, no rollback, no cleanup) right after the third CREATE TABLE.
DIE_MID_MIGRATION = """
import os, sys
from sqlalchemy import event
from knowledge.db import make_engine, migrate
from knowledge.settings import DatabaseSettings

engine = make_engine(DatabaseSettings(url=sys.argv[1]))
created = []

@event.listens_for(engine, "after_cursor_execute")
def _die(conn, cursor, statement, *args):
    if statement.lstrip().upper().startswith("CREATE TABLE"):
        created.append(statement)
        if len(created) == 3:
            os._exit(9)

migrate(engine)
"""


def test_a_migration_killed_halfway_is_redone_whole(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'k.db'}"
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", DIE_MID_MIGRATION, url], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 9, done.stderr
    engine = make_engine(DatabaseSettings(url=url))
    assert inspect(engine).get_table_names() == []  # nothing of the half-run upgrade stayed
    migrate(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"alembic_version", "customers", "interactions", "api_keys"} <= tables
    engine.dispose()
