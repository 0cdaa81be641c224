"""Profile facts on data that came in through knowledge.importing (canonical records, tau-bench)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.analytics import segment_summary
from knowledge.importing import import_file, import_records
from knowledge.models import Customer
from knowledge.profiles import build_profile
from knowledge.repository import find_customers
from knowledge.settings import AnalyticsSettings, ImportSettings
from tests.conftest import SHARED_DATA

IMPORTS = ImportSettings(progress=False)
TAU = SHARED_DATA / "tau-bench-retail"


def test_profile_from_canonical_records(sessions: sessionmaker[Session]) -> None:
    customers = [
        {
            "external_id": "c1",
            "kind": "person",
            "name": "山田 太郎",
            "name_kana": "ヤマダ タロウ",
            "email": "Taro@Example.JP",
            "phone": "090-1111-2222",
            "language": "ja",
        },
        {"external_id": "c2", "kind": "person", "name": "Jane Roe", "email": "jane@example.com"},
    ]
    orders = [
        {
            "external_id": "o1",
            "customer_external_id": "c1",
            "ordered_at": "2024-05-01T10:00:00+09:00",
            "channel": "store",
            "currency": "JPY",
            "lines": [
                {
                    "sku": "L-1",
                    "product_name": "化粧水",
                    "category": "skincare",
                    "brand": "Aoi",
                    "quantity": 2,
                    "unit_price": 1500,
                    "amount": 3000,
                    "gross_margin": 1800,
                }
            ],
        },
        {
            "external_id": "o2",
            "customer_external_id": "c1",
            "ordered_at": "2024-06-01T15:00:00+09:00",
            "channel": "ec",
            "currency": "JPY",
            "total_amount": 5000,
            "gross_margin": 2000,
            "lines": [
                {
                    "sku": "M-1",
                    "product_name": "口紅",
                    "category": "makeup",
                    "brand": "Beni",
                    "quantity": 1,
                    "unit_price": 5000,
                    "amount": 5000,
                }
            ],
        },
        {
            "external_id": "o3",
            "customer_external_id": "c2",
            "ordered_at": "2024-06-30T12:00:00Z",
            "channel": "ec",
            "currency": "JPY",
            "total_amount": 100,
        },
    ]
    for entity, records in (("customer", customers), ("order", orders)):
        report = import_records(sessions, records, source="test", entity=entity, settings=IMPORTS)
        assert report.rejected == 0, report.rejected_rows
    settings = AnalyticsSettings()  # reference date: the latest order, 2024-06-30
    with sessions() as s:
        (found,) = find_customers(s, "やまだ たろう")
        profile = build_profile(s, found.id, settings)
        assert [c.id for c in find_customers(s, "09011112222")] == [found.id]
    facts = profile.facts
    assert facts.reference_date == date(2024, 6, 30)
    assert (facts.order_count, facts.total_spent) == (2, Decimal("8000.00"))
    assert facts.rfm is not None and facts.rfm.recency_days == 29
    assert facts.ltv is not None and facts.ltv.gross_margin_rate == pytest.approx(3800 / 8000)
    assert facts.ltv.value == Decimal("11400.00")  # 4000 × 0.475 × 2/yr × 3
    assert (facts.ctb.category, facts.ctb.brand) == ("makeup", "Beni")
    assert facts.f2.converted and facts.f2.days_to_second == 31
    assert ("test", "c1") in profile.source_ids
    assert profile.recent_orders[0].lines[0].product_name == "口紅"


def test_tau_bench_segments_without_dates(sessions: sessionmaker[Session]) -> None:
    """The tau-bench export has no order dates: the summary still accounts for every customer."""
    import_file(sessions, TAU, source="tau", mapping="tau-bench-retail", settings=IMPORTS)
    with sessions() as s:
        rows = segment_summary(s, AnalyticsSettings())
        total = s.execute(select(func.count(Customer.id))).scalar()
    assert total == 500
    assert sum(r.customers for r in rows) == 500
    by = {r.segment: r.customers for r in rows}
    assert by["at_risk"] == by["dormant"] == by["churned"] == 0  # no recency without dates
    assert by["prospect"] > 0 and by["new"] > 0
