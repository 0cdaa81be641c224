"""The retrieval service: index, check and customer-scoped hybrid search, assembled in one place."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session, sessionmaker

from knowledge.settings import RetrievalSettings
from retrieval.bridge import TermBridge
from retrieval.embedders import Embedder, make_embedder
from retrieval.erasure import KeywordPlace, VectorPlace
from retrieval.indexer import Indexer
from retrieval.keyword import KeywordIndex
from retrieval.search import (
    Candidate,
    best_span,
    chroma_where,
    fuse,
    in_scope,
    keyword_mask,
    recency_factor,
    require_scope,
    single,
)
from retrieval.tokenize import tokenize, tokenize_words
from retrieval.types import CheckReport, IndexReport, Scope, SearchFilters, SearchHit
from retrieval.vector_store import VectorStore, make_chroma_client

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "keyword", "vector"]
EXACT_SEARCH_MAX_CHUNKS = 5000  # above this, Chroma's filtered ANN query is used instead


class Retrieval:
    """Hybrid (vector + BM25) search over interactions and articles, scoped in code."""

    def __init__(
        self,
        settings: RetrievalSettings,
        sessions: sessionmaker[Session],
        embedder: Embedder,
        vectors: VectorStore,
        keywords: KeywordIndex,
        bridge: TermBridge | None = None,
        *,
        embedder_from_settings: bool = False,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.embedder = embedder
        self.vectors = vectors
        self.keywords = keywords
        self.bridge = bridge
        # True when the settings alone name the embedder, so a child process can rebuild it.
        self.embedder_from_settings = embedder_from_settings

    # -- indexing -------------------------------------------------------------------------
    def index(self, progress: bool = True) -> IndexReport:
        """Bring the index in step with SQL: new and changed records embedded, deleted removed."""
        return self._indexer().index(progress=progress)

    def reindex(self, progress: bool = True) -> IndexReport:
        """Drop both indexes and build them again from SQL."""
        self.vectors.reset()
        self.keywords.clear()
        return self._indexer().index(progress=progress)

    def check(self) -> CheckReport:
        """Report missing, orphaned and stale chunks (every SQL record indexed exactly once)."""
        return self._indexer().check()

    def customer_places(self) -> list[VectorPlace | KeywordPlace]:
        """Both indexes as places of the erasure registry (export and erasure of a customer)."""
        # A Chroma server's files are its operator's to compact (docs/SECURITY.md).
        path = None if self.settings.chroma_host else self.settings.chroma_path
        return [VectorPlace(self.vectors, path), KeywordPlace(self.keywords, self.bridge)]

    def compact(self) -> None:
        """Leave no text of deleted chunks in the index files (erasure does it every time)."""
        for place in self.customer_places():
            place.compact()

    def _indexer(self) -> Indexer:
        # Built per call from the current parts: an index may be replaced (reopened) meanwhile.
        return Indexer(
            self.settings,
            self.sessions,
            self.embedder,
            self.vectors,
            self.keywords,
            self.bridge,
            child_can_embed=self.settings.embed_process and self.embedder_from_settings,
        )

    # -- search ---------------------------------------------------------------------------
    def search(
        self,
        query: str,
        scope: Scope,
        *,
        k: int = 8,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
    ) -> list[SearchHit]:
        """The k best records (best chunk of each) for the query, inside the scope only."""
        scope = require_scope(scope)
        if mode not in ("hybrid", "keyword", "vector"):
            raise ValueError(f"mode must be hybrid, keyword or vector, not {mode!r}")
        if not query.strip() or k <= 0:
            return []
        # Several chunks of one record may rank; fetch extra so k distinct records remain.
        sides, docs, query_tokens = self.rank_sides(
            query, scope, filters=filters, mode=mode, depth=max(4 * k, 20)
        )
        fused = fuse(sides, self.settings) if mode == "hybrid" else single(sides)
        return self._hits(fused, docs, scope, set(query_tokens), k)

    def rank_sides(
        self,
        query: str,
        scope: Scope,
        *,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
        depth: int = 20,
    ) -> tuple[dict[str, list[Candidate]], dict[str, tuple[str, dict[str, Any]]], list[str]]:
        """Each ranker's candidates (best first) before fusion, the candidates' texts and
        metadata, and the query's keyword tokens. Rankers: vector, keyword, bridge."""
        sides: dict[str, list[Candidate]] = {}
        docs: dict[str, tuple[str, dict[str, Any]]] = {}
        # One morphological analysis serves the keyword tokens and the bridge's words.
        analysed = tokenize_words(query)
        query_tokens = [token for token, _ in analysed]
        bridge = self.bridge if mode == "hybrid" and self.settings.bridge_weight > 0 else None
        words = list(dict.fromkeys(word for _, word in analysed)) if bridge is not None else []
        mask = keyword_mask(scope, filters)
        known: list[dict[str, float] | None] = []
        if bridge is not None:
            known = bridge.cached(words, self.keywords)
        unmapped = [w for w, group in zip(words, known, strict=True) if group is None]
        if mode in ("hybrid", "vector"):
            # The query and the words the bridge has not mapped yet, in one encoder call.
            vectors = self.embedder.embed([query, *unmapped])
            found = self._vector_side(vectors[0], scope, filters, mask, depth)
            sides["vector"] = [
                Candidate(chunk_id, score, 1.0, str(meta.get("record_id", "")))
                for chunk_id, score, _, meta in found
            ]
            docs.update({chunk_id: (text, meta) for chunk_id, _, text, meta in found})

        def add_keyword_side(name: str, found: list[Any]) -> None:
            sides[name] = [
                Candidate(row[0], row[1], row[2], str(row[4].get("record_id", ""))) for row in found
            ]
            for chunk_id, _, _, text, meta in found:
                docs.setdefault(chunk_id, (text, meta))

        if mode in ("hybrid", "keyword"):
            add_keyword_side("keyword", self.keywords.search(query_tokens, mask, depth))
        if bridge is not None:
            # The same keyword search with the query's words mapped into the other language:
            # the keyword side's only way to find a Japanese note for an English question.
            fresh = iter(bridge.groups(unmapped, vectors[1:], self.keywords))
            groups = [group if group is not None else next(fresh) for group in known]
            add_keyword_side("bridge", self.keywords.search_terms(groups, mask, depth))
        return sides, docs, query_tokens

    def _vector_side(
        self, vector: Any, scope: Scope, filters: SearchFilters | None, mask: Any, depth: int
    ) -> list[tuple[str, float, str, dict[str, Any]]]:
        where = chroma_where(scope, filters)
        if scope.kind == "customer":
            # A customer has tens to hundreds of chunks: fetching their vectors by id and
            # scoring them exactly is far cheaper than Chroma's filtered ANN query on a large
            # collection (2 ms vs 65 ms at 100k chunks). The ids come from the keyword table;
            # the `where` still applies in Chroma, and every hit is re-checked later.
            ids = self.keywords.ids_matching(mask)
            if 0 < len(ids) <= EXACT_SEARCH_MAX_CHUNKS:
                return self.vectors.nearest_among(vector, ids, where, depth)
        else:
            # The knowledge base (a few thousand chunks, searched by everyone): its vectors
            # stay in memory for the index's current version and are scored exactly, instead
            # of a filtered ANN query per search (about 20 ms at 2,000 chunks).
            ids = self.keywords.ids_matching(mask)
            if 0 < len(ids) <= EXACT_SEARCH_MAX_CHUNKS:
                version = self.keywords.version()
                return self.vectors.nearest_cached(vector, ids, version, depth)
        return self.vectors.query(vector, where, depth)

    async def asearch(
        self,
        query: str,
        scope: Scope,
        *,
        k: int = 8,
        filters: SearchFilters | None = None,
        mode: Mode = "hybrid",
    ) -> list[SearchHit]:
        """`search` in a worker thread, so encoding never blocks an event loop."""
        return await asyncio.to_thread(self.search, query, scope, k=k, filters=filters, mode=mode)

    def _hits(
        self,
        fused: dict[str, tuple[float, tuple[str, ...]]],
        docs: dict[str, tuple[str, dict[str, Any]]],
        scope: Scope,
        query_tokens: set[str],
        k: int,
    ) -> list[SearchHit]:
        scored = []
        for chunk_id, (score, sources) in fused.items():
            if chunk_id not in docs:
                continue  # in the keyword table but not (yet) in Chroma: skip until indexed
            text, meta = docs[chunk_id]
            if not in_scope(scope, meta):
                # The index query already filtered; reaching here means a bug or a tampered
                # index. Never show it.
                log.error("scope violation dropped: chunk %s outside %s", chunk_id, scope)
                continue
            weight = recency_factor(
                int(meta.get("occurred_at", 0)), self.settings.recency_half_life_days
            )
            scored.append((score * weight, chunk_id, sources, text, meta))
        scored.sort(key=lambda item: (-item[0], item[1]))
        hits: list[SearchHit] = []
        seen: set[str] = set()
        for score, chunk_id, sources, text, meta in scored:
            record_id = str(meta["record_id"])
            if record_id in seen:
                continue
            seen.add(record_id)
            hits.append(_hit(chunk_id, record_id, score, sources, text, meta, query_tokens))
            if len(hits) == k:
                break
        return hits


