"""F2: has a customer come back for a second purchase, and how each first-purchase cohort converts.

A customer is converted when they have two or more orders. The first and second order dates
come from dated orders (ordered by date, then id); a customer whose orders carry no date is
in the cohort "undated". Cohorts are the month (YYYY-MM) of the first dated order; with
``within_days`` only a second order within that many days of the first counts.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge.analytics.base import counted_join, to_date
from knowledge.models import Customer, Order
from knowledge.records import F2Cohort, F2Status
from knowledge.settings import AnalyticsSettings


def _first_two(
    session: Session, customer_id: int | None, settings: AnalyticsSettings
) -> dict[int, list[datetime]]:
    """customer id -> dates of the first two dated orders (one window-function query)."""
    rank = (
        func.row_number()
        .over(partition_by=Order.customer_id, order_by=(Order.ordered_at, Order.id))
        .label("rank")
    )
    inner = (
        select(Order.customer_id, Order.ordered_at, rank)
        .join(Customer, counted_join(settings))
        .where(Order.ordered_at.is_not(None))
    )
    if customer_id is not None:
        inner = inner.where(Order.customer_id == customer_id)
    ranked = inner.subquery()
    stmt = (
        select(ranked.c.customer_id, ranked.c.ordered_at)
        .where(ranked.c.rank <= 2)
        .order_by(ranked.c.customer_id, ranked.c.rank)
    )
    dates: dict[int, list[datetime]] = defaultdict(list)
    for cid, at in session.execute(stmt):
        dates[cid].append(at)
    return dates


def _status(orders: int, dates: list[datetime]) -> F2Status:
    first = dates[0] if dates else None
    second = dates[1] if len(dates) > 1 else None
    d1, d2 = to_date(first), to_date(second)
    return F2Status(
        first_order_at=first,
        second_order_at=second,
        converted=orders >= 2,
        days_to_second=(d2 - d1).days if d1 is not None and d2 is not None else None,
    )


def f2_status(
    session: Session, customer_id: int, orders: int, settings: AnalyticsSettings | None = None
) -> F2Status:
    """F2 status of one customer, given their (counted) order count."""
    dates = _first_two(session, customer_id, settings or AnalyticsSettings())
    return _status(orders, dates.get(customer_id, []))


def f2_all(
    session: Session, order_counts: dict[int, int], settings: AnalyticsSettings | None = None
) -> dict[int, F2Status]:
    """F2 status of every customer in order_counts (customer id -> counted orders)."""
    dates = _first_two(session, None, settings or AnalyticsSettings())
    return {cid: _status(n, dates.get(cid, [])) for cid, n in order_counts.items()}


def f2_cohorts(
    session: Session, *, within_days: int | None = None, settings: AnalyticsSettings | None = None
) -> list[F2Cohort]:
    """Conversion rate per first-purchase month, oldest first ("undated" last)."""
    cfg = settings or AnalyticsSettings()
    counts = dict(
        session.execute(
            select(Order.customer_id, func.count(Order.id))
            .join(Customer, counted_join(cfg))
            .group_by(Order.customer_id)
        )
        .tuples()
        .all()
    )
    statuses = f2_all(session, counts, cfg)
    groups: dict[str, list[F2Status]] = defaultdict(list)
    for status in statuses.values():
        first = to_date(status.first_order_at)
        groups[first.strftime("%Y-%m") if first else "undated"].append(status)
    rows = []
    for cohort in sorted(groups, key=lambda c: (c == "undated", c)):
        members = groups[cohort]
        converted = [s for s in members if _converted(s, within_days)]
        days = [s.days_to_second for s in converted if s.days_to_second is not None]
        rows.append(
            F2Cohort(
                cohort=cohort,
                customers=len(members),
                converted=len(converted),
                rate=round(len(converted) / len(members), 4),
                median_days_to_second=float(statistics.median(days)) if days else None,
            )
        )
    return rows


def _converted(status: F2Status, within_days: int | None) -> bool:
    if within_days is None:
        return status.converted
    return status.days_to_second is not None and status.days_to_second <= within_days
