"""Ingest: one interaction, a batch of canonical records, or an uploaded file (a job).

All three go through knowledge.importing, the same code path as `kizuna import`, so the
source's (entity, source, external_id) key makes every re-send idempotent.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, File, Form, Path, UploadFile
from fastapi.responses import JSONResponse

from api.access import Access
from api.deps import Importer, ServicesDep, WriteAccess
from api.errors import (
    AUTH_RESPONSES,
    BAD_REQUEST,
    NOT_FOUND,
    ApiError,
    ErrorResponse,
    NotVisible,
    Responses,
    TooLarge,
)
from api.schemas import (
    BatchIngest,
    ImportJob,
    ImportReportOut,
    InteractionCreate,
    RejectedRowOut,
)
from api.services import Services
from knowledge.errors import ImportRejected
from knowledge.importing import (
    EntityMapping,
    ImportReport,
    SourceMapping,
    builtin_mappings,
    check_encoding,
    detect_encoding,
    import_file,
    import_records,
)
from knowledge.vocabulary import Entity

log = logging.getLogger(__name__)
router = APIRouter(tags=["ingest"])
BAD_INPUT: Responses = {
    400: {"model": ErrorResponse, "description": "The import could not start (entity, mapping)"}
}
UPLOAD_TYPES = {".csv", ".tsv", ".json", ".jsonl", ".ndjson"}
SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def report_out(report: ImportReport) -> ImportReportOut:
    """The HTTP form of a knowledge.importing ImportReport (raw rows left out)."""
    return ImportReportOut(
        run_id=report.run_id if report.run_id is not None else next(iter(report.run_ids), None),
        read=report.read,
        inserted=report.inserted,
        updated=report.updated,
        unchanged=report.unchanged,
        rejected=report.rejected,
        rejected_rows=[
            RejectedRowOut(file=r.file, row=r.row, field=r.field, reason=r.reason)
            for r in report.rejected_rows
        ],
    )


def _check_customer(access: Access, body: InteractionCreate) -> None:
    from knowledge.repository import customer_by_source

    source = body.references_source or body.source
    with access.services.sessions() as session:
        customer_id = customer_by_source(session, source, body.customer_external_id)
        if customer_id is not None:
            access.visibility.require(session, customer_id)


def _import(
    services: Services,
    records: list[dict[str, Any]],
    source: str,
    entity: str,
    references_source: str | None = None,
) -> ImportReport:
    mapping = None
    if references_source:
        # Canonical records whose customer/contact/product ids belong to another source.
        refs = {e: references_source for e in ("customer", "contact", "product", "order")}
        mapping = SourceMapping("api", None, (EntityMapping(entity=entity, references=refs),))
    return import_records(
        services.sessions,
        records,
        source=source,
        entity=entity,
        mapping=mapping,
        settings=services.settings.imports,
    )


@router.post(
    "/interactions",
    response_model=ImportReportOut,
    status_code=201,
    summary="Record one interaction (idempotent on source + external_id)",
    responses={**AUTH_RESPONSES, **BAD_INPUT, **NOT_FOUND},
)
async def create_interaction(body: InteractionCreate, access: WriteAccess) -> ImportReportOut:
    """Import one canonical interaction; a rejected row is reported, not stored; a customer
    the caller cannot see is 404, as an unknown one would be if it were checked first."""
    services = access.services
    await anyio.to_thread.run_sync(_check_customer, access, body)
    record = body.model_dump(
        mode="json", exclude={"source", "references_source"}, exclude_none=True
    )
    report = await services.run_cpu(
        _import, services, [record], body.source, "interaction", body.references_source
    )
    services.schedule_refresh()
    return report_out(report)


@router.post(
    "/ingest",
    response_model=ImportReportOut,
    summary="Ingest a batch of canonical records (the same path as file imports)",
    responses={**AUTH_RESPONSES, **BAD_INPUT},
)
async def ingest_batch(body: BatchIngest, _p: Importer, services: ServicesDep) -> ImportReportOut:
    """Import up to 10 000 records of one entity; re-sending the batch changes nothing."""
    report = await services.run_cpu(
        _import, services, body.records, body.source, body.entity, body.references_source
    )
    services.schedule_refresh()
    return report_out(report)


def _run_file_import(
    services: Services,
    job_id: str,
    path: FilePath,
    source: str,
    mapping: str | None,
    entity: str | None,
    encoding: str | None,
) -> None:
    jobs = services.import_jobs
    jobs.update(job_id, status="running")
    try:
        report = import_file(
            services.sessions,
            path,
            source=source,
            mapping=mapping,
            settings=services.settings.imports,
            entity=entity,
            encoding=encoding,
        )
        jobs.update(job_id, status="done", report=report_out(report), finished_at=datetime.now(UTC))
        services.schedule_refresh()
    except Exception as e:  # the job records the failure; the HTTP call already returned
        log.warning("import job %s failed: %s", job_id, type(e).__name__)
        jobs.update(job_id, status="failed", error=str(e), finished_at=datetime.now(UTC))
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)


def _save_upload(file: UploadFile, path: FilePath) -> int:
    """Copy the upload to `path` in 1 MiB pieces; its size in bytes."""
    file.file.seek(0)
    with path.open("wb") as out:
        shutil.copyfileobj(file.file, out, 1 << 20)
        return out.tell()


@router.post(
    "/imports",
    response_model=ImportJob,
    status_code=202,
    summary="Upload a CSV / JSON / JSONL file to import; returns a job to poll",
    responses={
        **AUTH_RESPONSES,
        **BAD_REQUEST,
        413: {"model": ErrorResponse, "description": "File too large"},
    },
)
async def upload_import(
    _p: Importer,
    services: ServicesDep,
    file: Annotated[UploadFile, File(description="CSV, JSON or JSONL")],
    source: Annotated[str, Form(min_length=1, max_length=64, examples=["demo-ec"])],
    mapping: Annotated[
        str | None, Form(max_length=200, description="built-in mapping name")
    ] = None,
    entity: Annotated[
        Entity | None, Form(description="what the file holds, when not by name")
    ] = None,
    encoding: Annotated[
        str | None,
        Form(
            max_length=40,
            description="text encoding (utf-8, cp932, utf-16, ...); "
            "default: detected (BOM, else UTF-8, else CP932)",
            examples=["cp932"],
        ),
    ] = None,
) -> ImportJob:
    """Store the upload, start the import in a worker thread, answer at once with the job."""
    name = SAFE_NAME.sub("_", FilePath(file.filename or "upload.csv").name)[:100] or "upload"
    if FilePath(name).suffix.lower() not in UPLOAD_TYPES:
        raise ApiError(f"{name}: only {', '.join(sorted(UPLOAD_TYPES))} files can be imported")
    if mapping is not None and mapping not in builtin_mappings():
        # Only built-in mappings: a path here would let a caller read server files.
        raise ApiError(f"mapping {mapping!r} is not one of {', '.join(builtin_mappings())}")
    folder = FilePath(tempfile.mkdtemp(prefix="kizuna-upload-"))
    path = folder / name
    try:
        # Copied in pieces from the spooled upload: a large file never sits in memory whole.
        size = await anyio.to_thread.run_sync(_save_upload, file, path)
        if size > services.settings.api.max_upload_bytes:
            raise TooLarge(f"{name} is larger than api.max_upload_bytes")
        # An unknown encoding, or a file no encoding fits at its start, is a 400 now rather
        # than a job that fails later (a byte further on that does not decode still fails it).
        if encoding:
            check_encoding(encoding)
        else:
            await services.run_cpu(detect_encoding, path)
    except (ImportRejected, TooLarge):
        shutil.rmtree(folder, ignore_errors=True)
        raise
    job = ImportJob(
        job_id=uuid.uuid4().hex,
        status="queued",
        source=source,
        file=name,
        started_at=datetime.now(UTC),
    )
    services.import_jobs.add(job, _p.key_id)
    services.spawn(
        lambda: services.run_cpu(
            _run_file_import, services, job.job_id, path, source, mapping, entity, encoding
        )
    )
    return job


@router.get(
    "/imports/{job_id}",
    response_model=ImportJob,
    summary="Import job status, counts and quarantine report (rejected rows with where and why)",
    responses={**AUTH_RESPONSES, **NOT_FOUND},
)
def import_status(
    _p: Importer,
    services: ServicesDep,
    job_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")],
) -> ImportJob | JSONResponse:
    """Poll an upload job; its `report.rejected_rows` is the quarantine report."""
    job = services.import_jobs.get(job_id)
    if job is None:
        raise NotVisible(f"import job {job_id} does not exist (jobs live as long as the server)")
    return job
