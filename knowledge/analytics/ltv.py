"""LTV = average order value × gross-margin rate × orders per year × expected years.

- average order value: spend / orders (all orders, dated or not);
- gross-margin rate: margin / spend, where an order's margin is its own ``gross_margin``, else
  the sum of its lines' margins, else ``default_gross_margin_rate`` × its amount;
- orders per year: orders × 365 / span, the span running from the first dated order to the
  reference date and never shorter than ``ltv_min_span_days`` (a customer who bought twice last
  week is not a 100-orders-a-year customer); without any dated order the span is the floor;
- expected years: ``ltv_expected_years``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from knowledge.analytics.base import CENT, OrderAggregate
from knowledge.records import LTV
from knowledge.settings import AnalyticsSettings


def span_days(agg: OrderAggregate, ref: date | None, settings: AnalyticsSettings) -> int:
    """Days the customer has been buying, floored at ltv_min_span_days."""
    first = agg.first_day
    days = (ref - first).days if first is not None and ref is not None else 0
    return max(days, settings.ltv_min_span_days, 1)


def ltv(agg: OrderAggregate, ref: date | None, settings: AnalyticsSettings) -> LTV:
    """The LTV of one customer from their order aggregate."""
    if agg.orders == 0:
        return LTV(
            average_order_value=Decimal("0.00"),
            gross_margin_rate=settings.default_gross_margin_rate,
            orders_per_year=0.0,
            expected_years=settings.ltv_expected_years,
            value=Decimal("0.00"),
        )
    aov = agg.spend / agg.orders
    if agg.spend > 0:
        rate = agg.margin / agg.spend
    else:
        rate = Decimal(str(settings.default_gross_margin_rate))
    per_year = Decimal(agg.orders * 365) / Decimal(span_days(agg, ref, settings))
    years = Decimal(str(settings.ltv_expected_years))
    # Built from already-typed values: skip validation (it dominates on 100k customers).
    return LTV.model_construct(
        average_order_value=aov.quantize(CENT),
        gross_margin_rate=round(float(rate), 4),
        orders_per_year=round(float(per_year), 4),
        expected_years=settings.ltv_expected_years,
        value=(aov * rate * per_year * years).quantize(CENT),
    )


def ltv_all(
    aggs: Sequence[OrderAggregate], ref: date | None, settings: AnalyticsSettings
) -> dict[int, LTV]:
    """LTV of every customer with orders, keyed by customer id."""
    return {a.customer_id: ltv(a, ref, settings) for a in aggs}
