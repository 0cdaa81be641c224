"""The vector side: one Chroma collection (embedded PersistentClient, or a Chroma server)."""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.erasure.service import vacuum_sqlite
from knowledge.settings import RetrievalSettings
from retrieval.blas import similarities
from retrieval.chunking import Chunk
from retrieval.errors import EmbedderMismatch, IndexCorrupt, IndexUnavailable

log = logging.getLogger(__name__)

_PAGE = 5000  # Chroma caps how many rows one get() may return
MATRIX_CACHE_ROWS = 20000  # vectors kept in memory for exact search (~40 MB at 512-d)


@dataclass
class _Matrix:
    """Vectors, texts and metadata of chunks read once for exact search, valid for one version
    of the index (the keyword table's write counter, bumped after every write)."""

    version: int
    row: dict[str, int] = field(default_factory=dict)  # chunk id -> row
    ids: list[str] = field(default_factory=list)
    absent: set[str] = field(default_factory=set)  # asked for, not in Chroma (not yet written)
    stacked: np.ndarray | None = None  # one row per id, in `ids` order
    docs: list[str] = field(default_factory=list)
    metas: list[dict[str, Any]] = field(default_factory=list)


def make_chroma_client(settings: RetrievalSettings) -> Any:
    """A Chroma client: HttpClient when `chroma_host` is set, else a PersistentClient."""
    try:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
    except ImportError as e:
        raise IndexUnavailable("the vector index needs the chromadb package") from e
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_host:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        return chromadb.PersistentClient(path=settings.chroma_path, settings=chroma_settings)
    except Exception as e:
        where = (
            f"{settings.chroma_host}:{settings.chroma_port}"
            if settings.chroma_host
            else settings.chroma_path
        )
        raise IndexUnavailable(f"cannot reach Chroma at {where}: {e}") from e


