"""Campaigns: define a sequence, run it (a background job), review drafts, export, results.

Kizuna never sends: export and the outbox hand approved drafts to a delivery tool, and the
results it reports come back through POST /campaigns/results. Every route works with the
customers the key sees (its CampaignAccess): counts, drafts, runs, export and results of the
others are left out, and one hidden customer's draft answers 404 as an unknown one.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Path, Query, UploadFile
from fastapi.responses import Response

from api.access import Access
from api.campaign_schemas import (
    BulkApprove,
    BulkApproved,
    CampaignList,
    DraftEdit,
    DraftPage,
    OutboxPage,
    ResultsIn,
    ResultsReportOut,
    RunRequest,
)
from api.deps import CampaignAccess
from api.errors import AUTH_RESPONSES, BAD_REQUEST, NOT_FOUND, ApiError, TooLarge
from api.schemas import utc
from api.services import Services
from knowledge.campaigns import export, report, results, store
from knowledge.campaigns.definition import CampaignDefinition
from knowledge.campaigns.records import CampaignRecord, DraftRecord, DraftStatus, RunRecord
from knowledge.errors import CampaignError

log = logging.getLogger(__name__)
router = APIRouter(tags=["campaigns"])
Id = Annotated[int, Path(ge=1, le=2**62)]
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
RESPONSES = {**AUTH_RESPONSES, **NOT_FOUND, **BAD_REQUEST}
RESULT_TYPES = {".csv", ".tsv", ".json", ".jsonl", ".ndjson"}


@router.post(
    "/campaigns",
    response_model=CampaignRecord,
    status_code=201,
    summary="Define a campaign (a step-mail sequence)",
    responses=RESPONSES,
)
def create_campaign(body: CampaignDefinition, access: CampaignAccess) -> CampaignRecord:
    """Store a validated definition; its name must be new."""
    from assistant.jobs.campaign_drafts import check_steps

    check_steps(body)
    with access.services.sessions() as session:
        record = store.create_campaign(
            session, body.model_dump(mode="json"), access.principal.actor
        )
        session.commit()
        return utc(record)


@router.get(
    "/campaigns",
    response_model=CampaignList,
    summary="Campaigns with their counts",
    responses=AUTH_RESPONSES,
)
def list_campaigns(access: CampaignAccess) -> CampaignList:
    """Every campaign; its counts cover the customers the key sees."""
    with access.services.sessions() as session:
        items = store.list_campaigns(session, access.visibility)
        return CampaignList(items=[utc(c) for c in items])


@router.get(
    "/campaigns/{campaign_id}",
    response_model=CampaignRecord,
    summary="One campaign: definition and counts",
    responses=RESPONSES,
)
def get_campaign(campaign_id: Id, access: CampaignAccess) -> CampaignRecord:
    with access.services.sessions() as session:
        return utc(store.get_campaign(session, campaign_id, access.visibility))


@router.post(
    "/campaigns/{campaign_id}/run",
    response_model=RunRecord,
    status_code=202,
    summary="Run the scheduler at a clock and draft what is due (a job to poll)",
    responses=RESPONSES,
)
def run_campaign(
    campaign_id: Id, access: CampaignAccess, body: RunRequest | None = None
) -> RunRecord:
    """Start a run; 400 while another run of the campaign is queued or running. The run
    enrols and drafts only the customers the key sees."""
    services, actor = access.services, access.principal.actor
    body = body or RunRequest()
    clock = body.now or datetime.now(UTC)
    if clock.tzinfo is None:
        clock = clock.replace(tzinfo=UTC)
    job_id = uuid.uuid4().hex
    with services.sessions() as session:
        store.campaign_row(session, campaign_id)
        busy = store.active_run(session, campaign_id)
        if busy is not None:
            raise CampaignError(f"campaign {campaign_id} is being run (job {busy})")
        store.create_run(session, job_id, campaign_id, clock, body.code_only, actor)
        session.commit()
        run = store.get_run(session, job_id)
    deps = _deps(services, body.code_only).bound(access.visibility, access.principal.key_id)
    services.spawn(lambda: services.run_cpu(_run, deps, job_id, actor))
    return utc(run)


def _deps(services: Services, code_only: bool) -> Any:
    from assistant.deps import AssistantDeps

    if code_only:
        return AssistantDeps.data_only(services.settings, services.sessions)
    return services.need_assistant().deps


def _run(deps: Any, job_id: str, actor: str) -> RunRecord:
    from assistant.jobs.campaign_drafts import run_campaign as run

    return run(deps, job_id, actor=actor)


@router.get(
    "/jobs/{job_id}",
    response_model=RunRecord,
    summary="A campaign run: progress",
    responses=RESPONSES,
)
def get_job(job_id: JobId, access: CampaignAccess) -> RunRecord:
    with access.services.sessions() as session:
        return utc(store.get_run(session, job_id))


@router.post(
    "/jobs/{job_id}/cancel",
    response_model=RunRecord,
    summary="Stop a run after the draft in progress",
    responses=RESPONSES,
)
def cancel_job(job_id: JobId, access: CampaignAccess) -> RunRecord:
    with access.services.sessions() as session:
        run = store.request_cancel(session, job_id)
        session.commit()
        return utc(run)


@router.delete(
    "/jobs/{job_id}",
    response_model=RunRecord,
    summary="Stop a run (as POST /jobs/{job_id}/cancel)",
    responses=RESPONSES,
)
def delete_job(job_id: JobId, access: CampaignAccess) -> RunRecord:
    return cancel_job(job_id, access)


@router.get(
    "/campaigns/{campaign_id}/drafts",
    response_model=DraftPage,
    summary="A page of the campaign's drafts",
    responses=RESPONSES,
)
def list_drafts(
    campaign_id: Id,
    access: CampaignAccess,
    status: DraftStatus | None = None,
    step: Annotated[int | None, Query(ge=0, le=9)] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DraftPage:
    with access.services.sessions() as session:
        total, items = store.list_drafts(
            session,
            campaign_id,
            statuses=[status] if status else None,
            step=step,
            page=page,
            per_page=per_page,
            visibility=access.visibility,
        )
    ids = [d.customer_id for d in items]
    access.read("campaign_drafts", customer_ids=ids, count=len(ids))
    return DraftPage(total=total, page=page, per_page=per_page, items=[utc(d) for d in items])


@router.get(
    "/drafts/{draft_id}",
    response_model=DraftRecord,
    summary="One campaign draft",
    responses=RESPONSES,
)
def get_draft(draft_id: Id, access: CampaignAccess) -> DraftRecord:
    """One draft; 404 as for an unknown id when its customer is hidden from the key."""
    with access.services.sessions() as session:
        draft = store.get_draft(session, draft_id, access.visibility)
    access.read("open_draft", customer_id=draft.customer_id, record_id=f"draft:{draft_id}")
    return utc(draft)


def _review(access: Access, draft_id: int, action: str, **text: str) -> DraftRecord:
    with access.services.sessions() as session:
        record = store.review(
            session, draft_id, action, access.principal.actor, access.visibility, **text
        )
        session.commit()
        return utc(record)


@router.post(
    "/drafts/{draft_id}/approve",
    response_model=DraftRecord,
    summary="Approve a draft",
    responses=RESPONSES,
)
def approve_draft(draft_id: Id, access: CampaignAccess) -> DraftRecord:
    return _review(access, draft_id, "approve")


@router.post(
    "/drafts/{draft_id}/reject",
    response_model=DraftRecord,
    summary="Reject a draft",
    responses=RESPONSES,
)
def reject_draft(draft_id: Id, access: CampaignAccess) -> DraftRecord:
    return _review(access, draft_id, "reject")


@router.put(
    "/drafts/{draft_id}",
    response_model=DraftRecord,
    summary="Edit a draft's subject and body (status edited)",
    responses=RESPONSES,
)
def edit_draft(draft_id: Id, body: DraftEdit, access: CampaignAccess) -> DraftRecord:
    return _review(access, draft_id, "edit", subject=body.subject, body=body.body)


@router.post(
    "/campaigns/{campaign_id}/drafts/approve",
    response_model=BulkApproved,
    summary="Approve drafts in bulk (ids, or all of the campaign or of one step)",
    responses=RESPONSES,
)
def approve_drafts(campaign_id: Id, body: BulkApprove, access: CampaignAccess) -> BulkApproved:
    if body.ids is None and not body.all:
        raise ApiError("give ids, or all: true")
    with access.services.sessions() as session:
        n, missing = store.approve_many(
            session,
            campaign_id,
            access.principal.actor,
            ids=None if body.all else body.ids,
            step=body.step,
            visibility=access.visibility,
        )
        session.commit()
    return BulkApproved(approved=n, not_approved=missing)


@router.post(
    "/campaigns/{campaign_id}/export",
    summary="Export the approved drafts (CSV or JSONL), mark them exported, record them",
    responses={
        200: {"content": {"text/csv": {}, "application/x-ndjson": {}}},
        **RESPONSES,
    },
)
def export_campaign(
    campaign_id: Id,
    access: CampaignAccess,
    format: Literal["csv", "jsonl"] = "csv",
) -> Response:
    with access.services.sessions() as session:
        rows = export.export_ready(session, campaign_id, datetime.now(UTC), access.visibility)
        session.commit()
    if rows:
        access.services.schedule_refresh()  # index the recorded e-mails
    ids = [r["customer_id"] for r in rows]
    access.read("export_campaign", customer_ids=ids, count=len(ids))
    if format == "jsonl":
        text, media = export.to_jsonl(rows), "application/x-ndjson"
    else:
        text, media = export.to_csv(rows), "text/csv; charset=utf-8"
    name = f"campaign-{campaign_id}.{format}"
    return Response(
        text,
        media_type=media,
        headers={
            "X-Exported-Count": str(len(rows)),
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )


@router.get(
    "/outbox",
    response_model=OutboxPage,
    summary="Pull endpoint: messages exported after `since`, in the export layout",
    responses=AUTH_RESPONSES,
)
def outbox(
    access: CampaignAccess,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> OutboxPage:
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    with access.services.sessions() as session:
        items, cursor = export.outbox(session, since, limit, access.visibility)
    ids = [r["customer_id"] for r in items]
    access.read("outbox", customer_ids=ids, count=len(ids))
    if cursor is not None and cursor.tzinfo is None:
        cursor = cursor.replace(tzinfo=UTC)
    return OutboxPage(items=items, next_since=cursor)


@router.post(
    "/campaigns/results",
    response_model=ResultsReportOut,
    summary="Delivery results (sent, opened, clicked, bounced, unsubscribed)",
    responses=RESPONSES,
)
def import_results(body: ResultsIn, access: CampaignAccess) -> ResultsReportOut:
    rows = [(n, e.model_dump(mode="json")) for n, e in enumerate(body.events, 1)]
    with access.services.sessions() as session:
        out = results.import_results(session, rows, datetime.now(UTC), visibility=access.visibility)
        session.commit()
    return ResultsReportOut(**vars(out))


@router.post(
    "/campaigns/results/file",
    response_model=ResultsReportOut,
    summary="Delivery results as a CSV / JSONL file (message_id, event, occurred_at)",
    responses={**RESPONSES, 413: {"description": "File too large"}},
)
async def import_results_file(
    access: CampaignAccess,
    file: Annotated[UploadFile, File(description="CSV, JSON or JSONL")],
) -> ResultsReportOut:
    services = access.services
    suffix = FilePath(file.filename or "results.csv").suffix.lower()
    if suffix not in RESULT_TYPES:
        raise ApiError(f"only {', '.join(sorted(RESULT_TYPES))} files can be imported")
    data = await file.read(services.settings.api.max_upload_bytes + 1)
    if len(data) > services.settings.api.max_upload_bytes:
        raise TooLarge("the results file is larger than api.max_upload_bytes")
    folder = FilePath(tempfile.mkdtemp(prefix="kizuna-results-"))
    path = folder / f"results{suffix}"
    path.write_bytes(data)

    def work() -> ResultsReportOut:
        with services.sessions() as session:
            out = results.import_results_file(session, path, datetime.now(UTC), access.visibility)
            session.commit()
        return ResultsReportOut(**vars(out))

    try:
        return await services.run_cpu(work)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@router.get(
    "/campaigns/{campaign_id}/report", summary="Results per campaign and step", responses=RESPONSES
)
def campaign_report(campaign_id: Id, access: CampaignAccess) -> dict[str, Any]:
    """The report over the customers the key sees."""
    with access.services.sessions() as session:
        return report.campaign_report(session, campaign_id, access.visibility)
