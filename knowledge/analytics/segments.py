"""RFM + LTV of every customer in one pass, and the segment summary built on it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import get_args

from sqlalchemy.orm import Session

from knowledge.analytics.base import CENT, active_customer_count, order_aggregates, reference_date
from knowledge.analytics.ltv import ltv
from knowledge.analytics.rfm import population, score
from knowledge.records import LTV, RFMScore, Segment, SegmentRow
from knowledge.settings import AnalyticsSettings


@dataclass(frozen=True)
class CustomerScore:
    """RFM and LTV of one customer with orders."""

    customer_id: int
    rfm: RFMScore
    ltv: LTV


def score_customers(
    session: Session, settings: AnalyticsSettings
) -> tuple[date | None, list[CustomerScore]]:
    """RFM, segment and LTV of every active customer with orders: one aggregate query."""
    ref = reference_date(session, settings)
    aggs = order_aggregates(session, settings)
    pop = population(aggs, ref)
    return ref, [
        CustomerScore(a.customer_id, score(a, pop, settings), ltv(a, ref, settings)) for a in aggs
    ]


def segment_summary(
    session: Session, settings: AnalyticsSettings, only: Collection[int] | None = None
) -> list[SegmentRow]:
    """Customers, revenue and average LTV per segment (every segment listed, prospects too);
    `only`: count just these (active) customers, the ones a caller may see."""
    _, scores = score_customers(session, settings)
    total = active_customer_count(session)
    if only is not None:
        scores = [s for s in scores if s.customer_id in only]
        total = len(only)
    counts: dict[str, int] = defaultdict(int)
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    ltv_sum: dict[str, Decimal] = defaultdict(Decimal)
    for s in scores:
        counts[s.rfm.segment] += 1
        revenue[s.rfm.segment] += s.rfm.monetary
        ltv_sum[s.rfm.segment] += s.ltv.value
    counts["prospect"] = total - len(scores)
    rows = []
    for segment in get_args(Segment):
        n = counts[segment]
        rows.append(
            SegmentRow(
                segment=segment,
                customers=n,
                share=round(n / total, 4) if total else 0.0,
                revenue=revenue[segment].quantize(CENT),
                average_ltv=(ltv_sum[segment] / n).quantize(CENT) if n else Decimal("0.00"),
            )
        )
    return rows
