"""The keyword side: BM25 (bm25s) over Japanese/English tokens, persisted beside Chroma.

The chunk table (tokens and metadata) lives in a small SQLite file, which is the truth for
incremental upserts and deletes; the BM25 matrix is derived from it, saved with the table's
version and rebuilt only when the table has changed.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.erasure.service import vacuum_sqlite
from retrieval.chunking import Chunk
from retrieval.errors import IndexUnavailable
from retrieval.tokenize import TOKENIZER_VERSION

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY, record_id TEXT NOT NULL, customer_id INTEGER NOT NULL,
    source_type TEXT NOT NULL, kind TEXT, phase TEXT, language TEXT, occurred_at INTEGER,
    record_hash TEXT NOT NULL, tokens TEXT NOT NULL, text TEXT NOT NULL, meta TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_chunks_record ON chunks(record_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Bumped when the chunks table or the tokeniser changes: the table is then rebuilt by indexing.
SCHEMA_VERSION = f"2.{TOKENIZER_VERSION}"
_COLUMNS = ("chunk_id", "customer_id", "source_type", "kind", "phase", "language", "occurred_at")


@dataclass
class _Loaded:
    version: int
    bm25: Any  # bm25s.BM25, or None for an empty index
    columns: dict[str, np.ndarray]


class KeywordIndex:
    """BM25 over chunks with the same metadata (customer, kind, phase, ...) as the vector side."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path / "keyword.db", check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            self._migrate()
        except (OSError, sqlite3.Error) as e:
            raise IndexUnavailable(f"cannot open the keyword index at {self.path}") from e
        self._lock = threading.RLock()
        self._loaded: _Loaded | None = None

    def _migrate(self) -> None:
        # Derived data: an older layout is dropped; `kizuna index check` then reports the
        # chunks missing and `kizuna index` refills them.
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row and row[0] == SCHEMA_VERSION:
            return
        with self._db:
            if row:
                log.warning("keyword index at %s has an old layout: rebuilding it", self.path)
                self._db.execute("DROP TABLE chunks")
                self._db.executescript(_SCHEMA)
            self._db.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES('schema', ?)", (SCHEMA_VERSION,)
            )

    # -- writes ---------------------------------------------------------------------------
    def _bump(self) -> None:
        self._db.execute(
            "INSERT INTO meta(key, value) VALUES('version', '1') ON CONFLICT(key) DO UPDATE "
            "SET value = CAST(value AS INTEGER) + 1"
        )

    def upsert(self, chunks: list[Chunk], tokens: list[list[str]]) -> None:
        """Insert or replace chunks with their tokens."""
        rows = [
            (
                c.chunk_id,
                c.record_id,
                c.metadata["customer_id"],
                c.metadata["source_type"],
                c.metadata["kind"],
                c.metadata["phase"],
                c.metadata["language"],
                c.metadata["occurred_at"],
                c.record_hash,
                "\t".join(t),
                c.text,
                json.dumps(c.metadata, ensure_ascii=False),
            )
            for c, t in zip(chunks, tokens, strict=True)
        ]
        with self._lock, self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows
            )
            self._bump()

    def delete(self, chunk_ids: Iterable[str]) -> None:
        """Delete chunks by id (unknown ids are ignored)."""
        ids = [(i,) for i in chunk_ids]
        if not ids:
            return
        with self._lock, self._db:
            self._db.executemany("DELETE FROM chunks WHERE chunk_id = ?", ids)
            self._bump()

    def chunks_of(self, customer_ids: Iterable[int]) -> list[tuple[str, str, str]]:
        """(chunk id, record id, text) of every chunk about these customers."""
        ids = sorted(set(customer_ids))
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self._lock:
            return self._db.execute(
                "SELECT chunk_id, record_id, text FROM chunks "
                f"WHERE customer_id IN ({marks}) ORDER BY chunk_id",
                ids,
            ).fetchall()

    def compact(self) -> None:
        """Leave no deleted text on disk: rebuild the BM25 model, drop the older saved ones,
        rewrite the table file without its free pages and empty its write-ahead log."""
        loaded = self._load()
        with self._lock:
            for old in self.path.glob("bm25-v*"):
                if old.name != f"bm25-v{loaded.version}" or loaded.bm25 is None:
                    shutil.rmtree(old, ignore_errors=True)
            vacuum_sqlite(self._db)

    def clear(self) -> None:
        """Remove every chunk."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM chunks")
            self._bump()

    # -- reads ----------------------------------------------------------------------------
    def version(self) -> int:
        """The table's write counter (changes whenever any process writes it)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return int(row[0]) if row else 0

    def hashes(self) -> dict[str, tuple[str, str]]:
        """chunk id -> (record id, record hash) of everything indexed."""
        with self._lock:
            rows = self._db.execute("SELECT chunk_id, record_id, record_hash FROM chunks")
            return {c: (r, h) for c, r, h in rows}

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0])

    def _load(self) -> _Loaded:
        """The BM25 model for the table's current version: cached, saved, or rebuilt."""
        version = self.version()
        if self._loaded is not None and self._loaded.version == version:
            return self._loaded
        with self._lock:
            if self._loaded is not None and self._loaded.version == version:
                return self._loaded
            import bm25s  # lazily: it pulls in scipy, needed only once a search runs

            # bm25s installs its own DEBUG handler; keep its chatter out of CLI output.
            logging.getLogger("bm25s").setLevel(logging.WARNING)
            rows = self._db.execute(
                f"SELECT {', '.join(_COLUMNS)}, tokens FROM chunks ORDER BY chunk_id"
            ).fetchall()
            columns = {
                name: np.array([r[i] for r in rows], dtype=object if i != 1 else np.int64)
                for i, name in enumerate(_COLUMNS)
            }
            columns["occurred_at"] = columns["occurred_at"].astype(np.int64)
            bm25 = None
            saved = self.path / f"bm25-v{version}"
            if rows and saved.exists():
                bm25 = bm25s.BM25.load(str(saved))
            elif rows:
                bm25 = bm25s.BM25()
                bm25.index([r[-1].split("\t") if r[-1] else [] for r in rows], show_progress=False)
                self._save(bm25, saved)
            self._loaded = _Loaded(version, bm25, columns)
            log.debug("keyword index v%s loaded: %d chunks", version, len(rows))
            return self._loaded

    def _save(self, bm25: Any, target: Path) -> None:
        for old in self.path.glob("bm25-v*"):
            if old != target:
                shutil.rmtree(old, ignore_errors=True)
        try:
            bm25.save(str(target))
        except OSError as e:  # a cache only: searching still works, start-up is slower
            log.warning("could not save the BM25 model to %s: %s", target, e)

    def refresh(self) -> None:
        """Rebuild (and save) the BM25 model now if the table changed, instead of at next search."""
        self._load()

    def search(
        self, tokens: list[str], mask_fn: Any, k: int
    ) -> list[tuple[str, float, float, str, dict[str, Any]]]:
        """Top-k (chunk id, BM25 score, share of query tokens matched, text, metadata).

        `mask_fn(columns) -> bool array` applies the scope and filters to the metadata columns.
        """
        return self.search_terms([{t: 1.0} for t in dict.fromkeys(tokens)], mask_fn, k)

    def search_terms(
        self, groups: list[dict[str, float]], mask_fn: Any, k: int
    ) -> list[tuple[str, float, float, str, dict[str, Any]]]:
        """Like `search`, for query words given as groups of weighted alternative terms.

        A chunk scores the weighted BM25 sum of the terms it holds; its coverage is the share
        of groups (query words) found in the chunk, each counted by its best term's weight
        (capped at 1). An empty group is a query word with no term: it counts as not found.
        """
        loaded = self._load()
        if loaded.bm25 is None or not any(groups):
            return []
        allowed = np.flatnonzero(mask_fn(loaded.columns))
        if allowed.size == 0:
            return []
        weights: dict[str, float] = {}
        for group in groups:
            for term, weight in group.items():
                weights[term] = weights.get(term, 0.0) + weight
        scores = np.zeros(allowed.size, dtype=np.float64)
        for term, weight in weights.items():
            scores += weight * loaded.bm25.get_scores([term])[allowed]
        positive = scores > 0
        allowed, scores = allowed[positive], scores[positive]
        top = np.argsort(-scores, kind="stable")[:k]
        ids = [str(loaded.columns["chunk_id"][allowed[i]]) for i in top]
        rows = self._rows(ids)
        out = []
        for chunk_id, j in zip(ids, top, strict=True):
            if chunk_id not in rows:
                continue  # deleted since the model was loaded
            chunk_tokens, text, meta = rows[chunk_id]
            held = set(chunk_tokens.split("\t"))
            # A term reached through a weak mapping is weaker evidence than an exact one.
            coverage = sum(
                min(1.0, max((g[t] for t in held.intersection(g)), default=0.0)) for g in groups
            )
            coverage /= len(groups)
            out.append((chunk_id, float(scores[j]), coverage, text, json.loads(meta)))
        return out

    def vocabulary(self) -> dict[str, int]:
        """Every indexed term with the number of chunks holding it."""
        loaded = self._load()
        if loaded.bm25 is None:
            return {}
        frequency = np.diff(loaded.bm25.scores["indptr"])
        return {
            term: int(frequency[i])
            for term, i in loaded.bm25.vocab_dict.items()
            if term and i < len(frequency)
        }

    def texts(self) -> list[str]:
        """Every indexed chunk text (for building derived term data)."""
        with self._lock:
            return [text for (text,) in self._db.execute("SELECT text FROM chunks")]

    def ids_matching(self, mask_fn: Any) -> list[str]:
        """Chunk ids allowed by `mask_fn(columns)` (the scope and filters), from memory."""
        loaded = self._load()
        if not len(loaded.columns["chunk_id"]):
            return []
        return [str(i) for i in loaded.columns["chunk_id"][mask_fn(loaded.columns)]]

    def _rows(self, chunk_ids: list[str]) -> dict[str, tuple[str, str, str]]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT chunk_id, tokens, text, meta FROM chunks WHERE chunk_id IN ({marks})",
                chunk_ids,
            ).fetchall()
        return {c: (t, x, m) for c, t, x, m in rows}

    def close(self) -> None:
        self._db.close()
