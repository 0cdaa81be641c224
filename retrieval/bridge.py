"""The cross-lingual bridge of the keyword side: query words mapped to indexed terms of the
other language through the multilingual embedder.

BM25 cannot match "refund" to a note saying 返金. The embedder places single words of both
languages in one space, so every indexed term is embedded once (vectors cached in
`terms.db` beside the keyword table, per embedder) and each query word is mapped to its
nearest terms written in the other script. The mapped terms are searched with BM25 like any
keyword query and fused as a third ranking. Latin terms are stems ("invoic"), which embed
badly, so each is embedded through its most frequent word in the indexed texts ("invoices").
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.erasure.service import vacuum_sqlite
from retrieval.blas import one_blas_thread
from retrieval.embedders import Embedder
from retrieval.errors import IndexUnavailable
from retrieval.keyword import KeywordIndex
from retrieval.tokenize import latin_words

log = logging.getLogger(__name__)

EMBED_BATCH = 512
WORD_CACHE_SIZE = 50000  # query words whose mapping is kept (per vocabulary version)


@dataclass
class _Side:
    terms: list[str]
    vectors: np.ndarray  # one L2-normalised row per term


@dataclass
class _Loaded:
    version: int
    embedder: str
    latin: _Side
    other: _Side


def _is_latin(term: str) -> bool:
    return term.isascii()


def _bridgeable(term: str, frequency: int, min_frequency: int) -> bool:
    # Numbers and one-letter terms have no meaning to carry across; a term seen in a single
    # chunk is mostly a name or a typo, and its high IDF would make any mapping to it loud.
    return frequency >= min_frequency and not term.isdigit() and len(term) > 1


class TermBridge:
    """Maps a query's words to weighted terms of the other script for the keyword index."""

    def __init__(
        self,
        path: str | Path,
        embedder: Embedder,
        *,
        min_similarity: float = 0.65,
        terms_per_word: int = 1,
        min_frequency: int = 2,
    ) -> None:
        self.embedder = embedder
        self.min_similarity = min_similarity
        self.terms_per_word = terms_per_word
        self.min_frequency = min_frequency
        try:
            Path(path).mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(Path(path) / "terms.db", check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS terms (embedder TEXT NOT NULL, term TEXT NOT NULL, "
                "vector BLOB NOT NULL, PRIMARY KEY (embedder, term))"
            )
        except (OSError, sqlite3.Error) as e:
            raise IndexUnavailable(f"cannot open the term bridge at {path}") from e
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None
        # Every term vector read or embedded so far, and the embedder they belong to.
        self._vectors: dict[str, np.ndarray] = {}
        self._vectors_of = embedder.name
        # Query word -> its mapped terms, for the loaded vocabulary: words recur across
        # questions, and a cached word needs neither encoding nor a pass over the vocabulary.
        self._mapped: dict[str, dict[str, float]] = {}
        self._mapped_for: _Loaded | None = None

    def refresh(self, keywords: KeywordIndex) -> int:
        """Embed the indexed terms that have no vector yet; returns how many were embedded."""
        with self._lock:
            return self._load(keywords)[1]

    def cached(self, words: list[str], keywords: KeywordIndex) -> list[dict[str, float] | None]:
        """The mapping of each word already computed for the current vocabulary (else None):
        only the others need embedding and `groups`."""
        with self._lock:
            loaded = self._load(keywords)[0]
            if self._mapped_for is not loaded:
                return [None] * len(words)
            return [self._mapped.get(w) for w in words]

    def groups(
        self, words: list[str], vectors: np.ndarray, keywords: KeywordIndex
    ) -> list[dict[str, float]]:
        """For each query word (with its vector, embedded with the query), its nearest indexed
        terms of the other script with their similarity (only those above `min_similarity`;
        none: an empty group, so a chunk matching only the mapped generic words of a question
        is not taken as a full match)."""
        if not words:
            return []
        with self._lock:
            loaded = self._load(keywords)[0]
        vectors = np.asarray(vectors, dtype=np.float32)
        latin = np.array([_is_latin(w) for w in words])
        out: list[dict[str, float]] = [{} for _ in words]
        # One matrix product per side for all the words: the vocabulary may hold tens of
        # thousands of terms. Latin words map to the other side's terms and the reverse.
        for side, rows in (
            (loaded.other, np.flatnonzero(latin)),
            (loaded.latin, np.flatnonzero(~latin)),
        ):
            if not (rows.size and side.terms):
                continue
            with one_blas_thread():
                products = vectors[rows] @ side.vectors.T
            for row, scores in zip(rows, products, strict=True):
                best = np.argsort(-scores)[: self.terms_per_word]
                out[row] = {
                    side.terms[i]: float(scores[i])
                    for i in best
                    if scores[i] >= self.min_similarity
                }
        with self._lock:
            if self._mapped_for is not loaded or len(self._mapped) > WORD_CACHE_SIZE:
                self._mapped, self._mapped_for = {}, loaded
            self._mapped.update(zip(words, out, strict=True))
        return out

    def _load(self, keywords: KeywordIndex) -> tuple[_Loaded, int]:
        version, embedder = keywords.version(), self.embedder.name
        loaded = self._loaded
        if loaded is not None and loaded.version == version and loaded.embedder == embedder:
            return loaded, 0
        vocabulary = keywords.vocabulary()
        terms = [t for t, n in vocabulary.items() if _bridgeable(t, n, self.min_frequency)]
        if self._vectors_of != embedder:  # the embedder was replaced (benchmarks do)
            self._vectors, self._vectors_of = {}, embedder
        missing = [t for t in terms if t not in self._vectors]
        if missing:  # another process (`kizuna index`) may have embedded them already
            self._vectors.update(self._stored())
            missing = [t for t in missing if t not in self._vectors]
        if missing:
            self._vectors.update(self._embed(missing, keywords))
        latin = [t for t in terms if _is_latin(t)]
        other = [t for t in terms if not _is_latin(t)]
        self._loaded = _Loaded(version, embedder, self._side(latin), self._side(other))
        return self._loaded, len(missing)

    def _side(self, terms: list[str]) -> _Side:
        if not terms:
            return _Side([], np.zeros((0, self.embedder.dimension), dtype=np.float32))
        return _Side(terms, np.stack([self._vectors[t] for t in terms]))

    def _stored(self) -> dict[str, np.ndarray]:
        rows = self._db.execute(
            "SELECT term, vector FROM terms WHERE embedder = ?", (self.embedder.name,)
        )
        return {term: np.frombuffer(blob, dtype=np.float32) for term, blob in rows}

    def _embed(self, terms: list[str], keywords: KeywordIndex) -> dict[str, np.ndarray]:
        word_of = _latin_words([t for t in terms if _is_latin(t)], keywords)
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(terms), EMBED_BATCH):
            batch = terms[start : start + EMBED_BATCH]
            vectors = self.embedder.embed([word_of.get(t, t) for t in batch])
            out.update(zip(batch, np.asarray(vectors, dtype=np.float32), strict=True))
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO terms VALUES (?, ?, ?)",
                [(self.embedder.name, t, v.tobytes()) for t, v in out.items()],
            )
        log.debug("term bridge: embedded %d new terms", len(out))
        return out

    def prune(self, keywords: KeywordIndex) -> int:
        """Forget the vectors of terms no longer indexed (an erased customer's words), on disk
        too; returns how many were dropped."""
        kept = set(keywords.vocabulary())
        with self._lock:
            stored = [t for (t,) in self._db.execute("SELECT DISTINCT term FROM terms")]
            gone = [(t,) for t in stored if t not in kept]
            with self._db:
                self._db.executemany("DELETE FROM terms WHERE term = ?", gone)
            for (term,) in gone:
                self._vectors.pop(term, None)
            self._loaded, self._mapped, self._mapped_for = None, {}, None
            vacuum_sqlite(self._db)
        return len(gone)

    def close(self) -> None:
        self._db.close()


def _latin_words(stems: list[str], keywords: KeywordIndex) -> dict[str, str]:
    """The most frequent indexed word of each Latin stem."""
    if not stems:
        return {}
    wanted = set(stems)
    seen: dict[str, Counter[str]] = {}
    for text in keywords.texts():
        for token, word in latin_words(text):
            if token in wanted:
                seen.setdefault(token, Counter())[word] += 1
    return {stem: words.most_common(1)[0][0] for stem, words in seen.items()}
