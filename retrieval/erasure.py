"""The search indexes as places of the erasure registry: what they hold about a customer,
and removing it without a trace on disk (knowledge.erasure reads and erases SQL)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from retrieval.bridge import TermBridge
from retrieval.keyword import KeywordIndex
from retrieval.vector_store import VectorStore, forget_deleted


@dataclass
class VectorPlace:
    """The Chroma collection (texts, metadata, vectors; and Chroma's own write log)."""

    vectors: VectorStore
    chroma_path: str | None  # the embedded store's folder; None for a Chroma server
    name: str = "vector"

    def export(self, customer_ids: frozenset[int]) -> list[dict[str, Any]]:
        found = self.vectors.chunks_of(sorted(customer_ids))
        return [{"chunk_id": c, "text": t, "metadata": m} for c, (t, m) in sorted(found.items())]

    def erase(self, customer_ids: frozenset[int]) -> int:
        ids = sorted(self.vectors.chunks_of(sorted(customer_ids)))
        self.vectors.delete(ids)
        self.compact()
        return len(ids)

    def compact(self) -> None:
        """Leave no deleted chunk's text in the embedded store's files (`kizuna index compact`)."""
        if self.chroma_path:
            forget_deleted(self.chroma_path)


@dataclass
class KeywordPlace:
    """The keyword table, its saved BM25 models and the term bridge's cached words."""

    keywords: KeywordIndex
    bridge: TermBridge | None
    name: str = "keyword"

    def export(self, customer_ids: frozenset[int]) -> list[dict[str, Any]]:
        rows = self.keywords.chunks_of(customer_ids)
        return [{"chunk_id": c, "record_id": r, "text": t} for c, r, t in rows]

    def erase(self, customer_ids: frozenset[int]) -> int:
        ids = [c for c, _, _ in self.keywords.chunks_of(customer_ids)]
        self.keywords.delete(ids)
        self.compact()
        return len(ids)

    def compact(self) -> None:
        """Leave no deleted chunk's text in the keyword files (`kizuna index compact`)."""
        self.keywords.compact()
        if self.bridge is not None:
            self.bridge.prune(self.keywords)
