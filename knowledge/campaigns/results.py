"""Delivery results in: one row per (message, event); unsubscribes set the customer's opt-out.

Files are read by knowledge.importing's readers (CSV / JSONL / JSON, encoding detected), the
same as any import; re-importing a file changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.campaigns.models import DeliveryEvent, Message
from knowledge.campaigns.records import EVENTS
from knowledge.campaigns.store import sees_message
from knowledge.importing.readers import read_path
from knowledge.models import Customer
from knowledge.visibility import EVERYTHING, Visibility


@dataclass
class ResultsReport:
    read: int = 0
    recorded: int = 0
    unchanged: int = 0
    rejected: int = 0
    unsubscribed: int = 0
    rejected_rows: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, row: int, where: str, reason: str) -> None:
        self.rejected += 1
        self.rejected_rows.append({"row": row, "field": where, "reason": reason})


def import_results_file(
    session: Session, path: Path, now: datetime, visibility: Visibility = EVERYTHING
) -> ResultsReport:
    """Import a results file (CSV, JSONL or JSON); the caller commits."""
    report = ResultsReport()
    rows: list[tuple[int, dict[str, Any]]] = []
    for source in read_path(path):
        if source.data is None:
            report.read += 1
            report.reject(source.row, "", source.error or "unreadable row")
        else:
            rows.append((source.row, source.data))
    return import_results(session, rows, now, report, visibility)


def import_results(
    session: Session,
    rows: Iterable[tuple[int, dict[str, Any]]],
    now: datetime,
    report: ResultsReport | None = None,
    visibility: Visibility = EVERYTHING,
) -> ResultsReport:
    """Record delivery events given as (row number, {message_id, event, occurred_at}); a
    message of a customer the caller cannot see is rejected as an unknown one."""
    report = report or ResultsReport()
    for number, data in rows:
        report.read += 1
        try:
            message_id, event, at = _parse(data, now)
        except _BadRow as e:
            report.reject(number, e.field, e.reason)
            continue
        msg = session.get(Message, message_id)
        if msg is None or msg.status != "exported" or not sees_message(session, msg, visibility):
            report.reject(number, "message_id", f"no exported message {message_id}")
            continue
        existing = session.scalar(
            select(DeliveryEvent.id).where(
                DeliveryEvent.message_id == message_id, DeliveryEvent.event == event
            )
        )
        if existing is not None:
            report.unchanged += 1
            continue
        session.add(DeliveryEvent(message_id=message_id, event=event, occurred_at=at))
        report.recorded += 1
        if event == "unsubscribed":
            customer = session.get(Customer, msg.customer_id)
            if customer is not None and not customer.email_opt_out:
                customer.email_opt_out = True
                report.unsubscribed += 1
        session.flush()
    return report


class _BadRow(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def _parse(data: dict[str, Any], now: datetime) -> tuple[int, str, datetime]:
    """(message_id, event, time); _BadRow naming the field otherwise."""
    raw_id = str(data.get("message_id") or "").strip()
    if not raw_id.isdigit():
        raise _BadRow("message_id", f"must be a message id, got {raw_id!r}")
    event = str(data.get("event") or "").strip().lower()
    if event not in EVENTS:
        raise _BadRow("event", f"must be one of {', '.join(EVENTS)}, got {event!r}")
    raw_at = str(data.get("occurred_at") or "").strip()
    if not raw_at:
        return int(raw_id), event, now
    try:
        at = datetime.fromisoformat(raw_at.replace("Z", "+00:00"))
    except ValueError as e:
        raise _BadRow("occurred_at", f"must be an ISO 8601 time, got {raw_at!r}") from e
    return int(raw_id), event, at if at.tzinfo else at.replace(tzinfo=UTC)
