"""Audiences: saved conditions over customers, a live count while building, members paged.

Counts and members hold only the customers the caller sees (knowledge.visibility); a saved
audience itself is a condition, not customer data, so every marketer lists all of them.

The condition language is documented in docs/campaigns.md; an invalid condition answers 422
with code `invalid_condition` and every problem with its JSON path.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from api.access import Access
from api.deps import CampaignAccess
from api.errors import AUTH_RESPONSES, NOT_FOUND, ErrorResponse, Responses
from api.schemas import utc
from knowledge.audience_conditions import FIELDS, OPS
from knowledge.audiences import AudienceRecord, MemberPage

router = APIRouter(tags=["audiences"])
AudienceId = Annotated[int, Path(ge=1, le=2**62)]
INVALID: Responses = {
    422: {"model": ErrorResponse, "description": "Malformed request or invalid condition"}
}
CONFLICT: Responses = {
    409: {"model": ErrorResponse, "description": "An audience with that name exists"}
}
CONDITION_EXAMPLE = {
    "all": [
        {"field": "segment", "op": "in", "value": ["dormant", "at_risk"]},
        {"field": "first_order_at", "op": "within_days", "value": 30},
        {"not": {"field": "has_open_complaint", "op": "is", "value": True}},
    ]
}


class ConditionBody(BaseModel):
    condition: dict[str, Any] = Field(examples=[CONDITION_EXAMPLE])
    now: datetime | None = Field(None, description="The clock for relative dates (default: now)")


class MembersBody(ConditionBody):
    page: int = Field(1, ge=1)
    per_page: int = Field(20, ge=1, le=500)


class AudienceCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    condition: dict[str, Any] = Field(examples=[CONDITION_EXAMPLE])


class AudienceOut(AudienceRecord):
    count: int | None = None  # members now (GET /audiences/{id} and create)


class CountOut(BaseModel):
    count: int
    now: datetime


class FieldOut(BaseModel):
    name: str
    type: str
    ops: list[str]
    values: list[str] = Field(default_factory=list)
    description: str


def _now(value: datetime | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@router.get(
    "/audiences/fields",
    response_model=list[FieldOut],
    summary="The fields a condition can test, with their operators (for condition builders)",
    responses=AUTH_RESPONSES,
)
def audience_fields(_a: CampaignAccess) -> list[FieldOut]:
    """Every field with its type, operators and allowed values; custom.<key> is not listed."""
    return [
        FieldOut(
            name=name,
            type=spec.type,
            ops=list(OPS[spec.type]),
            values=list(spec.values),
            description=spec.description,
        )
        for name, spec in FIELDS.items()
    ]


@router.post(
    "/audiences/count",
    response_model=CountOut,
    summary="How many customers match a condition (the live count while building one)",
    responses={**AUTH_RESPONSES, **INVALID},
)
def count_condition(access: CampaignAccess, body: ConditionBody) -> CountOut:
    now = _now(body.now)
    return CountOut(count=_count(access, body.condition, now), now=now)


@router.post(
    "/audiences/members",
    response_model=MemberPage,
    summary="A page of the customers matching a condition (preview before saving)",
    responses={**AUTH_RESPONSES, **INVALID},
)
def preview_members(access: CampaignAccess, body: MembersBody) -> MemberPage:
    return _members(access, body.condition, _now(body.now), body.page, body.per_page)


@router.post(
    "/audiences",
    response_model=AudienceOut,
    status_code=201,
    summary="Save a named audience",
    responses={**AUTH_RESPONSES, **INVALID, **CONFLICT},
)
def create(access: CampaignAccess, body: AudienceCreate) -> AudienceOut:
    from knowledge.audiences import create_audience
    from knowledge.db import transaction

    with transaction(access.services.sessions) as session:
        saved = create_audience(
            session,
            body.name,
            body.condition,
            description=body.description,
            created_by=access.principal.actor,
        )
    n = _count(access, saved.condition, datetime.now(UTC))
    return utc(AudienceOut(**saved.model_dump(), count=n))


@router.get(
    "/audiences",
    response_model=list[AudienceOut],
    summary="Saved audiences, by name",
    responses=AUTH_RESPONSES,
)
def list_all(access: CampaignAccess) -> list[AudienceOut]:
    from knowledge.audiences import list_audiences

    with access.services.sessions() as session:
        return [utc(AudienceOut(**a.model_dump())) for a in list_audiences(session)]


@router.get(
    "/audiences/{audience_id}",
    response_model=AudienceOut,
    summary="One saved audience with its member count now",
    responses={**AUTH_RESPONSES, **NOT_FOUND},
)
def get_one(
    access: CampaignAccess,
    audience_id: AudienceId,
    now: Annotated[datetime | None, Query()] = None,
) -> AudienceOut:
    saved = _saved(access, audience_id)
    return utc(AudienceOut(**saved.model_dump(), count=_count(access, saved.condition, _now(now))))


@router.delete(
    "/audiences/{audience_id}",
    status_code=204,
    summary="Delete a saved audience",
    responses={**AUTH_RESPONSES, **NOT_FOUND},
)
def delete(access: CampaignAccess, audience_id: AudienceId) -> Response:
    from knowledge.audiences import delete_audience
    from knowledge.db import transaction

    with transaction(access.services.sessions) as session:
        delete_audience(session, audience_id)
    return Response(status_code=204)


@router.get(
    "/audiences/{audience_id}/members",
    response_model=MemberPage,
    summary="The members of a saved audience, paged (by customer id)",
    responses={**AUTH_RESPONSES, **NOT_FOUND},
)
def saved_members(
    access: CampaignAccess,
    audience_id: AudienceId,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=500)] = 50,
    now: Annotated[datetime | None, Query()] = None,
) -> MemberPage:
    condition = _saved(access, audience_id).condition
    return _members(access, condition, _now(now), page, per_page)


def _saved(access: Access, audience_id: int) -> AudienceRecord:
    from knowledge.audiences import get_audience

    with access.services.sessions() as session:
        return get_audience(session, audience_id)


def _count(access: Access, condition: dict[str, Any], now: datetime) -> int:
    """How many customers the caller sees match (commits refreshed metrics, if any)."""
    from knowledge.audiences import count
    from knowledge.db import transaction

    with transaction(access.services.sessions) as session:
        return count(session, condition, now, access.services.settings.analytics, access.visibility)


def _members(
    access: Access, condition: dict[str, Any], now: datetime, page: int, per_page: int
) -> MemberPage:
    from knowledge.audiences import members
    from knowledge.db import transaction

    with transaction(access.services.sessions) as session:
        result = members(
            session,
            condition,
            now,
            page,
            per_page,
            settings=access.services.settings.analytics,
            visibility=access.visibility,
        )
    ids = [m.customer_id for m in result.items]
    access.read("audience_members", customer_ids=ids, count=len(ids))
    return utc(result)
