"""Campaigns, drafts and runs in SQL: create, read, review (approve / edit / reject), progress.

Functions take a Session and leave the commit to the caller, as everywhere in knowledge/.
What concerns customers (counts, drafts) takes the caller's `visibility`: a draft of a
customer the caller cannot see is not counted, not listed, and not found (CampaignNotFound).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from knowledge.campaigns.definition import CampaignDefinition, parse_definition
from knowledge.campaigns.models import Campaign, CampaignRun, DeliveryEvent, Enrolment, Message
from knowledge.campaigns.records import (
    DRAFT_STATUSES,
    CampaignRecord,
    DraftRecord,
    RunRecord,
)
from knowledge.errors import CampaignError, CampaignNotFound, CustomerNotFound
from knowledge.visibility import EVERYTHING, Visibility

REVIEWABLE = ("draft", "approved", "edited")  # what a person may still change
READY = ("approved", "edited")  # what export takes


def create_campaign(session: Session, data: Any, actor: str | None) -> CampaignRecord:
    """Validate and store a campaign; CampaignError for a bad definition or a taken name."""
    definition = parse_definition(data)
    if session.scalar(select(Campaign.id).where(Campaign.name == definition.name)) is not None:
        raise CampaignError(f"name: a campaign named {definition.name!r} exists")
    row = Campaign(
        name=definition.name, definition=definition.model_dump(mode="json"), created_by=actor
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as e:
        raise CampaignError(f"name: a campaign named {definition.name!r} exists") from e
    return campaign_record(session, row)


def campaign_row(session: Session, campaign_id: int) -> Campaign:
    row = session.get(Campaign, campaign_id)
    if row is None:
        raise CampaignNotFound(f"campaign {campaign_id}")
    return row


def definition_of(row: Campaign) -> CampaignDefinition:
    return CampaignDefinition.model_validate(row.definition)


def get_campaign(
    session: Session, campaign_id: int, visibility: Visibility = EVERYTHING
) -> CampaignRecord:
    return campaign_record(session, campaign_row(session, campaign_id), visibility)


def list_campaigns(session: Session, visibility: Visibility = EVERYTHING) -> list[CampaignRecord]:
    rows = session.scalars(select(Campaign).order_by(Campaign.id))
    return [campaign_record(session, r, visibility) for r in rows]


def campaign_record(
    session: Session, row: Campaign, visibility: Visibility = EVERYTHING
) -> CampaignRecord:
    """The campaign with its counts over the customers the viewer sees."""
    counts: dict[str, int] = dict.fromkeys(
        ("enrolled", "active", "holdout", "exited", *DRAFT_STATUSES), 0
    )
    for exited, holdout, n in session.execute(
        select(Enrolment.exited_at.is_not(None), Enrolment.holdout, func.count())
        .where(Enrolment.campaign_id == row.id, *seen(Enrolment.customer_id, visibility))
        .group_by(Enrolment.exited_at.is_not(None), Enrolment.holdout)
    ):
        counts["enrolled"] += n
        counts["exited" if exited else "active"] += n
        counts["holdout"] += n if holdout else 0
    for status, n in session.execute(
        select(Message.status, func.count())
        .where(Message.campaign_id == row.id, *seen(Message.customer_id, visibility))
        .group_by(Message.status)
    ):
        counts[status] = n
    return CampaignRecord(
        id=row.id,
        name=row.name,
        definition=row.definition,
        created_by=row.created_by,
        created_at=row.created_at,
        counts=counts,
    )


def list_drafts(
    session: Session,
    campaign_id: int,
    *,
    statuses: list[str] | None = None,
    step: int | None = None,
    page: int = 1,
    per_page: int = 50,
    visibility: Visibility = EVERYTHING,
) -> tuple[int, list[DraftRecord]]:
    """(total, one page) of a campaign's messages the viewer sees; default all but queued and
    skipped."""
    row = campaign_row(session, campaign_id)
    wanted = statuses or [s for s in DRAFT_STATUSES if s not in ("queued", "skipped")]
    where = [
        Message.campaign_id == campaign_id,
        Message.status.in_(wanted),
        *seen(Message.customer_id, visibility),
    ]
    if step is not None:
        where.append(Message.step_index == step)
    total = session.scalar(select(func.count()).select_from(Message).where(*where)) or 0
    rows = list(
        session.scalars(
            select(Message)
            .where(*where)
            .order_by(Message.step_index, Message.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return total, _records(session, rows, definition_of(row))


def get_draft(
    session: Session, message_id: int, visibility: Visibility = EVERYTHING
) -> DraftRecord:
    msg = _message(session, message_id, visibility)
    return _records(session, [msg], definition_of(campaign_row(session, msg.campaign_id)))[0]


def review(
    session: Session,
    message_id: int,
    action: str,
    actor: str,
    visibility: Visibility = EVERYTHING,
    **text: str,
) -> DraftRecord:
    """approve | reject | edit one draft; CampaignError when its status does not allow it."""
    msg = _message(session, message_id, visibility)
    if msg.status not in REVIEWABLE:
        raise CampaignError(f"draft {message_id} is {msg.status}: it cannot be {action}ed")
    if action == "approve":
        msg.status = "edited" if msg.status == "edited" else "approved"
    elif action == "reject":
        msg.status = "rejected"
    elif action == "edit":
        msg.subject, msg.body = text["subject"], text["body"]
        msg.status = "edited"
    else:
        raise ValueError(f"unknown review action {action!r}")  # a bug, not user input
    msg.reviewed_by = actor
    session.flush()
    return get_draft(session, message_id, visibility)


def approve_many(
    session: Session,
    campaign_id: int,
    actor: str,
    *,
    ids: list[int] | None = None,
    step: int | None = None,
    visibility: Visibility = EVERYTHING,
) -> tuple[int, list[int]]:
    """Approve the campaign's drafts the viewer sees (the given ids, else all, or all of one
    step): (how many approved, the given ids that were not such drafts of this campaign)."""
    campaign_row(session, campaign_id)
    where = [
        Message.campaign_id == campaign_id,
        Message.status == "draft",
        *seen(Message.customer_id, visibility),
    ]
    if ids is not None:
        where.append(Message.id.in_(ids))
    if step is not None:
        where.append(Message.step_index == step)
    rows = list(session.scalars(select(Message).where(*where)))
    for msg in rows:
        msg.status = "approved"
        msg.reviewed_by = actor
    session.flush()
    done = {m.id for m in rows}
    return len(rows), [i for i in (ids or []) if i not in done]


def seen(customer_id: InstrumentedAttribute[int], visibility: Visibility) -> list[Any]:
    """WHERE terms keeping the rows about customers the viewer sees (none when it sees all)."""
    clause = visibility.rows_clause(customer_id)
    return [] if clause is None else [clause]


def _message(session: Session, message_id: int, visibility: Visibility) -> Message:
    """A draft the viewer sees; a hidden customer's draft is not found, as an unknown id."""
    msg = session.get(Message, message_id)
    if msg is None or msg.status in ("queued", "skipped"):
        raise CampaignNotFound(f"draft {message_id}")
    if not sees_message(session, msg, visibility):
        raise CampaignNotFound(f"draft {message_id}")
    return msg


