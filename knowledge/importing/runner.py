"""The import loop: read, map, validate, write in batches, quarantine what is rejected."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import write_transaction
from knowledge.errors import KnowledgeError, RowRejected
from knowledge.importing.canonical import parse
from knowledge.importing.mapping import EntityMapping
from knowledge.importing.readers import SourceRow
from knowledge.importing.report import ImportReport, RejectedRow
from knowledge.importing.writers import WRITERS, Item, Outcome
from knowledge.models import ImportRun, QuarantinedRow
from knowledge.settings import ImportSettings

log = logging.getLogger(__name__)


def run_import(
    sessions: sessionmaker[Session],
    rows: Iterable[SourceRow],
    *,
    source: str,
    part: EntityMapping,
    settings: ImportSettings,
    file: str | None = None,
    total: int | None = None,
) -> ImportReport:
    """Import source rows of one entity through a mapping part; one ImportRun row logs it."""
    with sessions.begin() as session:
        run = ImportRun(source=source, file=file, status="running")
        session.add(run)
        session.flush()
        run_id = run.id
    report = ImportReport(run_id=run_id, source=source, entity=part.entity, file=file)
    writer = WRITERS[part.entity](source, part.references)
    label = f"{part.entity} ← {file or source}"
    try:
        with _progress(settings.progress, label, total) as advance:
            pending: list[Item] = []
            pending_ids: set[str] = set()
            rejects: list[RejectedRow] = []
            for source_row in rows:
                for prepared in _prepare(source_row, part, file):
                    report.read += 1
                    if isinstance(prepared, RejectedRow):
                        rejects.append(prepared)
                        continue
                    # The same record twice in one batch: write the first before the second.
                    if len(pending) >= settings.batch_size or prepared.external_id in pending_ids:
                        _save(sessions, writer, pending, rejects, report)
                        advance(len(pending) + len(rejects))
                        pending, pending_ids, rejects = [], set(), []
                    pending.append(prepared)
                    pending_ids.add(prepared.external_id)
            _save(sessions, writer, pending, rejects, report)
            advance(len(pending) + len(rejects))
    except (KnowledgeError, DBAPIError, OSError) as e:
        _finish(sessions, report, "failed", str(e))
        raise
    _finish(sessions, report, "done", None)
    log.info(
        "import run %s (%s %s): read %d, inserted %d, updated %d, unchanged %d, rejected %d",
        run_id, source, part.entity, report.read, report.inserted, report.updated,
        report.unchanged, report.rejected,
    )  # fmt: skip
    return report


def content_hash(values: dict[str, Any]) -> str:
    """Stable hash of a validated record: same content (after normalisation), same hash."""
    blob = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _prepare(row: SourceRow, part: EntityMapping, file: str | None) -> Iterator[Item | RejectedRow]:
    if row.data is None:
        yield RejectedRow(file, row.row, None, row.error or "unreadable row", {})
        return
    try:
        scopes = part.expand(row.data, row.key)
    except RowRejected as e:
        yield RejectedRow(file, row.row, e.field, e.reason, _jsonable(row.data))
        return
    for scope in scopes:
        record: dict[str, Any] = {}
        try:
            record = part.apply(scope)
            ext, values = parse(part.entity, record)
        except RowRejected as e:
            yield RejectedRow(
                file, row.row, e.field, e.reason, _jsonable(record or scope["$record"])
            )
            continue
        yield Item(row.row, ext, values, content_hash(values), record)


def _save(
    sessions: sessionmaker[Session],
    writer: Any,
    items: list[Item],
    rejects: list[RejectedRow],
    report: ImportReport,
) -> None:
    if not items and not rejects:
        return
    file = report.file
    inserted_before = report.inserted
    # The batch reads the stored source ids before it writes, inside savepoints: the write
    # lock is taken first, so an ingest beside the enrichment pass waits instead of failing.
    with write_transaction(sessions) as session:
        outcome = _write_isolating_failures(session, writer, items)
        rejects = rejects + [
            RejectedRow(file, item.row, e.field, e.reason, _jsonable(item.raw))
            for item, e in outcome.rejected
        ]
        if rejects:
            session.add_all(
                QuarantinedRow(
                    import_run_id=report.run_id,
                    file=r.file,
                    row_number=r.row,
                    field=r.field,
                    reason=r.reason,
                    raw=r.raw,
                )
                for r in rejects
            )
        report.inserted += outcome.inserted
        report.updated += outcome.updated
        report.unchanged += outcome.unchanged
        for r in rejects:
            report.reject(r)
        session.execute(
            update(ImportRun).where(ImportRun.id == report.run_id).values(**_counts(report))
        )
    _refresh_planner_statistics(sessions, inserted_before, report.inserted)


def _refresh_planner_statistics(sessions: sessionmaker[Session], before: int, after: int) -> None:
    # PostgreSQL plans the source-id lookups from table statistics that autovacuum refreshes
    # late; on a freshly filled table it scans instead of using the unique index, and each
    # batch gets slower. Refresh them when the inserted count passes 1k, 10k, 100k, ...
    if not any(before < 10**n <= after for n in range(3, 10)):
        return
    with sessions() as session:
        if session.get_bind().dialect.name != "postgresql":
            return
        session.execute(text("ANALYZE source_records"))
        session.commit()


def _write_isolating_failures(session: Session, writer: Any, items: list[Item]) -> Outcome:
    """Write a batch; if the database refuses it, retry row by row to find the bad rows."""
    if not items:
        return Outcome()
    try:
        with session.begin_nested():
            return writer.write(session, items)  # type: ignore[no-any-return]
    except OperationalError:
        raise  # the database, not a row (locked, disk full): nothing to quarantine
    except DBAPIError:
        log.debug("batch refused by the database; retrying row by row", exc_info=True)
    total = Outcome()
    for item in items:
        try:
            with session.begin_nested():
                one = writer.write(session, [item])
        except OperationalError:
            raise
        except DBAPIError as e:
            reason = f"database refused the row: {str(e.orig).splitlines()[0]}"
            total.rejected.append((item, RowRejected(reason)))
            continue
        total.inserted += one.inserted
        total.updated += one.updated
        total.unchanged += one.unchanged
        total.rejected.extend(one.rejected)
    return total


def _finish(
    sessions: sessionmaker[Session], report: ImportReport, status: str, error: str | None
) -> None:
    with sessions.begin() as session:
        session.execute(
            update(ImportRun)
            .where(ImportRun.id == report.run_id)
            .values(status=status, error=error, finished_at=datetime.now(UTC), **_counts(report))
        )


def _counts(report: ImportReport) -> dict[str, int]:
    return {
        "rows_read": report.read,
        "inserted": report.inserted,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected,
    }


def _jsonable(value: Any) -> dict[str, Any]:
    """The raw row as JSON-safe data for the quarantine table."""
    if not isinstance(value, dict):
        value = {"value": value}
    return json.loads(json.dumps(value, default=str, ensure_ascii=False))  # type: ignore[no-any-return]


@contextmanager
def _progress(enabled: bool, label: str, total: int | None) -> Iterator[Any]:
    if not enabled:
        yield lambda n: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, TimeElapsedColumn(), transient=False) as progress:
        task = progress.add_task(label, total=total)
        yield lambda n: progress.advance(task, n)
