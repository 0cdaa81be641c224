"""Typed inputs and outputs of retrieval: scopes, filters and search hits."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

ScopeKind = Literal["customer", "knowledge_base", "global"]


@dataclass(frozen=True)
class Scope:
    """Whose records a search may see. Required on every search; never inferred by a model."""

    kind: ScopeKind
    customer_id: int | None = None

    def __post_init__(self) -> None:
        if self.kind == "customer" and self.customer_id is None:
            raise ValueError("a customer scope needs a customer_id")
        if self.kind != "customer" and self.customer_id is not None:
            raise ValueError(f"a {self.kind} scope takes no customer_id")

    @classmethod
    def customer(cls, customer_id: int) -> Scope:
        return cls("customer", customer_id)

    @classmethod
    def knowledge_base(cls) -> Scope:
        return cls("knowledge_base")

    @classmethod
    def everything(cls) -> Scope:
        """Admin-only: all customers and the knowledge base."""
        return cls("global")


@dataclass(frozen=True)
class SearchFilters:
    kinds: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class SearchHit:
    """One retrieved chunk, with enough to cite it."""

    chunk_id: str  # interaction:{id}:{n} | article:{id}:{n}
    record_id: str  # interaction:{id} | article:{id}
    customer_id: int | None  # None for knowledge-base articles
    kind: str
    occurred_at: datetime | None
    title: str | None
    text: str  # the chunk text
    span: str  # the best matching sentence(s) inside the chunk
    score: float
    language: str | None = None
    phase: str | None = None
    sources: tuple[str, ...] = field(default=())  # which rankers found it: vector, keyword
