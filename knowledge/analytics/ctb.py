"""CTB preferences: the category, taste and brand a customer spent most on.

Computed from order lines (amount summed per customer and value); ties go to the value that
sorts first, so the answer is stable. Lines without the attribute are ignored.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from knowledge.analytics.base import counted_join
from knowledge.models import Customer, Order, OrderLine
from knowledge.records import CTBPreferences
from knowledge.settings import AnalyticsSettings

ATTRIBUTES: dict[str, InstrumentedAttribute[str | None]] = {
    "category": OrderLine.category,
    "taste": OrderLine.taste,
    "brand": OrderLine.brand,
}


def _top_values(
    session: Session,
    column: InstrumentedAttribute[str | None],
    customer_id: int | None,
    settings: AnalyticsSettings,
) -> dict[int, str]:
    """customer id -> the value of column with the largest spend (one GROUP BY)."""
    spend = func.sum(OrderLine.amount)
    # RANK keeps equal spends together; the tie is broken below in Python so that the answer
    # does not depend on the database's collation.
    rank = func.rank().over(partition_by=Order.customer_id, order_by=spend.desc())
    grouped = (
        select(
            Order.customer_id.label("cid"),
            column.label("value"),
            spend.label("spend"),
            rank.label("rank"),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .join(Customer, counted_join(settings))
        .where(column.is_not(None), column != "")
        .group_by(Order.customer_id, column)
    )
    if customer_id is not None:
        grouped = grouped.where(Order.customer_id == customer_id)
    ranked = grouped.subquery()
    stmt = select(ranked.c.cid, ranked.c.value, ranked.c.spend).where(ranked.c.rank == 1)
    best: dict[int, tuple[Decimal, str]] = {}
    for cid, value, total in session.execute(stmt):
        if value is None:  # excluded in SQL; keeps the type checker informed
            continue
        amount = Decimal(str(total or 0))
        current = best.get(cid)
        # Larger spend wins; equal spend goes to the value that sorts first.
        if current is None or amount > current[0] or (amount == current[0] and value < current[1]):
            best[cid] = (amount, value)
    return {cid: value for cid, (_, value) in best.items()}


def ctb_all(
    session: Session, settings: AnalyticsSettings | None = None
) -> dict[int, CTBPreferences]:
    """CTB preferences of every active customer with order lines (keyed by customer id)."""
    cfg = settings or AnalyticsSettings()
    tops = {name: _top_values(session, col, None, cfg) for name, col in ATTRIBUTES.items()}
    ids: set[int] = set().union(*tops.values())
    return {
        cid: CTBPreferences(**{name: tops[name].get(cid) for name in ATTRIBUTES}) for cid in ids
    }


def ctb(
    session: Session, customer_id: int, settings: AnalyticsSettings | None = None
) -> CTBPreferences:
    """CTB preferences of one customer."""
    cfg = settings or AnalyticsSettings()
    return CTBPreferences(
        **{
            name: _top_values(session, col, customer_id, cfg).get(customer_id)
            for name, col in ATTRIBUTES.items()
        }
    )
