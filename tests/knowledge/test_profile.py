"""The customer profile gathers the customer, contacts, SQL facts and the latest records."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from analytics_data import add_customer, add_order, at
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import transaction
from knowledge.errors import CustomerNotFound
from knowledge.models import Contact, Interaction, Product, SourceRecord
from knowledge.profiles import build_profile, load_population
from knowledge.settings import AnalyticsSettings

SETTINGS = AnalyticsSettings(
    reference_date=date(2024, 6, 30), profile_recent_orders=2, profile_latest_interactions=3
)


def _company(s: Session) -> dict[str, int]:
    acme = add_customer(s, "Acme 株式会社", kind="company", email="info@acme.example")
    dup = add_customer(s, "ACME", kind="company", merged_into_id=acme.id)
    s.add_all(
        [
            Contact(customer_id=acme.id, name="Sato", role="engineer"),
            Contact(customer_id=acme.id, name="Ito", role="CTO", is_decision_maker=True),
            SourceRecord(entity="customer", source="sfa", external_id="A-1", entity_id=acme.id),
            SourceRecord(entity="customer", source="ec", external_id="9", entity_id=dup.id),
        ]
    )
    product = Product(sku="SKU-1", name="Lotion", category="skincare")
    s.add(product)
    s.flush()
    add_order(
        s,
        acme,
        "2024-01-10",
        "1000",
        margin="400",
        lines=[("1000", "400", "skincare", "fresh", "Aoi", "Lotion")],
    )
    order = add_order(
        s,
        acme,
        "2024-05-01",
        "3000",
        margin="1200",
        lines=[("3000", "1200", "license", None, "Kizuna", "Seat pack")],
    )
    order.lines[0].product_id = product.id
    add_order(s, acme, "2024-06-10", "2000", margin="800")
    statuses = ["open", "pending", "closed", "resolved", "open"]
    for n, status in enumerate(statuses):
        s.add(
            Interaction(
                customer_id=acme.id,
                kind="ticket" if n % 2 == 0 else "email",
                occurred_at=at("2024-06-01") + timedelta(days=n),
                body=f"note {n}",
                status=status,
            )
        )
    other = add_customer(s, "Other")
    add_order(s, other, "2024-06-30", "50000")
    s.flush()
    return {"acme": acme.id, "dup": dup.id, "product_order": order.id}


def test_profile_contents(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        ids = _company(s)
    with sessions() as s:
        profile = build_profile(s, ids["dup"], SETTINGS)  # a merged id gives the survivor
        again = build_profile(s, ids["acme"], SETTINGS, population=load_population(s, SETTINGS))
    assert profile == again
    assert profile.customer.id == ids["acme"] and profile.customer.kind == "company"
    assert [c.name for c in profile.contacts] == ["Ito", "Sato"]  # decision maker first
    facts = profile.facts
    assert (facts.order_count, facts.total_spent) == (3, Decimal("6000.00"))
    assert facts.reference_date == date(2024, 6, 30)
    assert facts.first_order_at is not None and facts.first_order_at.date() == date(2024, 1, 10)
    assert facts.last_order_at is not None and facts.last_order_at.date() == date(2024, 6, 10)
    assert facts.rfm is not None and facts.rfm.recency_days == 20
    # Two buyers; "Other" bought later: R = 1 + floor(5 × 0/2) = 1, F = 3 -> at risk.
    assert (facts.rfm.r, facts.rfm.f, facts.rfm.segment) == (1, 3, "at_risk")
    assert facts.ltv is not None and facts.ltv.gross_margin_rate == 0.4
    assert facts.ltv.value == Decimal("7200.00")  # 2000 × 0.4 × 3/yr × 3 years
    assert (facts.ctb.category, facts.ctb.brand) == ("license", "Kizuna")
    assert facts.f2.converted and facts.f2.days_to_second == 112
    assert facts.open_tickets == 3  # open, pending, open
    assert [o.total_amount for o in profile.recent_orders] == [
        Decimal("2000.00"),
        Decimal("3000.00"),
    ]
    assert profile.recent_orders[1].lines[0].sku == "SKU-1"
    assert [i.body for i in profile.latest_interactions] == ["note 4", "note 3", "note 2"]
    assert [i.status for i in profile.open_interactions] == ["open", "pending", "open"]
    assert profile.source_ids == [("ec", "9"), ("sfa", "A-1")]


def test_profile_of_prospect_and_missing(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        pid = add_customer(s, "Nobody Bought").id
    with sessions() as s:
        profile = build_profile(s, pid, SETTINGS)
        with pytest.raises(CustomerNotFound):
            build_profile(s, pid + 1000, SETTINGS)
    facts = profile.facts
    assert facts.order_count == 0 and facts.rfm is not None
    assert facts.rfm.segment == "prospect"
    assert facts.ltv is not None and facts.ltv.value == Decimal("0.00")
    assert profile.recent_orders == [] and not facts.f2.converted


def test_population_cache_follows_new_orders(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        ids = _company(s)
    with sessions() as s:
        before = build_profile(s, ids["acme"], SETTINGS).facts.rfm
    with transaction(sessions) as s:
        # A third buyer with an older last order than Acme: Acme's recency rank improves.
        late = add_customer(s, "Late")
        add_order(s, late, "2023-01-01", "10")
    with sessions() as s:
        after = build_profile(s, ids["acme"], SETTINGS).facts.rfm
        no_cache = build_profile(
            s, ids["acme"], SETTINGS.model_copy(update={"population_cache_s": 0})
        ).facts.rfm
    assert before is not None and after is not None
    assert (before.r, after.r) == (1, 2)  # 1 + floor(5 × 1/3) = 2 with one worse buyer
    assert after == no_cache
