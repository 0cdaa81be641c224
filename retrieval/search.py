"""Hybrid search pieces: scope and filter translation, reciprocal rank fusion, recency, spans."""

from __future__ import annotations

import math
import re
import time
from typing import Any

import numpy as np

from retrieval.chunking import KB_CUSTOMER_ID, split_sentences
from retrieval.errors import ScopeRequired
from retrieval.types import Scope, SearchFilters


def require_scope(scope: Scope | None) -> Scope:
    """Refuse a search that does not say whose records it may see."""
    if not isinstance(scope, Scope):
        raise ScopeRequired(
            "every search needs a scope: Scope.customer(id), Scope.knowledge_base() "
            "or (admins) Scope.everything()"
        )
    return scope


def chroma_where(scope: Scope, filters: SearchFilters | None) -> dict[str, Any] | None:
    """The Chroma `where` clause enforcing the scope and filters at the index query."""
    clauses: list[dict[str, Any]] = []
    if scope.kind == "customer":
        clauses.append({"customer_id": scope.customer_id})
    elif scope.kind == "knowledge_base":
        clauses.append({"source_type": "article"})
    if filters:
        for field, values in (
            ("kind", filters.kinds),
            ("phase", filters.phases),
            ("language", filters.languages),
        ):
            if values:
                clauses.append({field: {"$in": list(values)}})
        if filters.since:
            clauses.append({"occurred_at": {"$gte": int(filters.since.timestamp())}})
        if filters.until:
            clauses.append({"occurred_at": {"$lte": int(filters.until.timestamp())}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def keyword_mask(scope: Scope, filters: SearchFilters | None) -> Any:
    """The same scope and filters for the keyword side, as a function of its metadata columns."""

    def mask(columns: dict[str, np.ndarray]) -> np.ndarray:
        if scope.kind == "customer":
            keep = columns["customer_id"] == scope.customer_id
        elif scope.kind == "knowledge_base":
            keep = columns["source_type"] == "article"
        else:
            keep = np.ones(len(columns["chunk_id"]), dtype=bool)
        if filters:
            for field, values in (
                ("kind", filters.kinds),
                ("phase", filters.phases),
                ("language", filters.languages),
            ):
                if values:
                    keep &= np.isin(columns[field], list(values))
            if filters.since:
                keep &= columns["occurred_at"] >= int(filters.since.timestamp())
            if filters.until:
                keep &= columns["occurred_at"] <= int(filters.until.timestamp())
        return keep

    return mask


def in_scope(scope: Scope, metadata: dict[str, Any]) -> bool:
    """Re-check one returned chunk against the scope (defence in depth)."""
    if scope.kind == "customer":
        return metadata.get("customer_id") == scope.customer_id and (
            metadata.get("source_type") == "interaction"
        )
    if scope.kind == "knowledge_base":
        return (
            metadata.get("source_type") == "article"
            and metadata.get("customer_id") == KB_CUSTOMER_ID
        )
    return True


def rrf(
    rankings: dict[str, list[str]],
    k: int = 60,
    weights: dict[str, dict[str, float]] | None = None,
) -> dict[str, tuple[float, tuple[str, ...]]]:
    """Reciprocal rank fusion: id -> (sum of w/(k + rank), names of the rankings that had it).

    `weights[name][id]` scales one item's contribution (default 1).
    """
    fused: dict[str, float] = {}
    found: dict[str, list[str]] = {}
    for name, ids in rankings.items():
        item_weights = (weights or {}).get(name, {})
        for rank, item in enumerate(ids, start=1):
            fused[item] = fused.get(item, 0.0) + item_weights.get(item, 1.0) / (k + rank)
            found.setdefault(item, []).append(name)
    return {i: (s, tuple(found[i])) for i, s in fused.items()}


def recency_factor(occurred_at: int, half_life_days: float, now: float | None = None) -> float:
    """Weight in (0.5, 1]: halves the age-dependent half every `half_life_days` (0: off)."""
    if half_life_days <= 0 or occurred_at <= 0:
        return 1.0
    age_days = max(0.0, ((now or time.time()) - occurred_at) / 86400)
    # Only half the score decays: an old but exact match still beats a fresh vague one.
    return 0.5 + 0.5 * math.pow(0.5, age_days / half_life_days)


_WORD = re.compile(r"\w+")


def best_span(text: str, query_tokens: set[str], tokenize: Any) -> str:
    """The sentence of a chunk sharing most keyword tokens with the query (else the first)."""
    sentences = split_sentences(text)
    if len(sentences) <= 1:
        return text
    best, best_score = sentences[0], 0.0
    for sentence in sentences:
        score = float(len(query_tokens & set(tokenize(sentence))))
        if score > best_score:
            best, best_score = sentence, score
    return best
