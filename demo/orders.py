"""Orders of the demo customers: cosmetics baskets (store / EC) and software deals (sales)."""

from __future__ import annotations

from datetime import date, timedelta
from random import Random
from typing import Any

from demo.catalog import Product, catalogue
from demo.common import REFERENCE_DATE, at, iso
from demo.people import Cust

SUBSCRIPTION = "HK-ST-02"  # 定期便 基本3点セット


def _line(p: Product, quantity: int, discount: float = 0.0) -> dict[str, Any]:
    unit = round(p.price * (1 - discount))
    amount = unit * quantity
    return {
        "sku": p.sku,
        "product_name": p.name,
        "category": p.category,
        "brand": p.brand,
        "taste": p.taste,
        "quantity": quantity,
        "unit_price": unit,
        "amount": amount,
        "gross_margin": amount - p.cost * quantity,
    }


def _order(
    c: Cust, seq: int, day: date, r: Random, channel: str, lines: list[dict[str, Any]], status: str
) -> dict[str, Any]:
    prefix = {"ec": "EC", "store": "POS", "sales": "SO"}[channel]
    return {
        "external_id": f"{c.ref.external_id}-O{seq:03d}",
        "customer_external_id": c.ref.external_id,
        "order_number": f"{prefix}-{day.year}-{c.ref.external_id[-5:]}{seq:02d}",
        "ordered_at": iso(at(day, r, 10, 21)),
        "channel": channel,
        "status": status,
        "currency": "JPY",
        "total_amount": sum(line["amount"] for line in lines),
        "gross_margin": sum(line["gross_margin"] for line in lines),
        "lines": lines,
    }


def _dates(r: Random, first: date, last: date, n: int) -> list[date]:
    if n == 1:
        return [first]
    span = max((last - first).days, 1)
    middle = sorted(first + timedelta(days=r.randint(0, span)) for _ in range(n - 2))
    return [first, *middle, last]


def beauty_orders(r: Random, c: Cust) -> list[dict[str, Any]]:
    """The cosmetics orders of one customer, on dates spread over their activity window."""
    if c.first is None or c.last is None or c.n_orders == 0:
        return []
    store_first = c.ref.source == "demo-pos"
    cat = catalogue()
    orders = []
    for seq, day in enumerate(_dates(r, c.first, c.last, c.n_orders), start=1):
        channel = "store" if (r.random() < 0.85) == store_first else "ec"
        if c.profile == "champion" and channel == "ec" and r.random() < 0.7:
            lines = [_line(cat.by_sku[SUBSCRIPTION], 1, 0.1)]  # 定期便: 10 % off every delivery
        else:
            main = r.choice(c.favourites) if r.random() < 0.7 else r.choice(cat.beauty[:-1])
            lines = [_line(main, 2 if r.random() < 0.08 else 1)]
            for sku in cat.companions.get(main.sku, []):
                if r.random() < 0.35:
                    lines.append(_line(cat.by_sku[sku], 1))
            if r.random() < 0.15:
                extra = r.choice(cat.beauty[:-2])
                if extra.sku not in {line["sku"] for line in lines}:
                    lines.append(_line(extra, 1))
        status = r.choices(["completed", "returned", "cancelled"], weights=[96, 3, 1])[0]
        orders.append(_order(c, seq, day, r, channel, lines, status))
    return orders


def software_orders(r: Random, c: Cust) -> list[dict[str, Any]]:
    """A software account's deals: the first licence, yearly renewals, add-ons and services."""
    if c.first is None or c.plan is None:
        return []
    deals: list[tuple[date, list[dict[str, Any]]]] = []
    first = [_line(c.plan, c.seats, r.choice([0.0, 0.05, 0.1]))]
    if r.random() < 0.7:
        first.append(_line(catalogue().by_sku["SV-ONBOARD"], 1))
    deals.append((c.first, first))
    year = c.first + timedelta(days=365)
    seats = c.seats
    while year <= REFERENCE_DATE:
        seats = max(5, seats + r.choice([0, 0, 5, 10, -5]))
        deals.append((year, [_line(c.plan, seats, r.choice([0.0, 0.05]))]))
        year += timedelta(days=365)
    for sku in (
        "SD-SSO",
        "SS-KINTONE" if c.connector == "kintone" else "SS-SFDC",
        "SV-TRAIN",
        "SP-PREMIUM",
    ):
        if r.random() < 0.35:
            day = c.first + timedelta(days=r.randint(20, max(21, (REFERENCE_DATE - c.first).days)))
            deals.append((min(day, REFERENCE_DATE), [_line(catalogue().by_sku[sku], 1)]))
    deals.sort(key=lambda d: d[0])
    c.seats = seats
    return [
        _order(c, i, day, r, "sales", lines, "completed") for i, (day, lines) in enumerate(deals, 1)
    ]


__all__ = ["beauty_orders", "software_orders"]