class VectorStore:
    """Chunk vectors with their metadata; writes are upserts, reads filter by `where`."""

    def __init__(self, client: Any, name: str, embedder_name: str) -> None:
        self.client = client
        self.name = name
        self.embedder_name = embedder_name
        try:
            self.collection = client.get_or_create_collection(
                name, metadata={"hnsw:space": "cosine", "embedder": embedder_name}
            )
        except Exception as e:
            raise IndexUnavailable(f"cannot open Chroma collection {name!r}: {e}") from e
        stored = (self.collection.metadata or {}).get("embedder")
        if stored and stored != embedder_name:
            raise EmbedderMismatch(
                f"collection {name!r} was built with {stored!r}, settings ask for "
                f"{embedder_name!r}: run `kizuna reindex`"
            )
        self._matrix: _Matrix | None = None
        self._matrix_lock = threading.Lock()

    def reset(self) -> None:
        """Drop and recreate the collection (for a full reindex, or an embedder change)."""
        try:
            self.client.delete_collection(self.name)
        except Exception as e:  # absent already: nothing to drop
            log.debug("delete_collection(%s): %s", self.name, e)
        self.collection = self.client.get_or_create_collection(
            self.name, metadata={"hnsw:space": "cosine", "embedder": self.embedder_name}
        )

    def upsert(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Insert or replace chunks with their vectors."""
        if not chunks:
            return
        try:
            self.collection.upsert(
                ids=[c.chunk_id for c in chunks],
                embeddings=vectors.astype(np.float32),
                documents=[c.text for c in chunks],
                metadatas=[c.metadata for c in chunks],
            )
        except Exception as e:
            raise IndexUnavailable(f"Chroma upsert failed: {e}") from e

    def delete(self, chunk_ids: list[str]) -> None:
        """Delete chunks by id."""
        for start in range(0, len(chunk_ids), _PAGE):
            self.collection.delete(ids=chunk_ids[start : start + _PAGE])

    def chunks_of(self, customer_ids: list[int]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Text and metadata of every chunk about these customers."""
        if not customer_ids:
            return {}
        try:
            page = self.collection.get(
                where={"customer_id": {"$in": sorted(customer_ids)}},
                include=["metadatas", "documents"],
            )
        except Exception as e:
            raise IndexUnavailable(f"Chroma get failed: {e}") from e
        docs = page["documents"] or [""] * len(page["ids"])
        metas = page["metadatas"] or [{}] * len(page["ids"])
        return {
            i: (d or "", dict(m or {})) for i, d, m in zip(page["ids"], docs, metas, strict=True)
        }

    def hashes(self) -> dict[str, tuple[str, str]]:
        """chunk id -> (record id, record hash) of everything stored."""
        out: dict[str, tuple[str, str]] = {}
        offset = 0
        while True:
            try:
                page = self.collection.get(include=["metadatas"], limit=_PAGE, offset=offset)
            except Exception as e:
                # A kill -9 while Chroma persisted its HNSW files leaves one empty (seen:
                # index_metadata.pickle, "EOF while parsing"), and every read then fails.
                if type(e).__name__ == "InternalError":
                    raise IndexCorrupt(f"Chroma collection {self.name!r}: {e}") from e
                raise
            for chunk_id, meta in zip(page["ids"], page["metadatas"] or [], strict=True):
                out[chunk_id] = (str(meta.get("record_id", "")), str(meta.get("record_hash", "")))
            if len(page["ids"]) < _PAGE:
                return out
            offset += _PAGE

    def count(self) -> int:
        return int(self.collection.count())

    def query(
        self, vector: np.ndarray, where: dict[str, Any] | None, k: int
    ) -> list[tuple[str, float, str, dict[str, Any]]]:
        """Nearest chunks as (chunk id, cosine similarity, text, metadata)."""
        try:
            result = self.collection.query(
                query_embeddings=[vector.astype(np.float32)],
                n_results=k,
                where=where,
                include=["metadatas", "documents", "distances"],
            )
        except Exception as e:
            raise IndexUnavailable(f"Chroma query failed: {e}") from e
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        documents = (result["documents"] or [[]])[0]
        metadatas = (result["metadatas"] or [[]])[0]
        return [
            (i, 1.0 - float(d), doc or "", dict(m or {}))
            for i, d, doc, m in zip(ids, distances, documents, metadatas, strict=True)
        ]

    def nearest_among(
        self, vector: np.ndarray, chunk_ids: list[str], where: dict[str, Any] | None, k: int
    ) -> list[tuple[str, float, str, dict[str, Any]]]:
        """Exact nearest chunks among the given ids (still filtered by `where` in Chroma)."""
        try:
            page = self.collection.get(
                ids=chunk_ids, where=where, include=["embeddings", "documents", "metadatas"]
            )
        except Exception as e:
            raise IndexUnavailable(f"Chroma get failed: {e}") from e
        if not page["ids"]:
            return []
        sims = similarities(np.asarray(page["embeddings"], dtype=np.float32), vector)
        docs = page["documents"] or [""] * len(page["ids"])
        metas = page["metadatas"] or [{}] * len(page["ids"])
        order = np.argsort(-sims, kind="stable")[:k]
        return [
            (page["ids"][i], float(sims[i]), docs[i] or "", dict(metas[i] or {})) for i in order
        ]

    def nearest_cached(
        self, vector: np.ndarray, chunk_ids: list[str], version: int, k: int
    ) -> list[tuple[str, float, str, dict[str, Any]]]:
        """Exact nearest chunks among the given ids, from vectors held in memory.

        For a scope searched again and again (the knowledge base): its vectors are read from
        Chroma once per index `version` and scored with one matrix product per query, instead
        of a filtered ANN query per search. The caller passes ids already restricted to the
        scope and filters; every hit is re-checked against the scope afterwards.
        """
        with self._matrix_lock:
            matrix = self._matrix
            if (
                matrix is None
                or matrix.version != version
                or (len(matrix.row) + len(chunk_ids) > MATRIX_CACHE_ROWS)
            ):
                matrix = self._matrix = _Matrix(version)
            missing = [i for i in chunk_ids if i not in matrix.row and i not in matrix.absent]
            if missing:
                self._read_into(matrix, missing)
                matrix.absent.update(i for i in missing if i not in matrix.row)
            rows = np.fromiter(
                (matrix.row[i] for i in chunk_ids if i in matrix.row), dtype=np.int64
            )
            stacked = matrix.stacked
        if stacked is None or rows.size == 0:
            return []
        sims = similarities(stacked, vector)[rows]
        top = np.argsort(-sims, kind="stable")[:k]
        out = []
        for i in top:
            row = int(rows[i])
            out.append((matrix.ids[row], float(sims[i]), matrix.docs[row], matrix.metas[row]))
        return out

    def _read_into(self, matrix: _Matrix, chunk_ids: list[str]) -> None:
        for start in range(0, len(chunk_ids), _PAGE):
            try:
                page = self.collection.get(
                    ids=chunk_ids[start : start + _PAGE],
                    include=["embeddings", "documents", "metadatas"],
                )
            except Exception as e:
                raise IndexUnavailable(f"Chroma get failed: {e}") from e
            docs = page["documents"] or [""] * len(page["ids"])
            metas = page["metadatas"] or [{}] * len(page["ids"])
            vectors = np.asarray(page["embeddings"], dtype=np.float32)
            if not len(page["ids"]):
                continue
            matrix.stacked = (
                vectors if matrix.stacked is None else np.vstack([matrix.stacked, vectors])
            )
            for chunk_id, doc, meta in zip(page["ids"], docs, metas, strict=True):
                matrix.row[chunk_id] = len(matrix.ids)
                matrix.ids.append(chunk_id)
                matrix.docs.append(doc or "")
                matrix.metas.append(dict(meta or {}))

    def get(self, chunk_ids: list[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Text and metadata of the given chunks."""
        if not chunk_ids:
            return {}
        page = self.collection.get(ids=chunk_ids, include=["metadatas", "documents"])
        docs = page["documents"] or []
        metas = page["metadatas"] or []
        rows = zip(page["ids"], docs, metas, strict=True)
        return {i: (d or "", dict(m or {})) for i, d, m in rows}


# Chroma's operation code of a delete in its write-ahead log (embeddings_queue).
_CHROMA_DELETE = 3


def forget_deleted(chroma_path: str | Path) -> int:
    """Remove the text of deleted chunks from an embedded Chroma's files; the log rows removed.

    Chroma keeps every write in its log (the embeddings_queue table, documents and metadata
    included) until the vector segment next persists, up to about a thousand writes later, and
    SQLite keeps deleted rows in free pages. Each add or update followed by a delete of the
    same chunk is dropped from the log — the delete stays, so a replay after a restart still
    ends without the chunk — and the file is vacuumed.
    """
    path = Path(chroma_path) / "chroma.sqlite3"
    if not path.exists():
        return 0
    db = sqlite3.connect(path, timeout=30)
    try:
        with db:
            removed = db.execute(
                "DELETE FROM embeddings_queue WHERE operation != :delete AND EXISTS ("
                " SELECT 1 FROM embeddings_queue AS later WHERE later.operation = :delete"
                " AND later.topic = embeddings_queue.topic AND later.id = embeddings_queue.id"
                " AND later.seq_id > embeddings_queue.seq_id)",
                {"delete": _CHROMA_DELETE},
            ).rowcount
        vacuum_sqlite(db)
    except sqlite3.Error as e:
        raise IndexUnavailable(f"cannot compact Chroma's database at {path}: {e}") from e
    finally:
        db.close()
    return removed
