"""Audiences: who matches a condition (count, ids, a page of members), and saved audiences.

The condition language is in knowledge/audience_conditions.py, its SQL in audience_sql.py.
Only active customers (not merged into another) are members, and only those the caller sees
(`visibility`, ANDed into the same SELECT). Conditions on analytics
(segment, scores, LTV, orders, CTB) read customer_metrics, brought up to date first when
the data changed (`ensure_metrics`, in the caller's transaction: the caller commits).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge.audience_conditions import Condition, fields_used, parse_condition, to_json
from knowledge.audience_sql import METRICS_FIELDS, compile_condition
from knowledge.customer_metrics import ensure_metrics
from knowledge.errors import AudienceExists, AudienceNotFound
from knowledge.models import Audience, Customer, CustomerMetrics
from knowledge.records import Record
from knowledge.settings import AnalyticsSettings
from knowledge.visibility import EVERYTHING, Visibility

ConditionInput = Condition | dict[str, Any]
MAX_PER_PAGE = 500


class AudienceRecord(Record):
    id: int
    name: str
    description: str | None = None
    condition: dict[str, Any]
    created_by: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class AudienceMember(Record):
    customer_id: int
    name: str
    email: str | None = None
    kind: str = "person"
    region: str | None = None
    lifecycle_stage: str = "customer"
    marketing_opt_in: bool = True
    segment: str = "prospect"
    order_count: int = 0
    ltv: Decimal = Decimal("0")
    last_order_at: datetime | None = None
    favourite_category: str | None = None


class MemberPage(Record):
    total: int
    page: int
    per_page: int
    items: list[AudienceMember]


def audience_select(
    session: Session,
    condition: ConditionInput,
    now: datetime,
    settings: AnalyticsSettings | None = None,
    visibility: Visibility = EVERYTHING,
) -> Select[int]:
    """SELECT customers.id of the members the viewer sees (metrics refreshed first when the
    condition needs them)."""
    node = _parsed(condition)
    stmt = select(Customer.id).where(Customer.merged_into_id.is_(None))
    visible = visibility.customer_clause()
    if visible is not None:
        stmt = stmt.where(visible)
    if fields_used(node) & METRICS_FIELDS:
        ensure_metrics(session, settings or AnalyticsSettings())
        stmt = stmt.outerjoin(CustomerMetrics, CustomerMetrics.customer_id == Customer.id)
    return stmt.where(compile_condition(node, now))


def count(
    session: Session,
    condition: ConditionInput,
    now: datetime,
    settings: AnalyticsSettings | None = None,
    visibility: Visibility = EVERYTHING,
) -> int:
    """How many active customers the viewer sees match the condition at `now`."""
    inner = audience_select(session, condition, now, settings, visibility).subquery()
    return int(session.execute(select(func.count()).select_from(inner)).scalar() or 0)


def member_ids(
    session: Session,
    condition: ConditionInput,
    now: datetime,
    settings: AnalyticsSettings | None = None,
    visibility: Visibility = EVERYTHING,
) -> list[int]:
    """The ids of the matching customers the viewer sees, ascending."""
    stmt = audience_select(session, condition, now, settings, visibility).order_by(Customer.id)
    return list(session.execute(stmt).scalars())


def members(
    session: Session,
    condition: ConditionInput,
    now: datetime,
    page: int = 1,
    per_page: int = 50,
    settings: AnalyticsSettings | None = None,
    visibility: Visibility = EVERYTHING,
) -> MemberPage:
    """One page of members with what a marketer checks first (segment, orders, LTV, consent)."""
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"page must be >= 1 and per_page in 1..{MAX_PER_PAGE}")
    total = count(session, condition, now, settings, visibility)
    ids = audience_select(session, condition, now, settings, visibility).subquery()
    # Details for prospects too: make sure metrics exist even if the condition did not need them.
    ensure_metrics(session, settings or AnalyticsSettings())
    m = CustomerMetrics
    stmt = (
        select(
            Customer.id,
            Customer.name,
            Customer.email,
            Customer.kind,
            Customer.region,
            Customer.lifecycle_stage,
            Customer.email_opt_out,
            m.segment,
            m.order_count,
            m.ltv,
            m.last_order_at,
            m.favourite_category,
        )
        .join(ids, ids.c.id == Customer.id)
        .outerjoin(m, m.customer_id == Customer.id)
        .order_by(Customer.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    items = [
        AudienceMember(
            customer_id=row[0],
            name=row[1],
            email=row[2],
            kind=row[3],
            region=row[4],
            lifecycle_stage=row[5],
            marketing_opt_in=not row[6],
            segment=row[7] or "prospect",
            order_count=row[8] or 0,
            ltv=Decimal(str(row[9] or 0)),
            last_order_at=row[10],
            favourite_category=row[11],
        )
        for row in session.execute(stmt)
    ]
    return MemberPage(total=total, page=page, per_page=per_page, items=items)


# --- saved audiences ---------------------------------------------------------------------


def create_audience(
    session: Session,
    name: str,
    condition: ConditionInput,
    *,
    description: str | None = None,
    created_by: str | None = None,
) -> AudienceRecord:
    """Save a named audience (the condition is checked first; names are unique)."""
    name = name.strip()
    if not name:
        raise ValueError("an audience needs a name")
    node = _parsed(condition)
    if session.execute(select(Audience.id).where(Audience.name == name)).first():
        raise AudienceExists(name)
    row = Audience(
        name=name, description=description, condition=to_json(node), created_by=created_by
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as e:  # a concurrent create with the same name
        raise AudienceExists(name) from e
    return AudienceRecord.model_validate(row)


def get_audience(session: Session, audience_id: int) -> AudienceRecord:
    """One saved audience (AudienceNotFound if there is none with that id)."""
    row = session.get(Audience, audience_id)
    if row is None:
        raise AudienceNotFound(audience_id)
    return AudienceRecord.model_validate(row)


def list_audiences(session: Session) -> list[AudienceRecord]:
    """Every saved audience, by name."""
    rows = session.scalars(select(Audience).order_by(Audience.name))
    return [AudienceRecord.model_validate(r) for r in rows]


def delete_audience(session: Session, audience_id: int) -> None:
    """Delete a saved audience (AudienceNotFound if there is none with that id)."""
    row = session.get(Audience, audience_id)
    if row is None:
        raise AudienceNotFound(audience_id)
    session.delete(row)
    session.flush()


def _parsed(condition: ConditionInput) -> Condition:
    return parse_condition(condition) if isinstance(condition, dict) else condition
