"""knowledge.visibility: who sees which customer, in SQL and in Python alike, and the
migration that gives existing audit rows and chat turns their key."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import MIGRATIONS_DIR, make_session_factory, migrate
from knowledge.errors import CustomerNotFound
from knowledge.models import Customer
from knowledge.repository import find_customers
from knowledge.settings import VisibilitySettings
from knowledge.visibility import Visibility

# (owner, team) of each customer; the name says who should see it.
CUSTOMERS = [
    ("mine", " Alice ", "west"),  # owned by alice (spaces and case do not matter)
    ("team east", "bob", "East"),
    ("team b2b", None, "b2b"),
    ("nobody's", None, None),
    ("other", "carol", "west"),
]


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    engine = create_engine(f"sqlite:///{tmp_path / 'v.db'}")
    migrate(engine)
    factory = make_session_factory(engine)
    with factory.begin() as s:
        for name, owner, team in CUSTOMERS:
            s.add(Customer(name=f"顧客 {name}", name_key=name, owner=owner, team=team))
    return factory


def _seen(sessions: sessionmaker[Session], v: Visibility) -> set[str]:
    with sessions() as s:
        by_sql = {c.name for c in find_customers(s, "顧客", limit=50, visibility=v)}
        by_python = set()
        for c in s.scalars(select(Customer)):
            try:
                v.require(s, c.id)
                by_python.add(c.name)
            except CustomerNotFound:
                pass
    assert by_sql == by_python  # the SQL filter and the one-customer check agree
    return {n.removeprefix("顧客 ") for n in by_sql}


@pytest.mark.parametrize(
    ("reach", "expected"),
    [
        ("all", {"mine", "team east", "team b2b", "nobody's", "other"}),
        ("team", {"mine", "team east", "team b2b"}),
        ("own", {"mine"}),
    ],
)
def test_reach(sessions: sessionmaker[Session], reach: str, expected: set[str]) -> None:
    policy = VisibilitySettings(sales=reach)  # type: ignore[arg-type]
    v = Visibility.of("sales", "ALICE", ["east", " B2B"], policy)
    assert _seen(sessions, v) == expected


def test_admin_sees_all_whatever_the_policy(sessions: sessionmaker[Session]) -> None:
    policy = VisibilitySettings(agent="own", sales="own", marketing="own")
    assert len(_seen(sessions, Visibility.of("admin", "x", [], policy))) == len(CUSTOMERS)


def test_a_key_without_teams_sees_only_what_it_owns(sessions: sessionmaker[Session]) -> None:
    v = Visibility.of("sales", "carol", [], VisibilitySettings())
    assert _seen(sessions, v) == {"other"}


def test_text_kinds_come_from_the_role() -> None:
    marketing = Visibility.of("marketing", "m", [], VisibilitySettings())
    assert marketing.reads_kind("review") and not marketing.reads_kind("ticket")
    assert Visibility.of("agent", "a", [], VisibilitySettings()).reads_kind("ticket")


def _upgrade(engine: Engine, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def test_migration_gives_old_rows_their_key_when_the_name_is_unambiguous(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    _upgrade(engine, "0002")
    with engine.begin() as conn:
        for i, name in enumerate(["twin", "twin", "solo"], start=1):
            conn.execute(
                text(
                    "INSERT INTO api_keys (id, name, prefix, key_hash, role) "
                    "VALUES (:i, :n, :p, 'h', 'agent')"
                ),
                {"i": i, "n": name, "p": f"p{i}"},
            )
        for n, actor in enumerate(["twin", "solo"]):
            conn.execute(
                text(
                    "INSERT INTO audit_log (actor, action, cited_records, output_id, details) "
                    "VALUES (:a, 'answer', '[]', :o, '{}')"
                ),
                {"a": actor, "o": f"out{n}"},
            )
            conn.execute(
                text(
                    "INSERT INTO conversation_turns (conversation_id, role, text, actor) "
                    "VALUES ('c', 'user', 'q', :a)"
                ),
                {"a": actor},
            )
    migrate(engine)
    with engine.connect() as conn:
        audit = dict(conn.execute(text("SELECT actor, key_id FROM audit_log")).all())
        turns = dict(conn.execute(text("SELECT actor, key_id FROM conversation_turns")).all())
        keys = conn.execute(text("SELECT teams FROM api_keys")).scalars().all()
    assert audit == {"twin": None, "solo": 3} and turns == {"twin": None, "solo": 3}
    assert set(keys) == {"[]"}


@pytest.mark.integration
def test_reach_on_postgresql(postgres_engine: Engine) -> None:
    """The same filter on PostgreSQL (the migration ran there: `user` is a reserved word)."""
    factory = make_session_factory(postgres_engine)
    with factory.begin() as s:
        for name, owner, team in CUSTOMERS:
            s.add(Customer(name=f"顧客 {name}", name_key=name, owner=owner, team=team))
    v = Visibility.of("sales", "ALICE", ["east", " B2B"], VisibilitySettings())
    assert _seen(factory, v) == {"mine", "team east", "team b2b"}


def test_a_misspelt_kind_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match=r"text_kinds\['marketing'\]: unknown kind\(s\) reviews"):
        VisibilitySettings(text_kinds={"marketing": ["reviews"]})
