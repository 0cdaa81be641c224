"""Feedback on generated outputs, the audit log (admin) and knowledge gaps."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import Admin, AnyRole, ServicesDep
from api.errors import AUTH_RESPONSES, NOT_FOUND, NotVisible
from api.schemas import FeedbackCreate, utc
from knowledge.apikeys import output_owner
from knowledge.journal import AuditQuery, add_feedback, list_audit, list_gaps

router = APIRouter(tags=["journal"])


class AuditOut(BaseModel):
    output_id: str | None  # None for a read
    at: datetime
    actor: str
    key_id: int | None
    action: str
    customer_id: int | None
    cited_records: list[str]
    model: str | None
    details: dict[str, Any]


class GapOut(BaseModel):
    question: str
    language: str | None
    count: int
    first_seen: datetime
    last_seen: datetime


class FeedbackAccepted(BaseModel):
    output_id: str
    stored: bool = True


@router.post(
    "/feedback",
    response_model=FeedbackAccepted,
    status_code=201,
    summary="Thumbs up/down, the edited final text, or a comment on a generated output",
    responses={**AUTH_RESPONSES, **NOT_FOUND},
)
def feedback(body: FeedbackCreate, principal: AnyRole, services: ServicesDep) -> FeedbackAccepted:
    """Store feedback; only on outputs this key produced (admin: any output)."""
    owner = output_owner(services.sessions, body.output_id)
    if owner is None or (owner != principal.key_id and not principal.is_admin):
        raise NotVisible(f"output {body.output_id} does not exist")
    add_feedback(
        services.sessions,
        body.output_id,
        actor=principal.actor,
        rating=body.rating,
        edited_text=body.edited_text,
        comment=body.comment,
    )
    return FeedbackAccepted(output_id=body.output_id)


@router.get(
    "/audit",
    response_model=list[AuditOut],
    summary="The audit log of generations and reads of customer data (admin)",
    responses=AUTH_RESPONSES,
)
def audit(
    _p: Admin,
    services: ServicesDep,
    customer_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    key_id: Annotated[int | None, Query(ge=1, le=2**62, description="the caller's key")] = None,
    actor: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    action: Annotated[
        str | None, Query(min_length=1, max_length=64, examples=["view_profile", "answer"])
    ] = None,
    kind: Annotated[Literal["read", "generation"] | None, Query()] = None,
    since: Annotated[datetime | None, Query(description="at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="before (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditOut]:
    """Newest first: who (key name and id), when, which action, which customer, which records
    (cited or read), model. Reads have no output_id and no model."""
    query = AuditQuery(
        customer_id=customer_id,
        key_id=key_id,
        actor=actor,
        action=action,
        kind=kind,
        since=since,
        until=until,
        limit=limit,
    )
    rows = list_audit(services.sessions, query=query)
    return [utc(AuditOut(**r.__dict__)) for r in rows]


@router.get(
    "/gaps",
    response_model=list[GapOut],
    summary="Questions the records could not answer, most frequent first (admin)",
    responses=AUTH_RESPONSES,
)
def gaps(
    _p: Admin, services: ServicesDep, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[GapOut]:
    """Knowledge gaps: what to write knowledge-base articles about next."""
    return [utc(GapOut(**g.__dict__)) for g in list_gaps(services.sessions, limit=limit)]
