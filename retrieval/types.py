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


@dataclass
class IndexReport:
    """What one indexing run did."""

    records_seen: int = 0
    records_indexed: int = 0  # new or changed, (re-)embedded
    records_unchanged: int = 0
    records_deleted: int = 0  # gone from SQL, removed from the index
    chunks_upserted: int = 0
    chunks_embedded: int = 0  # fewer than upserted when only the keyword side was behind
    chunks_deleted: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0


@dataclass
class CheckReport:
    """Consistency of the index with SQL: every record indexed exactly once, up to date."""

    records: int = 0
    expected_chunks: int = 0
    vector_chunks: int = 0
    keyword_chunks: int = 0
    missing: list[str] = field(default_factory=list)  # chunk ids absent from an index
    orphaned: list[str] = field(default_factory=list)  # chunk ids with no SQL record behind
    stale: list[str] = field(default_factory=list)  # chunk ids indexed from older content

    @property
    def ok(self) -> bool:
        return not (self.missing or self.orphaned or self.stale)
