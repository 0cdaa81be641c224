"""Hybrid search pieces: scope and filter translation, fusion of the rankers, recency, spans."""

from __future__ import annotations

import functools
import math
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from retrieval.chunking import KB_CUSTOMER_ID, split_sentences
from retrieval.errors import ScopeRequired
from retrieval.types import Scope, SearchFilters

if TYPE_CHECKING:
    from knowledge.settings import RetrievalSettings

Fused = dict[str, tuple[float, tuple[str, ...]]]  # chunk id -> (score, rankers that found it)


@dataclass(frozen=True)
class Candidate:
    """One chunk as one ranker found it: its raw score (cosine, or BM25) and, for the keyword
    rankers, the share of the query's words it holds (1.0 for the vector side)."""

    chunk_id: str
    score: float
    coverage: float = 1.0
    record_id: str = ""  # the chunk's record ("" when unknown: each chunk its own record)


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


def single(sides: dict[str, list[Candidate]]) -> Fused:
    """One ranker's order as scores (keyword or vector mode): 1/(60 + rank), as RRF gives."""
    return rrf({name: [c.chunk_id for c in found] for name, found in sides.items()})


def fuse_rrf(sides: dict[str, list[Candidate]], settings: RetrievalSettings) -> Fused:
    """The earlier fusion: weighted RRF, keyword rankers scaled by coverage squared."""
    weights = {
        "keyword": settings.keyword_weight,
        "bridge": settings.bridge_weight,
    }
    return rrf(
        {name: [c.chunk_id for c in found] for name, found in sides.items()},
        settings.rrf_k,
        {
            name: {c.chunk_id: weights[name] * c.coverage**2 for c in found}
            for name, found in sides.items()
            if name in weights
        },
    )


def fuse(sides: dict[str, list[Candidate]], settings: RetrievalSettings) -> Fused:
    """Hybrid fusion of the rankers' candidates, as `settings.fusion` names it
    ("adaptive", the default, or "rrf", the earlier reciprocal rank fusion)."""
    if settings.fusion == "rrf":
        return fuse_rrf(sides, settings)
    return fuse_adaptive(sides, settings)


@dataclass(frozen=True)
class FusionWeights:
    """The adaptive fusion's constants, chosen on the demo, JaQuAD and English support sets
    (docs/retrieval.md: the sweep, and how flat the region around them is)."""

    keyword: float = 2.0  # score part: keyword z-scores (vector: 1)
    bridge: float = 1.0  # score part: bridge z-scores
    rank_share: float = 1.5  # weight of the rank part (the earlier RRF, top place = 1)
    vector_yield: float = 0.6  # share of the vector weight given up to confident keywords
    keyword_confident_gap: float = 0.2  # keyword lead over the runner-up record: full confidence
    vector_noise_floor: float = 0.05  # cosine spread below which vector differences are noise


def fuse_adaptive(
    sides: dict[str, list[Candidate]],
    settings: RetrievalSettings,
    weights: FusionWeights = FusionWeights(),
) -> Fused:
    """Score fusion with per-query weights, plus the rank fusion as a second term.

    Score part: each ranker's scores become z-scores over its candidates (clipped at 0), so a
    ranker counts by how far a chunk stands out from what it found for this query. Reciprocal
    rank fusion alone gave a noisy ranker's first place as much weight as a confident ranker's,
    and hybrid fell below its keyword side on JaQuAD. Keyword and bridge z-scores are taken
    over the whole candidate pool (a chunk a keyword ranker did not return holds none of the
    query's words: score 0) and scaled by the share of the query's words the chunk holds. The
    vector spread has a floor (`vector_noise_floor`): among a customer's few notes, cosines a
    few hundredths apart are noise, not evidence. The vector side yields part of its weight
    (`vector_yield`) when the keyword evidence is strong: the keyword side's best record holds
    the query's words and leads the runner-up record by `keyword_confident_gap` (relative).

    Rank part: the earlier weighted RRF (`fuse_rrf`), scaled so a first place counts 1: it
    rewards a chunk found by several rankers, which carries the cross-lingual bridge's
    evidence (one weak bridge hit on the right note among a customer's notes).
    """
    keyword = sides.get("keyword", [])
    confidence = 0.0
    if keyword and keyword[0].score > 0:
        gap = _record_gap(keyword) / keyword[0].score
        confidence = keyword[0].coverage * min(1.0, gap / weights.keyword_confident_gap)
    side_weights = {
        "vector": 1.0 - weights.vector_yield * confidence,
        "keyword": weights.keyword,
        "bridge": weights.bridge,
    }
    pool = max((len(candidates) for candidates in sides.values()), default=0)
    fused = {
        chunk_id: (weights.rank_share * (settings.rrf_k + 1) * score, found)
        for chunk_id, (score, found) in fuse_rrf(sides, settings).items()
    }
    for name, candidates in sides.items():
        if name == "vector":
            z_scores = _z_scores(candidates, floor=weights.vector_noise_floor)
        else:
            z_scores = _z_scores(candidates, pool=pool)
        weight = side_weights.get(name, 1.0)
        for candidate, z in zip(candidates, z_scores, strict=True):
            if name != "vector":
                z *= candidate.coverage
            score, found = fused[candidate.chunk_id]
            fused[candidate.chunk_id] = (score + weight * z, found)
    return fused


def _z_scores(candidates: list[Candidate], *, pool: int = 0, floor: float = 0.0) -> list[float]:
    """How far each candidate's score stands above the mean, in standard deviations (0 below
    it). The mean and spread are over the candidates plus zeros up to `pool` places; the
    spread is at least `floor`. A lone candidate counts 1."""
    scores = np.array([c.score for c in candidates], dtype=np.float64)
    population = np.concatenate([scores, np.zeros(max(0, pool - len(candidates)))])
    if len(population) < 2:
        return [1.0] * len(candidates)
    spread = max(float(population.std()), floor)
    if spread <= 1e-12:
        return [0.0] * len(candidates)
    return [max(0.0, z) for z in ((scores - population.mean()) / spread).tolist()]


def _record_gap(candidates: list[Candidate]) -> float:
    """The first candidate's score lead over the best candidate of another record."""
    first = candidates[0]
    for other in candidates[1:]:
        if not first.record_id or other.record_id != first.record_id:
            return first.score - other.score
    return first.score


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
    sentences = _sentence_tokens(text, tokenize)
    if len(sentences) <= 1:
        return text
    best, best_score = sentences[0][0], 0
    for sentence, tokens in sentences:
        score = len(query_tokens & tokens)
        if score > best_score:
            best, best_score = sentence, score
    return best


@functools.lru_cache(maxsize=8192)
def _sentence_tokens(text: str, tokenize: Any) -> tuple[tuple[str, frozenset[str]], ...]:
    # A chunk's sentences are tokenised once: morphological analysis of ten chunks per search
    # was the largest cost of a knowledge-base search, and the same chunks come back often.
    sentences = split_sentences(text)
    if len(sentences) <= 1:
        return tuple((s, frozenset()) for s in sentences)
    return tuple((s, frozenset(tokenize(s))) for s in sentences)
