"""F2 cohorts, basket lift on a tiny hand example, and CTB preferences."""

from __future__ import annotations

import pytest
from analytics_data import add_customer, add_order, rfm_company
from sqlalchemy.orm import Session, sessionmaker

from knowledge.analytics import basket_pairs, ctb, ctb_all, f2_cohorts
from knowledge.db import transaction


def test_f2_cohorts(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        rfm_company(s)
        g = add_customer(s, "Undated G")
        add_order(s, g, None, "100")
    with sessions() as s:
        cohorts = {c.cohort: c for c in f2_cohorts(s)}
        within_60 = {c.cohort: c for c in f2_cohorts(s, within_days=60)}
    # First dated orders: A 2022-12, D 2023-01, E 2023-04, C and F 2024-01, B 2024-06; G undated.
    assert list(cohorts) == ["2022-12", "2023-01", "2023-04", "2024-01", "2024-06", "undated"]
    assert {k: (c.customers, c.converted) for k, c in cohorts.items()} == {
        "2022-12": (1, 1),
        "2023-01": (1, 1),
        "2023-04": (1, 1),
        "2024-01": (2, 2),
        "2024-06": (1, 0),
        "undated": (1, 0),
    }
    # C came back after 51 days, F after 12: median 31.5.
    assert cohorts["2024-01"].median_days_to_second == 31.5
    assert cohorts["2024-06"].rate == 0.0
    # Within 60 days: A (380 days) and D (55 days) -> only D converts in its cohort.
    assert within_60["2022-12"].converted == 0
    assert within_60["2023-01"].converted == 1
    assert within_60["2023-04"].converted == 1  # E: 30 days


def _basket_orders(s: Session) -> None:
    c = add_customer(s, "Basket")

    def line(product: str, category: str) -> tuple[str, None, str, None, None, str]:
        return ("100", None, category, None, None, product)

    add_order(s, c, "2024-01-01", "200", lines=[line("A", "x"), line("B", "y")])
    add_order(s, c, "2024-01-02", "300", lines=[line("A", "x"), line("B", "y"), line("C", "y")])
    add_order(s, c, "2024-01-03", "100", lines=[line("A", "x"), line("A", "x")])
    add_order(s, c, "2024-01-04", "100", lines=[line("C", "y")])


def test_basket_lift_by_hand(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        _basket_orders(s)
    with sessions() as s:
        pairs = {(p.item_a, p.item_b): p for p in basket_pairs(s, min_support=0.25)}
        frequent = basket_pairs(s, min_support=0.3)
        categories = basket_pairs(s, by="category", min_support=0.25)
    # 4 orders; A in 3, B in 2, C in 2 (A twice in one order counts once).
    ab = pairs[("A", "B")]
    assert (ab.orders, ab.support) == (2, 0.5)
    assert ab.confidence_a_to_b == pytest.approx(2 / 3, abs=1e-6)
    assert ab.confidence_b_to_a == 1.0
    assert ab.lift == pytest.approx(2 * 4 / (3 * 2), abs=1e-6)  # 1.333
    assert pairs[("A", "C")].lift == pytest.approx(1 * 4 / (3 * 2), abs=1e-6)  # 0.667
    assert pairs[("B", "C")].lift == pytest.approx(1 * 4 / (2 * 2), abs=1e-6)  # 1.0
    assert [(p.item_a, p.item_b) for p in pairs.values()] == [("A", "B"), ("B", "C"), ("A", "C")]
    assert [(p.item_a, p.item_b) for p in frequent] == [("A", "B")]
    # Categories: x in 3 orders, y in 3, both in 2 -> lift 2 × 4 / 9.
    assert len(categories) == 1
    assert categories[0].lift == pytest.approx(8 / 9, abs=1e-6)


def test_basket_rejects_bad_support(sessions: sessionmaker[Session]) -> None:
    with sessions() as s, pytest.raises(ValueError, match="min_support"):
        basket_pairs(s, min_support=0)


def test_ctb_top_by_amount(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        c = add_customer(s, "Taste")
        add_order(
            s,
            c,
            "2024-01-01",
            "900",
            lines=[
                ("300", None, "skincare", "citrus", "Aoi", "Toner"),
                ("300", None, "skincare", "citrus", "Beni", "Serum"),
                ("300", None, "makeup", "rose", "Beni", "Rouge"),
            ],
        )
        add_order(
            s,
            c,
            "2024-02-01",
            "500",
            lines=[("500", None, "makeup", "rose", None, "Palette")],
        )
        tie = add_customer(s, "Tie")
        add_order(
            s,
            tie,
            "2024-01-01",
            "200",
            lines=[
                ("100", None, "b-cat", None, "Z", "p1"),
                ("100", None, "a-cat", None, "Y", "p2"),
            ],
        )
        cid, tie_id = c.id, tie.id
    with sessions() as s:
        prefs = ctb(s, cid)
        everyone = ctb_all(s)
    # makeup 800 > skincare 600; rose 800 > citrus 600; Beni 600 > Aoi 300 (brandless ignored).
    assert (prefs.category, prefs.taste, prefs.brand) == ("makeup", "rose", "Beni")
    assert everyone[cid] == prefs
    # Equal amounts: the value that sorts first; no taste at all: None.
    assert (everyone[tie_id].category, everyone[tie_id].taste, everyone[tie_id].brand) == (
        "a-cat",
        None,
        "Y",
    )