def sees_message(session: Session, msg: Message, visibility: Visibility) -> bool:
    """Whether the viewer sees the customer a message is for."""
    if visibility.sees_all:
        return True
    try:
        visibility.require(session, msg.customer_id)
    except CustomerNotFound:
        return False
    return True


def _records(
    session: Session, rows: list[Message], definition: CampaignDefinition
) -> list[DraftRecord]:
    events: dict[int, list[str]] = {}
    if rows:
        for mid, event in session.execute(
            select(DeliveryEvent.message_id, DeliveryEvent.event)
            .where(DeliveryEvent.message_id.in_([m.id for m in rows]))
            .order_by(DeliveryEvent.occurred_at)
        ):
            events.setdefault(mid, []).append(event)
    return [
        DraftRecord.model_validate(
            {
                **{c: getattr(m, c) for c in _COLUMNS},
                "purpose": definition.steps[m.step_index].purpose,
                "events": events.get(m.id, []),
            }
        )
        for m in rows
    ]


_COLUMNS = [c for c in DraftRecord.model_fields if c not in ("purpose", "events")]


# --- runs (background drafting jobs) ------------------------------------------------------


def create_run(
    session: Session, run_id: str, campaign_id: int, clock: datetime, code_only: bool, actor: str
) -> None:
    session.add(
        CampaignRun(
            id=run_id,
            campaign_id=campaign_id,
            status="queued",
            clock=clock,
            code_only=code_only,
            started_by=actor,
            started_at=datetime.now(UTC),
        )
    )
    session.flush()


def get_run(session: Session, run_id: str) -> RunRecord:
    run = session.get(CampaignRun, run_id)
    if run is None:
        raise CampaignNotFound(f"job {run_id}")
    data = {c: getattr(run, c) for c in RunRecord.model_fields if c != "job_id"}
    return RunRecord.model_validate({**data, "job_id": run.id})


def update_run(session: Session, run_id: str, **changes: Any) -> None:
    run = session.get(CampaignRun, run_id)
    if run is None:
        raise CampaignNotFound(f"job {run_id}")
    for key, value in changes.items():
        setattr(run, key, value)
    if changes.get("status") in ("done", "failed", "cancelled"):
        run.finished_at = datetime.now(UTC)
    session.flush()


def request_cancel(session: Session, run_id: str) -> RunRecord:
    """Ask a run to stop after the draft in progress (a finished run stays as it is)."""
    run = session.get(CampaignRun, run_id)
    if run is None:
        raise CampaignNotFound(f"job {run_id}")
    if run.status in ("queued", "running"):
        run.cancel_requested = True
    session.flush()
    return get_run(session, run_id)


def cancel_requested(session: Session, run_id: str) -> bool:
    return bool(
        session.scalar(select(CampaignRun.cancel_requested).where(CampaignRun.id == run_id))
    )


def active_run(session: Session, campaign_id: int) -> str | None:
    """The id of the campaign's queued or running run, if any."""
    return session.scalar(
        select(CampaignRun.id).where(
            CampaignRun.campaign_id == campaign_id,
            CampaignRun.status.in_(("queued", "running")),
        )
    )
