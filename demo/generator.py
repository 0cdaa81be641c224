"""The demo data set, generated deterministically from a seed: records per source and entity,
with the planted facts, labelled questions and duplicates that refer to them."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from random import Random
from typing import Any

from demo.catalog import catalogue
from demo.common import DEFAULT_SEED
from demo.content import load
from demo.duplicates import plant_duplicates
from demo.interactions import b2b_interaction, beauty_interaction, interaction_source
from demo.orders import beauty_orders, software_orders
from demo.people import Cust, Population
from demo.plan import Plan
from demo.stories import ask_kb, plant_stories

log = logging.getLogger(__name__)

# Sizes at scale 1.0 (the issue asks for about 2,000 customers, 20,000 orders, 10,000
# interactions and 50 articles); the planted customers come on top and do not scale.
B2C_EC, B2C_POS, B2C_LEADS, B2B_ACCOUNTS, B2B_PROSPECTS = 1020, 600, 40, 270, 25
B2C_INTERACTIONS, B2B_INTERACTIONS = 6800, 3100
SOURCES = ("demo-ec", "demo-pos", "demo-sfa", "demo-support", "demo-kb")
ENTITY_ORDER = ("product", "customer", "contact", "order", "interaction", "article")


@dataclass
class DemoData:
    """Everything generated: canonical records per (source, entity), plus the plan."""

    seed: int
    scale: float
    # (source, entity, source of the customers it refers to) -> canonical records
    records: dict[tuple[str, str, str], list[dict[str, Any]]] = field(default_factory=dict)
    plan: Plan | None = None

    def batches(self) -> list[tuple[str, str, str, list[dict[str, Any]]]]:
        """(source, entity, referenced source, records), every reference imported first."""
        out = []
        for entity in ENTITY_ORDER:
            for key in sorted(k for k in self.records if k[1] == entity):
                src = key[0]
                if src in SOURCES:
                    out.append((src, entity, key[2], self.records[key]))
        return out

    def count(self, entity: str) -> int:
        """How many records of an entity, over all sources."""
        return sum(len(v) for (_, e, _), v in self.records.items() if e == entity)

    def add(self, source: str, entity: str, records: list[dict[str, Any]], refs: str = "") -> None:
        """File records under their source (refs: the source their references resolve in)."""
        if records:
            self.records.setdefault((source, entity, refs or source), []).extend(records)


def _n(base: int, scale: float) -> int:
    return max(1, round(base * scale))


def _allocate(r: Random, custs: list[Cust], total: int) -> dict[str, int]:
    """Spread total interactions over customers, more for those who buy more."""
    weights = [1.0 + min(len(c.orders), 30) * 0.35 for c in custs]
    counts = {c.ref.external_id: 0 for c in custs}
    for c in r.choices(custs, weights=weights, k=total):
        counts[c.ref.external_id] += 1
    return counts


def generate(seed: int = DEFAULT_SEED, scale: float = 1.0) -> DemoData:
    """Generate the whole demo company; the same seed and scale always give the same records."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    r = Random(seed)
    pop = Population(r)
    for _ in range(_n(B2C_EC, scale)):
        pop.person("demo-ec")
    for _ in range(_n(B2C_POS, scale)):
        pop.person("demo-pos")
    for _ in range(_n(B2C_LEADS, scale)):
        pop.person("demo-ec", "lead")
    for _ in range(_n(B2B_ACCOUNTS, scale)):
        pop.company()
    for _ in range(_n(B2B_PROSPECTS, scale)):
        pop.company("prospect")

    plan = Plan(pop)
    plant_stories(plan)
    plant_duplicates(plan)
    ask_kb(plan)

    for c in pop.customers:
        planted = c.orders
        c.orders = (
            beauty_orders(r, c) if c.business == "beauty" else software_orders(r, c)
        ) + planted
        c.orders.sort(key=lambda o: o["ordered_at"])

    data = DemoData(seed, scale, plan=plan)
    writers = {"beauty": beauty_interaction, "b2b": b2b_interaction}
    totals = {"beauty": _n(B2C_INTERACTIONS, scale), "b2b": _n(B2B_INTERACTIONS, scale)}
    for business, write in writers.items():
        custs = [c for c in pop.customers if c.business == business]
        counts = _allocate(r, custs, totals[business])
        for c in custs:
            ext = c.ref.external_id
            mine = [write(r, c, seq) for seq in range(1, counts[ext] + 1)]
            mine += plan.interactions.get(ext, [])
            mine.sort(key=lambda i: i["occurred_at"])
            for rec in mine:
                data.add(interaction_source(c, rec), "interaction", [rec], c.ref.source)
    _collect(data, pop.customers)
    log.debug(
        "generated demo data: %d customers, %d orders, %d interactions",
        data.count("customer"),
        data.count("order"),
        data.count("interaction"),
    )
    return data


def _collect(data: DemoData, customers: list[Cust]) -> None:
    """File customers, contacts, orders, products and articles under their source."""
    for c in customers:
        data.add(c.ref.source, "customer", [c.record])
        data.add(c.ref.source, "contact", c.contacts)
        data.add(c.ref.source, "order", c.orders)
    # Every source that sells a product knows it under the same SKU.
    cat = catalogue()
    for source, products in (
        ("demo-ec", cat.beauty),
        ("demo-pos", cat.beauty),
        ("demo-sfa", cat.software),
    ):
        data.add(source, "product", [p.record() for p in products])
    data.add(
        "demo-kb",
        "article",
        [
            {
                "external_id": a["key"],
                "kind": a["kind"],
                "title": a["title"],
                "body": a["body"],
                "language": a["language"],
                "tags": a["tags"],
            }
            for a in load("articles_beauty") + load("articles_software")
        ],
    )
