"""RFM: recency, frequency and monetary scores by quantile, and the named segments.

Scores run from 1 (worst) to ``rfm_bins`` (best). A customer's score is
``1 + floor(bins * worse / n)`` where ``worse`` is how many of the n scored customers have a
strictly worse value: equal values always share a score (ties go to the lower bin), so the
result does not depend on row order. Recency is better when smaller; frequency and monetary
when larger. Customers with no dated order have no recency and no R score.

Segments, first matching rule wins (documented in docs/analytics.md):
prospect (no orders), churned (last order more than ``churned_after_days`` ago), dormant
(more than ``dormant_after_days``), new (one order), champion (R and F in the top two bins;
F and M when recency is unknown), at_risk (R in the lower half), loyal (everyone else: repeat
buyers who bought recently).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from knowledge.analytics.base import OrderAggregate
from knowledge.records import RFMScore, Segment
from knowledge.settings import AnalyticsSettings

Number = int | float | Decimal


@dataclass(frozen=True)
class Population:
    """The sorted R, F and M values of all scored customers: what quantile scores compare to."""

    recency: list[int]
    frequency: list[int]
    monetary: list[Decimal]
    reference_date: date | None


def recency_days(agg: OrderAggregate, ref: date | None) -> int | None:
    """Days from the last dated order to the reference date (None when unknown)."""
    last = agg.last_day
    if last is None or ref is None:
        return None
    return max((ref - last).days, 0)


def population(aggs: Sequence[OrderAggregate], ref: date | None) -> Population:
    """Sort the values once; scoring one customer is then a binary search."""
    rec = [d for d in (recency_days(a, ref) for a in aggs) if d is not None]
    return Population(
        recency=sorted(rec),
        frequency=sorted(a.orders for a in aggs),
        monetary=sorted(a.spend for a in aggs),
        reference_date=ref,
    )


def quantile_score(
    ordered: Sequence[Number], value: Number, bins: int, *, lower_is_better: bool = False
) -> int:
    """Score 1..bins of value among the ascending values (ties share the lower bin)."""
    n = len(ordered)
    if n == 0:
        return 1
    # "worse" counts the values strictly worse than this one.
    worse = n - bisect_right(ordered, value) if lower_is_better else bisect_left(ordered, value)
    return 1 + min(bins - 1, math.floor(bins * worse / n))


def segment_of(
    orders: int, days: int | None, r: int | None, f: int, m: int, settings: AnalyticsSettings
) -> Segment:
    """The named segment for RFM values (rules in the module docstring)."""
    bins = settings.rfm_bins
    top = max(bins - 1, 1)  # the top two bins
    middle = math.ceil(bins / 2)
    if orders == 0:
        return "prospect"
    if days is not None and days > settings.churned_after_days:
        return "churned"
    if days is not None and days > settings.dormant_after_days:
        return "dormant"
    if orders == 1:
        return "new"
    if r is None:
        return "champion" if f >= top and m >= top else "loyal"
    if r >= top and f >= top:
        return "champion"
    if r < middle:
        return "at_risk"
    return "loyal"


def score(agg: OrderAggregate, pop: Population, settings: AnalyticsSettings) -> RFMScore:
    """RFM scores and segment of one customer against the population."""
    bins = settings.rfm_bins
    days = recency_days(agg, pop.reference_date)
    r = None if days is None else quantile_score(pop.recency, days, bins, lower_is_better=True)
    f = quantile_score(pop.frequency, agg.orders, bins)
    m = quantile_score(pop.monetary, agg.spend, bins)
    # Built from already-typed values: skip validation, it is most of the cost on 100k rows.
    return RFMScore.model_construct(
        recency_days=days,
        frequency=agg.orders,
        monetary=agg.spend,
        r=r,
        f=f,
        m=m,
        segment=segment_of(agg.orders, days, r, f, m, settings),
    )


def prospect() -> RFMScore:
    """The RFM record of a customer with no orders."""
    return RFMScore(
        recency_days=None,
        frequency=0,
        monetary=Decimal("0.00"),
        r=None,
        f=0,
        m=0,
        segment="prospect",
    )


def score_all(
    aggs: Sequence[OrderAggregate], ref: date | None, settings: AnalyticsSettings
) -> dict[int, RFMScore]:
    """RFM of every customer with orders, keyed by customer id."""
    pop = population(aggs, ref)
    return {a.customer_id: score(a, pop, settings) for a in aggs}