def _hit(
    chunk_id: str,
    record_id: str,
    score: float,
    sources: tuple[str, ...],
    text: str,
    meta: dict[str, Any],
    query_tokens: set[str],
) -> SearchHit:
    customer = int(meta.get("customer_id", -1))
    epoch = int(meta.get("occurred_at", 0))
    return SearchHit(
        chunk_id=chunk_id,
        record_id=record_id,
        customer_id=customer if customer >= 0 else None,
        kind=str(meta.get("kind", "")),
        occurred_at=datetime.fromtimestamp(epoch, UTC) if epoch else None,
        title=str(meta.get("title") or "") or None,
        text=text,
        span=best_span(text, query_tokens, tokenize),
        score=score,
        language=str(meta.get("language") or "") or None,
        phase=str(meta.get("phase") or "") or None,
        sources=sources,
    )


def build_retrieval(
    settings: RetrievalSettings,
    sessions: sessionmaker[Session],
    *,
    embedder: Embedder | None = None,
) -> Retrieval:
    """Assemble the retrieval service: embedder, Chroma collection and keyword index."""
    from_settings = embedder is None
    embedder = embedder or make_embedder(settings)
    client = make_chroma_client(settings)
    vectors = VectorStore(client, settings.collection, embedder.name)
    # One keyword table per collection, so the two sides always describe the same set.
    keywords = KeywordIndex(Path(settings.keyword_index_path) / settings.collection)
    bridge = TermBridge(
        Path(settings.keyword_index_path) / settings.collection,
        embedder,
        min_similarity=settings.bridge_min_similarity,
        terms_per_word=settings.bridge_terms_per_word,
    )
    return Retrieval(
        settings,
        sessions,
        embedder,
        vectors,
        keywords,
        bridge,
        embedder_from_settings=from_settings,
    )
