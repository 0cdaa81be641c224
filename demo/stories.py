"""Planted stories and knowledge-base questions (data/stories_*.yaml, data/kb_questions.yaml).

A story makes one customer, their orders and records (in this order, so that the same seed draws
the same random values), then records the planted fact and the questions that point at them.
The YAML files' header comments describe the fields.
"""

from __future__ import annotations

from typing import Any

from demo.common import Ref
from demo.content import load
from demo.interactions import record
from demo.people import Cust
from demo.plan import Plan

STORY_FILES = ("stories_beauty", "stories_b2b")


def plant_stories(plan: Plan) -> None:
    """Play every planted story of the content files into the plan."""
    for name in STORY_FILES:
        for story in load(name):
            play(plan, story)


def play(plan: Plan, story: dict[str, Any]) -> None:
    """Create one story's customer, orders and records; add its fact and questions."""
    c = _customer(plan, story["customer"])
    orders = [
        plan.order(c, o["date"], o["sku"], o.get("quantity", 1)) for o in story.get("orders", [])
    ]
    values = _placeholders(c, [o["order_number"] for o in orders])
    refs = {key: _note(plan, c, rec, values) for key, rec in story["records"].items()}
    if "planted" in story:
        fact = story["planted"]
        plan.plant(
            fact["id"],
            c,
            _fill(fact["description"], values),
            [refs[k] for k in fact["records"]],
            _fill(fact["facts"], values),
            _fill(fact["keywords"]["ja"], values),
            _fill(fact["keywords"]["en"], values),
        )
    for q in story["questions"]:
        query = _fill(q["query"], values)
        plan.ask(q["id"], query, q["language"], q["category"], c, [refs[k] for k in q["records"]])
    for u in story.get("unanswerable", []):
        plan.cannot(_fill(u["query"], values), u["language"], c)


def ask_kb(plan: Plan) -> None:
    """Add the knowledge-base questions and the unanswerable ones to the plan."""
    kb = load("kb_questions")
    for q in kb["questions"]:
        relevant = [Ref("article", "demo-kb", key) for key in q["articles"]]
        plan.ask(q["id"], q["query"], q["language"], q["category"], None, relevant)
    for u in kb["unanswerable"]:
        plan.cannot(u["query"], u["language"], None)


def _customer(plan: Plan, spec: dict[str, Any]) -> Cust:
    pop = plan.population
    if spec["kind"] == "person":
        c = pop.person(spec["source"], spec["profile"])
    else:
        c = pop.company(language=spec["language"])
    c.exclude_topics |= set(spec.get("not_about", []))
    if spec.get("email_opt_out"):
        c.record["email_opt_out"] = True
    if "connector" in spec:
        c.connector = spec["connector"]
    return c


def _placeholders(c: Cust, order_numbers: list[str]) -> dict[str, str]:
    values = {"name": c.record["name"], "family": c.family}
    if c.contacts:
        first = c.contacts[0]
        values |= {
            "contact": first["name"],
            "contact_given": first["name"].split()[0],
            "contact_role": first["role"],
        }
    values |= {f"order_{i}": number for i, number in enumerate(order_numbers, 1)}
    return values


def _note(plan: Plan, c: Cust, rec: dict[str, Any], values: dict[str, str]) -> Ref:
    contact = c.contacts[rec["contact"] - 1]["external_id"] if "contact" in rec else None
    written = record(
        c,
        0,
        rec["kind"],
        rec["phase"],
        rec["channel"],
        rec["date"],
        plan.population.r,
        _fill(rec["author"], values),
        _fill(rec["subject"], values),
        _fill(rec["body"], values),
        language=rec.get("language", "ja"),
        rating=rec.get("rating"),
        status=rec.get("status"),
        contact=contact,
    )
    return plan.note(c, written)


def _fill(value: Any, values: dict[str, str]) -> Any:
    """Strings with their {placeholders} filled, in lists and mappings too."""
    if isinstance(value, str):
        return value.format_map(values)
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value
