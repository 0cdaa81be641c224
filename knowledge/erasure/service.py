"""Export everything held about one person, or erase it, from the one registry of places.

Tables are the registry's PLACES; the search indexes live in a higher layer and are handed in
as `IndexPlace`s by whoever assembles the app (API, CLI), so both operations read one list.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import Engine, delete, exists, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import transaction
from knowledge.erasure.registry import (
    ERASE_ACTION,
    PLACES,
    Place,
    table_of,
)
from knowledge.erasure.subject import Subject, find_subject
from knowledge.journal import write_read
from knowledge.models import AuditEntry, Base, Order

log = logging.getLogger(__name__)

EXPORT_FORMAT = "kizuna-customer-export/1"
EXPORT_ACTION = "export_customer"


class IndexPlace(Protocol):
    """A store outside SQL that holds text about customers (the vector and keyword indexes)."""

    name: str

    def export(self, customer_ids: frozenset[int]) -> list[dict[str, Any]]:
        """What the store holds about these customers, as JSON-ready rows."""
        ...

    def erase(self, customer_ids: frozenset[int]) -> int:
        """Remove everything about these customers and leave no trace on disk; the count."""
        ...


@dataclass
class ErasureReport:
    """What an erasure did: per place, how many rows went, stayed or were scrubbed."""

    customer_id: int
    customer_ids: list[int]
    deleted: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)  # rows kept for accounting
    scrubbed: dict[str, int] = field(default_factory=dict)  # rows kept, personal fields replaced
    audit_output_id: str = ""
    seconds: dict[str, float] = field(default_factory=dict)  # per step: sql, each index, compact


def export_customer(
    sessions: sessionmaker[Session],
    customer_id: int,
    indexes: Sequence[IndexPlace] | None = None,
    *,
    actor: str | None = None,
    key_id: int | None = None,
) -> dict[str, Any]:
    """Everything held about the person of customer_id as JSON-ready data (CustomerNotFound).

    With an `actor`, the export is a read in the audit log (who took whose data, when; ids
    and a row count only).
    """
    with sessions() as session:
        subject = find_subject(session, customer_id)
        tables = {}
        for place in PLACES:
            table = table_of(place)
            rows = session.execute(
                select(table).where(place.where(table, subject)).order_by(*table.primary_key)
            ).mappings()
            tables[place.table] = [_jsonable(dict(r)) for r in rows]
    held = {i.name: i.export(subject.customer_ids) for i in indexes or []}
    if actor is not None:
        write_read(
            sessions,
            actor=actor,
            key_id=key_id,
            action=EXPORT_ACTION,
            customer_id=customer_id,
            details={
                "customer_ids": sorted(subject.customer_ids),
                "count": sum(len(rows) for rows in {**tables, **held}.values()),
            },
        )
    return {
        "format": EXPORT_FORMAT,
        "customer_id": customer_id,
        "customer_ids": sorted(subject.customer_ids),
        "exported_at": datetime.now(UTC).isoformat(),
        "tables": tables,
        "indexes": held,
    }


def erase_customer(
    sessions: sessionmaker[Session],
    customer_id: int,
    *,
    actor: str,
    key_id: int | None = None,
    indexes: Sequence[IndexPlace] | None = None,
) -> ErasureReport:
    """Erase the person of customer_id (their whole 名寄せ group) from every place, log it.

    SQL first, in one transaction with the audit entry; then the indexes (a failure there
    leaves chunks of records SQL no longer has, which `kizuna index` deletes); then the
    database file is compacted so deleted text does not survive in free pages.
    """
    started = time.perf_counter()
    with transaction(sessions) as session:
        subject = find_subject(session, customer_id)
        report = ErasureReport(customer_id, sorted(subject.customer_ids))
        for place in PLACES:
            _erase_place(session, place, subject, report)
        output_id = f"erase-{uuid.uuid4().hex}"
        session.add(
            AuditEntry(
                output_id=output_id,
                actor=actor,
                key_id=key_id,
                action=ERASE_ACTION,
                customer_id=customer_id,
                cited_records=[],
                model=None,
                # Counts and ids only: the entry outlives the person it is about.
                details={
                    "customer_ids": report.customer_ids,
                    "deleted": report.deleted,
                    "kept": report.kept,
                    "scrubbed": report.scrubbed,
                },
            )
        )
    report.audit_output_id = output_id
    report.seconds["sql"] = _since(started)
    for index in indexes or []:
        started = time.perf_counter()
        report.deleted[f"index:{index.name}"] = index.erase(subject.customer_ids)
        report.seconds[f"index:{index.name}"] = _since(started)
    engine = sessions.kw.get("bind")
    if engine is not None:
        started = time.perf_counter()
        compact(engine)
        report.seconds["compact"] = _since(started)
    log.info("erased customer %s (%d records)", customer_id, len(report.customer_ids))
    return report


def _erase_place(session: Session, place: Place, subject: Subject, report: ErasureReport) -> None:
    table = table_of(place)
    where = place.where(table, subject)
    if place.action == "keep":
        count = session.scalar(select(func.count()).select_from(table).where(where))
        report.kept[place.table] = int(count or 0)
    elif place.action == "scrub":
        scrubbed = session.execute(update(table).where(where).values(**place.scrub))
        report.scrubbed[place.table] = _count(scrubbed)
    elif place.action == "tombstone":
        # A record still holding orders stays as a tombstone; the others go.
        orders = Base.metadata.tables[Order.__tablename__]
        holds = exists().where(orders.c.customer_id == table.c.id)
        report.scrubbed[place.table] = _count(
            session.execute(update(table).where(where, holds).values(**place.scrub))
        )
        report.deleted[place.table] = _count(session.execute(delete(table).where(where, ~holds)))
    else:
        report.deleted[place.table] = _count(session.execute(delete(table).where(where)))


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def compact(engine: Engine) -> None:
    """Rewrite a SQLite file without its free pages (deleted text stays there otherwise).

    The write-ahead log holds old page images too: it is checkpointed and truncated before
    and after. PostgreSQL keeps dead tuples until VACUUM; see docs/SECURITY.md.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        if raw is not None:
            vacuum_sqlite(raw)


def vacuum_sqlite(db: Any) -> None:
    """Rewrite a SQLite file without free pages, its write-ahead log checkpointed and emptied
    (both keep the text of deleted rows otherwise). `db`: a sqlite3 connection, no open
    transaction."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _value(v) for k, v in row.items()}


def _value(v: Any) -> Any:
    if isinstance(v, datetime | date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return str(v)
    return v
