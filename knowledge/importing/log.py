"""Reading the import log and the quarantine as plain records (for the CLI and the API)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import ImportRun, QuarantinedRow


@dataclass(frozen=True)
class ImportRunEntry:
    """One import run: source, file, status and counts."""

    id: int
    source: str
    file: str | None
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    error: str | None


@dataclass(frozen=True)
class QuarantineEntry:
    """One rejected row: which run, where in which file, which field, why, and the row."""

    id: int
    run_id: int
    file: str | None
    row: int | None
    field: str | None
    reason: str
    raw: dict[str, Any]


def list_runs(session: Session, limit: int = 50) -> list[ImportRunEntry]:
    """The newest import runs first."""
    runs = session.scalars(select(ImportRun).order_by(ImportRun.id.desc()).limit(limit))
    return [
        ImportRunEntry(
            r.id, r.source, r.file, r.status, r.started_at, r.finished_at, r.rows_read,
            r.inserted, r.updated, r.unchanged, r.rejected, r.error,
        )
        for r in runs
    ]  # fmt: skip


def list_quarantine(
    session: Session, run_id: int | None = None, limit: int = 200
) -> list[QuarantineEntry]:
    """Rejected rows of one run (or of all runs), in file order."""
    stmt = select(QuarantinedRow).order_by(QuarantinedRow.import_run_id, QuarantinedRow.id)
    if run_id is not None:
        stmt = stmt.where(QuarantinedRow.import_run_id == run_id)
    return [
        QuarantineEntry(q.id, q.import_run_id, q.file, q.row_number, q.field, q.reason, q.raw)
        for q in session.scalars(stmt.limit(limit))
    ]
