"""Small hand-made data sets for the analytics, repository and profile tests (written via ORM)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from knowledge.models import Customer, Order, OrderLine
from knowledge.normalize import name_key

# (amount, gross margin or None, category, taste, brand, product name)
Line = tuple[str, str | None, str | None, str | None, str | None, str]


def at(day: str) -> datetime:
    """Noon UTC of an ISO date: far from midnight, so the date is the same on every backend."""
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC).replace(hour=12)


def add_customer(session: Session, name: str, **fields: object) -> Customer:
    customer = Customer(name=name, name_key=name_key(name, fields.get("name_kana")), **fields)  # type: ignore[arg-type]
    session.add(customer)
    session.flush()
    return customer


def add_order(
    session: Session,
    customer: Customer,
    day: str | None,
    amount: str,
    margin: str | None = None,
    lines: list[Line] | None = None,
) -> Order:
    order = Order(
        customer_id=customer.id,
        ordered_at=at(day) if day else None,
        total_amount=Decimal(amount),
        gross_margin=Decimal(margin) if margin is not None else None,
        channel="ec",
    )
    for amt, gm, category, taste, brand, product in lines or []:
        order.lines.append(
            OrderLine(
                product_name=product,
                category=category,
                taste=taste,
                brand=brand,
                quantity=1,
                unit_price=Decimal(amt),
                amount=Decimal(amt),
                gross_margin=Decimal(gm) if gm is not None else None,
            )
        )
    session.add(order)
    session.flush()
    return order


LOTION: Line = ("70000", None, "skincare", "fresh", "Aoi", "Lotion")


def rfm_company(session: Session) -> dict[str, int]:
    """Six buyers, one prospect and one merged customer; reference date 2024-06-30.

    The expected RFM scores and segments are worked out by hand in test_analytics_rfm.py.
    """
    ids: dict[str, int] = {}
    a = add_customer(session, "Alice Hand")
    add_order(session, a, "2022-12-31", "10000", margin="4000")
    add_order(
        session,
        a,
        "2024-01-15",
        "20000",
        lines=[
            ("12000", "6000", "skincare", "fresh", "Aoi", "Lotion"),
            ("8000", None, "makeup", "floral", "Beni", "Lipstick"),
        ],
    )
    add_order(session, a, "2024-06-20", "30000")  # no margin anywhere: default rate
    cancelled = add_order(session, a, "2024-06-28", "70000", lines=[LOTION])
    cancelled.status = "Cancelled"  # excluded statuses do not count (compared lower-cased)
    ids["A"] = a.id
    b = add_customer(session, "Bob New")
    add_order(session, b, "2024-06-25", "5000")
    ids["B"] = b.id
    c = add_customer(session, "Carol Loyal")
    add_order(session, c, "2024-01-10", "7000")
    add_order(session, c, "2024-03-01", "8000")
    ids["C"] = c.id
    d = add_customer(session, "Dan Dormant")
    for day in ("2023-01-05", "2023-03-01", "2023-08-01", "2023-11-01"):
        add_order(session, d, day, "20000")
    ids["D"] = d.id
    e = add_customer(session, "Eve Churned")
    add_order(session, e, "2023-04-01", "1000")
    add_order(session, e, "2023-05-01", "2000")
    ids["E"] = e.id
    f = add_customer(session, "Frank Risk")
    add_order(session, f, "2024-01-20", "4000")
    add_order(session, f, "2024-02-01", "6000")
    ids["F"] = f.id
    ids["P"] = add_customer(session, "Pat Prospect").id
    m = add_customer(session, "Alice Hand (dup)", merged_into_id=a.id)
    add_order(session, m, "2024-06-29", "999999")  # left behind on a merged row: must not count
    ids["M"] = m.id
    return ids
