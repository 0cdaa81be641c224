"""Feedback on generated outputs, the audit log (admin) and knowledge gaps."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import Admin, AnyRole, ServicesDep
from api.errors import AUTH_RESPONSES, NOT_FOUND, NotVisible
from api.schemas import FeedbackCreate, utc
from knowledge.apikeys import output_owner
from knowledge.journal import add_feedback, list_audit, list_gaps

router = APIRouter(tags=["journal"])


class AuditOut(BaseModel):
    output_id: str
    at: datetime
    actor: str
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
    if owner is None or (owner != principal.actor and not principal.is_admin):
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
    summary="The audit log of generations (admin)",
    responses=AUTH_RESPONSES,
)
def audit(
    _p: Admin,
    services: ServicesDep,
    customer_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditOut]:
    """Newest first: who, when, which action, which customer, cited records, model."""
    rows = list_audit(services.sessions, customer_id=customer_id, limit=limit)
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
