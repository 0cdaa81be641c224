"""Planted facts and labelled questions, collected while the scenarios write their records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from demo.catalog import catalogue
from demo.common import Ref, at, iso
from demo.interactions import interaction_source
from demo.orders import _line, _order
from demo.people import Cust, Population


@dataclass
class PlantedSpec:
    """A known fact about one customer and the records that state it (before import)."""

    id: str
    customer: Ref
    description: str
    records: list[Ref]
    facts: dict[str, Any]
    keywords: dict[str, list[str]]


@dataclass
class QuestionSpec:
    """A labelled retrieval question: its scope (a customer or the knowledge base) and answers."""

    id: str
    query: str
    language: str
    category: str  # ja | en | cross
    customer: Ref | None
    relevant: list[Ref]


@dataclass
class UnanswerableSpec:
    query: str
    language: str
    customer: Ref | None


@dataclass
class DuplicateSpec:
    """Two customer records of one person in two sources, written differently."""

    customers: tuple[Ref, Ref]
    variant: str
    matching: list[str]


@dataclass
class Plan:
    """What the scenarios planted: records per customer, facts, questions and duplicates."""

    population: Population
    interactions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    planted: list[PlantedSpec] = field(default_factory=list)
    questions: list[QuestionSpec] = field(default_factory=list)
    unanswerable: list[UnanswerableSpec] = field(default_factory=list)
    duplicates: list[DuplicateSpec] = field(default_factory=list)

    def note(self, c: Cust, rec: dict[str, Any]) -> Ref:
        """Plant one interaction record of customer c (written by interactions.record)."""
        mine = self.interactions.setdefault(c.ref.external_id, [])
        rec["external_id"] = f"{c.ref.external_id}-P{len(mine) + 1:02d}"
        mine.append(rec)
        return Ref("interaction", interaction_source(c, rec), rec["external_id"])

    def order(self, c: Cust, day: date, sku: str, quantity: int = 1) -> dict[str, Any]:
        """Plant one order of customer c (a single line), returned so texts can quote it."""
        channel = (
            "sales" if c.business == "b2b" else ("store" if c.ref.source == "demo-pos" else "ec")
        )
        o = _order(
            c,
            90 + len(c.orders),
            day,
            self.population.r,
            channel,
            [_line(catalogue().by_sku[sku], quantity)],
            "completed",
        )
        o["ordered_at"] = iso(at(day, self.population.r, 10, 21))
        c.orders.append(o)
        return o

    def plant(
        self,
        pid: str,
        c: Cust,
        description: str,
        records: list[Ref],
        facts: dict[str, Any],
        ja: list[str],
        en: list[str],
    ) -> None:
        """Record a planted fact with its records and the words a correct answer contains."""
        self.planted.append(
            PlantedSpec(pid, c.ref, description, records, facts, {"ja": ja, "en": en})
        )

    def ask(
        self,
        qid: str,
        query: str,
        language: str,
        category: str,
        c: Cust | None,
        relevant: list[Ref],
    ) -> None:
        """Add a labelled question (c None: a knowledge-base question)."""
        self.questions.append(
            QuestionSpec(qid, query, language, category, None if c is None else c.ref, relevant)
        )

    def cannot(self, query: str, language: str, c: Cust | None) -> None:
        """Add a question that no record answers."""
        self.unanswerable.append(UnanswerableSpec(query, language, None if c is None else c.ref))
