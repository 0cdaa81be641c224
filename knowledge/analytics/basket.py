"""Basket analysis: which two items are bought in the same order, with support, confidence, lift.

A transaction is one counted order (not cancelled or returned) of an active customer; its
items are the distinct products (by product name) or categories on its lines. For items A
and B over N orders:
support = orders with both / N, confidence(A→B) = orders with both / orders with A,
lift = support(A,B) / (support(A) × support(B)); lift above 1 means bought together more
often than chance. Pairs below ``min_support`` are dropped in SQL (HAVING).
"""

from __future__ import annotations

import math
from typing import Literal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from knowledge.analytics.base import counted_join
from knowledge.models import Customer, Order, OrderLine
from knowledge.records import BasketPair
from knowledge.settings import AnalyticsSettings

BasketLevel = Literal["product", "category"]


def basket_pairs(
    session: Session,
    *,
    by: BasketLevel = "product",
    min_support: float = 0.01,
    limit: int = 20,
    settings: AnalyticsSettings | None = None,
) -> list[BasketPair]:
    """Item pairs bought together, highest lift first (ties: more orders, then names)."""
    if not 0 < min_support <= 1:
        raise ValueError(f"min_support must be in (0, 1], got {min_support}")
    key = OrderLine.product_name if by == "product" else OrderLine.category
    items = (
        select(OrderLine.order_id.label("order_id"), key.label("item"))
        .join(Order, Order.id == OrderLine.order_id)
        .join(Customer, counted_join(settings or AnalyticsSettings()))
        .where(key.is_not(None), key != "")
        .distinct()
        .cte("basket_items")
    )
    total = session.execute(select(func.count(func.distinct(items.c.order_id)))).scalar() or 0
    if total == 0:
        return []
    singles: dict[str, int] = dict(
        session.execute(select(items.c.item, func.count()).group_by(items.c.item)).tuples().all()
    )
    a, b = aliased(items), aliased(items)
    both = func.count()
    threshold = max(1, math.ceil(min_support * total - 1e-9))
    pair_rows = session.execute(
        select(a.c.item, b.c.item, both)
        .join(b, and_(a.c.order_id == b.c.order_id, a.c.item < b.c.item))
        .group_by(a.c.item, b.c.item)
        .having(both >= threshold)
    ).all()
    pairs = []
    for item_a, item_b, count in pair_rows:
        n_a, n_b = singles[item_a], singles[item_b]
        pairs.append(
            BasketPair(
                item_a=item_a,
                item_b=item_b,
                orders=count,
                support=round(count / total, 6),
                confidence_a_to_b=round(count / n_a, 6),
                confidence_b_to_a=round(count / n_b, 6),
                lift=round(count * total / (n_a * n_b), 6),
            )
        )
    pairs.sort(key=lambda p: (-p.lift, -p.orders, p.item_a, p.item_b))
    return pairs[:limit]
