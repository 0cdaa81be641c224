"""Per campaign and step: how many entered, were drafted, approved, exported, opened,
clicked, converted, and the revenue, with the control group's conversion and the uplift.

A conversion is an order by the customer within `attribution_days` after the exported
message (control: after the step's due time); an order counts once per step and once in
the total, however many messages preceded it. The report counts only the customers the
viewer sees.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.campaigns.models import DeliveryEvent, Enrolment, Message
from knowledge.campaigns.records import EVENTS
from knowledge.campaigns.store import campaign_row, definition_of, seen
from knowledge.models import Order
from knowledge.visibility import EVERYTHING, Visibility

_APPROVED = ("approved", "edited", "exported")
_DRAFTED = ("draft", "rejected", *_APPROVED)


@dataclass
class _Tally:
    audience: int = 0
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    treated: dict[int, datetime] = field(default_factory=dict)  # customer -> exported at
    control: dict[int, datetime] = field(default_factory=dict)  # customer -> due at


def campaign_report(
    session: Session, campaign_id: int, visibility: Visibility = EVERYTHING
) -> dict[str, Any]:
    """The report as plain data (docs/api.md, "Campaigns")."""
    row = campaign_row(session, campaign_id)
    definition = definition_of(row)
    window = timedelta(days=definition.attribution_days)
    steps = [_Tally() for _ in definition.steps]
    total = _Tally()
    total.audience = _enrolled(session, campaign_id, visibility)
    messages = list(
        session.scalars(
            select(Message).where(
                Message.campaign_id == campaign_id, *seen(Message.customer_id, visibility)
            )
        )
    )
    events = _events(session, [m.id for m in messages])
    for m in messages:
        t = steps[m.step_index]
        if m.skip_reason == "holdout":
            t.control[m.customer_id] = _utc(m.scheduled_at)
            total.control.setdefault(m.customer_id, _utc(m.scheduled_at))
            continue
        if m.status == "skipped":
            continue
        t.audience += 1
        for tally in (t, total):
            if m.status in _DRAFTED:
                tally.counts["drafted"] += 1
            if m.status in _APPROVED:
                tally.counts["approved"] += 1
            for event in events.get(m.id, ()):
                tally.counts[event] += 1
        if m.status == "exported" and m.exported_at is not None:
            t.treated[m.customer_id] = _utc(m.exported_at)
            total.counts["exported"] += 1
            t.counts["exported"] += 1
            if m.customer_id not in total.treated:
                total.treated[m.customer_id] = _utc(m.exported_at)
    orders = _orders(session, {m.customer_id for m in messages})
    out_steps = [
        _step_out(i, definition.steps[i].purpose, t, orders, window) for i, t in enumerate(steps)
    ]
    return {
        "campaign_id": row.id,
        "name": row.name,
        "attribution_days": definition.attribution_days,
        "holdout_percent": definition.holdout_percent,
        "total": _step_out(None, None, total, orders, window),
        "steps": out_steps,
    }


def _step_out(
    index: int | None,
    purpose: str | None,
    t: _Tally,
    orders: dict[int, list[tuple[datetime, Decimal]]],
    window: timedelta,
) -> dict[str, Any]:
    converted, revenue = _conversions(t.treated, orders, window)
    exported = t.counts.get("exported", 0)
    rate = converted / exported if exported else None
    control = None
    uplift = None
    if t.control:
        c_conv, _ = _conversions(t.control, orders, window)
        c_rate = c_conv / len(t.control)
        control = {"customers": len(t.control), "converted": c_conv, "conversion_rate": c_rate}
        uplift = round((rate - c_rate) * 100, 2) if rate is not None else None
    return {
        "step_index": index,
        "purpose": purpose,
        "audience": t.audience,
        "drafted": t.counts.get("drafted", 0),
        "approved": t.counts.get("approved", 0),
        "exported": exported,
        **{e: t.counts.get(e, 0) for e in EVENTS},
        "converted": converted,
        "revenue": float(revenue),
        "conversion_rate": rate,
        "control": control,
        "uplift": uplift,
    }


def _conversions(
    starts: dict[int, datetime],
    orders: dict[int, list[tuple[datetime, Decimal]]],
    window: timedelta,
) -> tuple[int, Decimal]:
    """(customers with an order within the window after their start, those orders' total)."""
    converted = 0
    revenue = Decimal(0)
    for cid, start in starts.items():
        hits = [amount for at, amount in orders.get(cid, []) if start < at <= start + window]
        if hits:
            converted += 1
            revenue += sum(hits, Decimal(0))
    return converted, revenue


def _enrolled(session: Session, campaign_id: int, visibility: Visibility) -> int:
    return len(
        list(
            session.scalars(
                select(Enrolment.id).where(
                    Enrolment.campaign_id == campaign_id,
                    Enrolment.holdout.is_(False),
                    *seen(Enrolment.customer_id, visibility),
                )
            )
        )
    )


def _events(session: Session, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if ids:
        rows = session.execute(
            select(DeliveryEvent.message_id, DeliveryEvent.event).where(
                DeliveryEvent.message_id.in_(ids)
            )
        )
        for mid, event in rows:
            out[mid].append(event)
    return out


def _orders(session: Session, ids: set[int]) -> dict[int, list[tuple[datetime, Decimal]]]:
    out: dict[int, list[tuple[datetime, Decimal]]] = defaultdict(list)
    if ids:
        rows = session.execute(
            select(Order.customer_id, Order.ordered_at, Order.total_amount).where(
                Order.customer_id.in_(list(ids)), Order.ordered_at.is_not(None)
            )
        )
        for cid, at, amount in rows:
            if at is not None:
                out[cid].append((_utc(at), Decimal(amount or 0)))
    return out


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
