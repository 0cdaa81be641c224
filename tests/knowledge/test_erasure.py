"""Export and erasure of one person, row by row, on SQLite and (integration) PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.erasure import erase_customer, export_customer, find_subject
from knowledge.erasure.registry import ERASE_ACTION, ERASED_NAME, PLACES
from knowledge.erasure.service import vacuum_sqlite
from knowledge.errors import CustomerNotFound
from knowledge.models import AuditEntry, Base, Customer, Order, OrderLine
from tests.knowledge.erasure_seed import plant

# Places whose rows carry the planted text (orders and their lines hold products and
# prices, source records the external ids).
# The places that hold a person's text; the others hold ids, dates and numbers only.
TEXT_PLACES = {p.table for p in PLACES} - {
    "order_lines",
    "orders",
    "source_records",
    "campaign_enrolments",
    "campaign_events",
    "customer_metrics",
}


def marker() -> str:
    return f"zqmark{uuid.uuid4().hex[:12]}"


def tables_holding(engine: Engine, text: str) -> dict[str, int]:
    """Per table, how many rows hold `text` anywhere (every column, as text)."""
    found: dict[str, int] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                if text in json.dumps([str(v) for v in row], ensure_ascii=False):
                    found[table.name] = found.get(table.name, 0) + 1
    return found


def test_export_holds_every_place(sessions: sessionmaker[Session]) -> None:
    a = plant(sessions, "a", marker())
    data = export_customer(sessions, a.merged_id)  # a merged id exports the whole person
    assert data["customer_ids"] == sorted({a.customer_id, a.merged_id})
    holding = {t for t, rows in data["tables"].items() if a.marker in json.dumps(rows)}
    assert holding == TEXT_PLACES
    assert len(data["tables"]["orders"]) == 1 and len(data["tables"]["order_lines"]) == 1
    sources = {r["external_id"] for r in data["tables"]["source_records"]}
    assert sources == {"ER-a", "ER-a-dup", "ER-a-p", "ER-a-i1", "ER-a-i2"}
    json.dumps(data)  # JSON-ready as it is


def test_erasure_leaves_no_row_with_their_text(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    a, b = plant(sessions, "a", marker()), plant(sessions, "b", marker())
    assert set(tables_holding(engine, a.marker)) == TEXT_PLACES
    report = erase_customer(sessions, a.customer_id, actor="dpo")

    assert tables_holding(engine, a.marker) == {}
    assert set(tables_holding(engine, b.marker)) == TEXT_PLACES  # the other person is whole
    assert report.customer_ids == sorted({a.customer_id, a.merged_id})
    assert report.kept == {"orders": 1, "order_lines": 1}
    assert report.deleted["interactions"] == 2 and report.deleted["quarantine"] == 1
    with sessions() as s:
        # The order stays for accounting, on a tombstone that says nothing about the person.
        tomb = s.get(Customer, a.customer_id)
        assert tomb is not None and tomb.name == ERASED_NAME and tomb.email is None
        assert tomb.custom_attributes == {} and tomb.email_opt_out
        assert s.get(Customer, a.merged_id) is None
        assert s.scalar(select(Order.total_amount).where(Order.customer_id == a.customer_id))
        assert s.scalars(select(OrderLine)).all()
        erased = s.scalars(select(AuditEntry).where(AuditEntry.action == ERASE_ACTION)).one()
        assert erased.actor == "dpo" and erased.customer_id == a.customer_id
        assert erased.details["deleted"]["conversation_turns"] == 3  # theirs and the global one
        # The generation's entry stays (who, when, what) without its details.
        kept = s.scalars(select(AuditEntry).where(AuditEntry.output_id == a.output_id)).one()
        assert kept.details == {"erased": True} and kept.cited_records == []
        assert report.scrubbed["audit_log"] == 2  # theirs, and the global answer citing them


def test_erasing_twice_and_unknown_customers(sessions: sessionmaker[Session]) -> None:
    a, b, c = (plant(sessions, tag, marker()) for tag in "abc")
    erase_customer(sessions, a.customer_id, actor="dpo")
    erase_customer(sessions, b.customer_id, actor="dpo")
    with sessions() as s:
        # A tombstone's name identifies no one: erasing one touches no other's rows.
        assert find_subject(s, a.customer_id).identifiers == set()
    again = erase_customer(sessions, a.customer_id, actor="dpo")  # the tombstone: idempotent
    assert again.kept == {"orders": 1, "order_lines": 1}
    assert not any(again.deleted[t] for t in ("conversation_turns", "quarantine", "feedback"))
    assert export_customer(sessions, c.customer_id)["tables"]["feedback"]
    with sessions() as s:
        logged = s.scalars(select(AuditEntry).where(AuditEntry.action == ERASE_ACTION)).all()
        assert len(logged) == 3
    with pytest.raises(CustomerNotFound):
        erase_customer(sessions, 987654, actor="dpo")
    with pytest.raises(CustomerNotFound):
        export_customer(sessions, 987654)


def test_subject_follows_the_merge_group_both_ways(sessions: sessionmaker[Session]) -> None:
    a = plant(sessions, "a", marker())
    with sessions() as s:
        from_survivor, from_merged = find_subject(s, a.customer_id), find_subject(s, a.merged_id)
    assert from_survivor.customer_ids == from_merged.customer_ids == {a.customer_id, a.merged_id}
    assert len(from_survivor.quarantine_ids) == 1 and len(from_survivor.gap_ids) == 2


def test_vacuum_leaves_no_deleted_text_in_the_file_or_its_log(tmp_path: Path) -> None:
    """Without secure_delete (a build option, off in many builds) a deleted row's text stays
    in the file's free space and in the write-ahead log; vacuum_sqlite removes both."""
    path, text = tmp_path / "t.db", marker()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA secure_delete=OFF")
    db.execute("CREATE TABLE t (body TEXT)")
    with db:
        db.executemany("INSERT INTO t VALUES (?)", [(f"{text} {i}",) for i in range(50)])
    with db:
        db.execute("DELETE FROM t")

    def on_disk() -> bool:
        return any(text.encode() in p.read_bytes() for p in tmp_path.iterdir())

    assert on_disk()
    vacuum_sqlite(db)
    assert not on_disk()
    db.close()
