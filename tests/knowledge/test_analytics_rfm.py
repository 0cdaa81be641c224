"""RFM scores, segments and LTV checked against a hand calculation (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from analytics_data import add_customer, add_order, rfm_company
from sqlalchemy.orm import Session, sessionmaker

from knowledge.analytics import score_customers, segment_summary
from knowledge.analytics.rfm import quantile_score
from knowledge.db import transaction
from knowledge.profiles import build_profile
from knowledge.settings import AnalyticsSettings

SETTINGS = AnalyticsSettings(reference_date=date(2024, 6, 30))


def test_quantile_edges() -> None:
    ten = list(range(10))
    assert [quantile_score(ten, v, 5) for v in ten] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # Smaller is better for recency: the order reverses.
    assert [quantile_score(ten, v, 5, lower_is_better=True) for v in ten] == [
        5,
        5,
        4,
        4,
        3,
        3,
        2,
        2,
        1,
        1,
    ]
    # Ties share a score (the lower bin), whatever their position.
    tied = [1, 1, 1, 1, 1, 1, 2, 3, 4, 5]
    assert {quantile_score(tied, 1, 5)} == {1}
    assert [quantile_score(tied, v, 5) for v in (2, 3, 4, 5)] == [4, 4, 5, 5]
    assert quantile_score([7, 7, 7], 7, 5) == 1
    assert quantile_score([3], 3, 5) == 1
    assert quantile_score([], 3, 5) == 1
    # Non-divisible sizes: 7 values into 3 bins -> 3, 2, 2 values per bin from the top.
    seven = list(range(7))
    assert [quantile_score(seven, v, 3) for v in seven] == [1, 1, 1, 2, 2, 3, 3]


def test_rfm_segments_match_hand_calculation(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        ids = rfm_company(s)
    with sessions() as s:
        ref, scores = score_customers(s, SETTINGS)
    assert ref == date(2024, 6, 30)
    by_id = {sc.customer_id: sc for sc in scores}
    assert ids["M"] not in by_id and ids["P"] not in by_id
    # Population (6 buyers), worked out by hand:
    #  recency days  A 10, B 5, C 121, F 150, D 242, E 426  -> R = 4, 5, 3, 2, 1, 1
    #  orders        A 3,  B 1, C 2,   F 2,   D 4,   E 2    -> F = 4, 1, 1, 1, 5, 1 (ties low)
    #  spend         A 60000, B 5000, C 15000, F 10000, D 80000, E 3000 -> M = 4, 1, 3, 2, 5, 1
    expected = {
        "A": (10, 3, "60000.00", 4, 4, 4, "champion"),
        "B": (5, 1, "5000.00", 5, 1, 1, "new"),
        "C": (121, 2, "15000.00", 3, 1, 3, "loyal"),
        "F": (150, 2, "10000.00", 2, 1, 2, "at_risk"),
        "D": (242, 4, "80000.00", 1, 5, 5, "dormant"),
        "E": (426, 2, "3000.00", 1, 1, 1, "churned"),
    }
    for key, (days, orders, spend, r, f, m, segment) in expected.items():
        rfm = by_id[ids[key]].rfm
        got = (rfm.recency_days, rfm.frequency, rfm.monetary, rfm.r, rfm.f, rfm.m, rfm.segment)
        assert got == (days, orders, Decimal(spend), r, f, m, segment), key


def test_ltv_of_hand_checked_customer(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        ids = rfm_company(s)
    with sessions() as s:
        _, scores = score_customers(s, SETTINGS)
        profile = build_profile(s, ids["A"], SETTINGS)
    ltv = {sc.customer_id: sc.ltv for sc in scores}[ids["A"]]
    # Alice: 3 orders, 60,000 spent. Margins: 4,000 (order's own) + 6,000 + 8,000 × 0.5 (lines;
    # one line without margin at the default rate) + 30,000 × 0.5 (nothing known) = 29,000.
    # Span 2022-12-31 -> 2024-06-30 = 365 + 182 = 547 days (> 365 floor).
    aov = Decimal(60000) / 3
    rate = Decimal(29000) / Decimal(60000)
    per_year = Decimal(3 * 365) / Decimal(547)
    value = (aov * rate * per_year * 3).quantize(Decimal("0.01"))
    assert value == Decimal("58053.02")  # 29,000 × 365 × 3 / 547
    assert ltv.value == value
    assert ltv.average_order_value == Decimal("20000.00")
    assert ltv.gross_margin_rate == pytest.approx(0.4833, abs=1e-4)
    assert ltv.orders_per_year == pytest.approx(2.0018, abs=1e-4)
    # The profile shows the same facts as the batch computation.
    assert profile.facts.ltv == ltv
    assert profile.facts.rfm == {sc.customer_id: sc.rfm for sc in scores}[ids["A"]]


def test_ltv_short_history_uses_span_floor(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        c = add_customer(s, "Short")
        add_order(s, c, "2024-06-01", "1000", margin="300")
        add_order(s, c, "2024-06-08", "3000", margin="900")
        cid = c.id
    with sessions() as s:
        _, scores = score_customers(s, SETTINGS)
    ltv = scores[0].ltv
    assert scores[0].customer_id == cid
    # 29 days of history count as 365: 2 orders a year, not 25.
    assert ltv.orders_per_year == 2.0
    assert ltv.value == Decimal("2000.00") * Decimal("0.3") * 2 * 3


def test_segment_summary_counts_and_revenue(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        rfm_company(s)
    with sessions() as s:
        rows = {r.segment: r for r in segment_summary(s, SETTINGS)}
    counts = {seg: r.customers for seg, r in rows.items()}
    assert counts == {
        "champion": 1,
        "loyal": 1,
        "new": 1,
        "at_risk": 1,
        "dormant": 1,
        "churned": 1,
        "prospect": 1,
    }
    assert rows["dormant"].revenue == Decimal("80000.00")
    assert rows["champion"].revenue == Decimal("60000.00")  # the merged row's order left out
    assert rows["champion"].average_ltv == Decimal("58053.02")
    assert rows["prospect"].share == pytest.approx(1 / 7, abs=1e-4)


def test_undated_orders_count_without_recency(sessions: sessionmaker[Session]) -> None:
    """The tau-bench export has no order dates: nothing crashes, documented fallbacks apply."""
    with transaction(sessions) as s:
        a = add_customer(s, "Undated A")
        add_order(s, a, None, "100")
        add_order(s, a, None, "300", margin="150")
        b = add_customer(s, "Undated B")
        add_order(s, b, None, "50")
        aid = a.id
    settings = AnalyticsSettings()  # no reference date and no dated order: none at all
    with sessions() as s:
        ref, scores = score_customers(s, settings)
        rows = {r.segment: r.customers for r in segment_summary(s, settings)}
        profile = build_profile(s, aid, settings)
    assert ref is None
    rfm = {sc.customer_id: sc.rfm for sc in scores}[aid]
    # Two scored customers: the better one has one worse value below it, 1 + floor(5 × 1/2) = 3.
    assert (rfm.recency_days, rfm.r, rfm.frequency, rfm.f, rfm.m) == (None, None, 2, 3, 3)
    assert rfm.segment == "loyal"  # recency unknown: a repeat buyer not in the top F and M bins
    assert rows["new"] == 1 and rows["loyal"] == 1
    facts = profile.facts
    assert facts.first_order_at is None and facts.last_order_at is None
    # Margin 50 (default rate on 100) + 150; span floored at 365 days: 2 orders a year.
    assert facts.ltv is not None
    assert facts.ltv.value == (Decimal(200) * Decimal(200) / Decimal(400) * 2 * 3).quantize(
        Decimal("0.01")
    )
    assert facts.f2.converted and facts.f2.days_to_second is None
