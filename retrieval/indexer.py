"""Incremental indexing by content hash, and the consistency check between SQL and the indexes.

Chunks are written to Chroma first and to the keyword table second; a record counts as
indexed only when both hold all its chunks with its current hash. So a run killed at any
point leaves records that the next run simply does again: it converges.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy.orm import Session, sessionmaker

from knowledge.corpus import corpus_record_ids, iter_corpus
from knowledge.records import ArticleRecord, InteractionRecord
from knowledge.settings import RetrievalSettings
from retrieval.bridge import TermBridge
from retrieval.chunking import Chunk, chunk_record
from retrieval.embed_worker import EmbedWorker
from retrieval.embedders import Embedder
from retrieval.errors import IndexCorrupt
from retrieval.keyword import KeywordIndex
from retrieval.tokenize import tokenize
from retrieval.types import CheckReport, IndexReport
from retrieval.vector_store import VectorStore

log = logging.getLogger(__name__)

BATCH_CHUNKS = 256  # chunks embedded and written together

Stored = dict[str, dict[str, str]]  # record id -> {chunk id: record hash} held by one index
Embedded = Future[tuple[Any, float]]  # (vectors, seconds spent encoding)


class Change(NamedTuple):
    """What one new or changed record needs written."""

    chunks: list[Chunk]
    stale: set[str]  # chunk ids the record no longer produces, to delete
    embed: bool  # False when the vectors are current (e.g. only the tokeniser changed)


@dataclass
class Indexer:
    """Brings the vector store and the keyword index in step with SQL, and checks that they are."""

    settings: RetrievalSettings
    sessions: sessionmaker[Session]
    embedder: Embedder
    vectors: VectorStore
    keywords: KeywordIndex
    bridge: TermBridge | None = None
    # Whether a child process may embed: only when the settings alone name the embedder.
    child_can_embed: bool = False

    def index(self, *, progress: bool = True) -> IndexReport:
        """Embed and write new or changed records in batches; delete what SQL no longer has."""
        started = time.perf_counter()
        report = IndexReport()
        try:
            vec = _by_record(self.vectors.hashes())
        except IndexCorrupt as e:
            # SQL is the truth and the index is derived: rebuild the vector side from it (the
            # keyword side is rewritten with it, as for any record missing a side).
            log.error("vector index unreadable, rebuilding it from the database: %s", e)
            self.vectors.reset()
            vec = {}
        kw = _by_record(self.keywords.hashes())
        with self.sessions() as session:
            total = len(corpus_record_ids(session))
        seen = self._write_changes(vec, kw, report, progress, total)
        self._delete_gone(vec, kw, seen, report)
        self.keywords.refresh()
        if self.bridge is not None:
            self.bridge.refresh(self.keywords)
        report.seconds = time.perf_counter() - started
        log.info(
            "indexed %d records (%d unchanged, %d deleted) in %.1fs",
            report.records_indexed,
            report.records_unchanged,
            report.records_deleted,
            report.seconds,
        )
        return report

    def check(self) -> CheckReport:
        """Compare what SQL says should be indexed with what each index holds."""
        expected: dict[str, str] = {}
        report = CheckReport()
        with self.sessions() as session:
            for record in iter_corpus(session):
                report.records += 1
                for chunk in self._chunks(record):
                    expected[chunk.chunk_id] = chunk.record_hash
        report.expected_chunks = len(expected)
        missing: set[str] = set()
        orphaned: set[str] = set()
        stale: set[str] = set()
        for stored in (self.vectors.hashes(), self.keywords.hashes()):
            missing.update(c for c in expected if c not in stored)
            orphaned.update(c for c in stored if c not in expected)
            stale.update(c for c, (_, h) in stored.items() if c in expected and expected[c] != h)
        report.vector_chunks = self.vectors.count()
        report.keyword_chunks = self.keywords.count()
        report.missing, report.orphaned, report.stale = (
            sorted(missing),
            sorted(orphaned),
            sorted(stale),
        )
        return report

    # -- one run, step by step ------------------------------------------------------------
    def _write_changes(
        self, vec: Stored, kw: Stored, report: IndexReport, progress: bool, total: int
    ) -> set[str]:
        """Read every record, queue the new and changed ones in batches; the ids seen."""
        seen: set[str] = set()
        bar, task = _progress(progress, total)
        batches = _Batches(self, report, bar, task)
        try:
            with bar, self.sessions() as session, batches.writer:
                for record in iter_corpus(session):
                    report.records_seen += 1
                    seen.add(record.record_id)
                    change = _change(self._chunks(record), vec, kw, record.record_id)
                    if change is None:
                        report.records_unchanged += 1
                        batches.advance(1)
                    else:
                        batches.add(change)
                batches.finish()
        finally:
            batches.close()
        return seen

    def _delete_gone(self, vec: Stored, kw: Stored, seen: set[str], report: IndexReport) -> None:
        """Delete the chunks of records that SQL no longer has."""
        gone = [r for r in set(vec) | set(kw) if r not in seen]
        orphan_chunks = [c for r in gone for c in set(vec.get(r, {})) | set(kw.get(r, {}))]
        if orphan_chunks:
            self.vectors.delete(orphan_chunks)
            self.keywords.delete(orphan_chunks)
        report.records_deleted = len(gone)
        report.chunks_deleted += len(orphan_chunks)

    def _chunks(self, record: InteractionRecord | ArticleRecord) -> list[Chunk]:
        return chunk_record(record, self.settings.chunk_chars, self.settings.chunk_overlap_chars)

    def write(self, batch: list[Change], embedded: Embedded, report: IndexReport) -> None:
        """Write one batch to both indexes once its vectors are ready (in the writer thread)."""
        vectors, seconds = embedded.result()
        report.embed_seconds += seconds
        chunks = [c for change in batch for c in change.chunks]
        to_embed = [c for change in batch if change.embed for c in change.chunks]
        stale = [c for change in batch for c in change.stale]
        tokens = [tokenize(c.indexed_text) for c in chunks]
        if stale:
            self.vectors.delete(stale)
            self.keywords.delete(stale)
        self.vectors.upsert(to_embed, vectors)
        self.keywords.upsert(chunks, tokens)
        report.records_indexed += len(batch)
        report.chunks_upserted += len(chunks)
        report.chunks_embedded += len(to_embed)
        report.chunks_deleted += len(stale)


class _Batches:
    """The changes of one run, embedded and written batch by batch.

    The writes (tokenising, Chroma, keyword table) of one batch overlap the embedding of the
    next in a single writer thread; at most one write is in flight, so order is kept.
    """

    def __init__(self, indexer: Indexer, report: IndexReport, bar: Any, task: Any) -> None:
        self.indexer = indexer
        self.report = report
        self.bar, self.task = bar, task
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kizuna-index-writer")
        self.pending: list[Change] = []
        self.pending_chunks = 0
        self.in_flight: Future[None] | None = None
        self.worker: EmbedWorker | None = None
        self.flushes = 0

    def add(self, change: Change) -> None:
        self.pending.append(change)
        self.pending_chunks += len(change.chunks)
        if self.pending_chunks >= BATCH_CHUNKS:
            self._flush()

    def finish(self) -> None:
        """Flush the last, partial batch and wait for every write."""
        if self.pending:
            self._flush()
        self._wait()

    def advance(self, records: int) -> None:
        if self.task is not None:
            self.bar.advance(self.task, records)

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()

    def _flush(self) -> None:
        batch, self.pending, self.pending_chunks = self.pending, [], 0
        embedded = self._embed(batch)
        self.flushes += 1
        self._wait()  # a failed write stops the run here
        self.in_flight = self.writer.submit(self.indexer.write, batch, embedded, self.report)
        self.advance(len(batch))

    def _embed(self, batch: list[Change]) -> Embedded:
        texts = [c.indexed_text for change in batch if change.embed for c in change.chunks]
        # From the second batch on, a run is long enough to pay for the child's start-up.
        if self.worker is None and self.flushes and texts and self.indexer.child_can_embed:
            self.worker = EmbedWorker(self.indexer.settings)
        if self.worker is not None and texts:
            return self.worker.submit(texts)
        # In this process: an already resolved future, like the child's.
        done: Embedded = Future()
        started = time.perf_counter()
        done.set_result((self.indexer.embedder.embed(texts), time.perf_counter() - started))
        return done

    def _wait(self) -> None:
        if self.in_flight is not None:
            self.in_flight.result()


def _change(chunks: list[Chunk], vec: Stored, kw: Stored, record_id: str) -> Change | None:
    """What the record needs written, or None when both indexes hold it as it is."""
    stored_vec, stored_kw = vec.get(record_id, {}), kw.get(record_id, {})
    vector_ok = _current(chunks, stored_vec)
    if vector_ok and _current(chunks, stored_kw):
        return None
    stale = (set(stored_vec) | set(stored_kw)) - {c.chunk_id for c in chunks}
    return Change(chunks, stale, not vector_ok)


def _by_record(hashes: dict[str, tuple[str, str]]) -> Stored:
    out: Stored = defaultdict(dict)
    for chunk_id, (record_id, record_hash) in hashes.items():
        out[record_id][chunk_id] = record_hash
    return out


def _current(chunks: list[Chunk], stored: dict[str, str]) -> bool:
    wanted = {c.chunk_id for c in chunks}
    return set(stored) == wanted and all(h == chunks[0].record_hash for h in stored.values())


def _progress(enabled: bool, total: int) -> tuple[Any, Any]:
    if not enabled:
        return nullcontext(), None
    # rich is imported only when a progress bar is wanted (the CLI); the API never draws one.
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=False,
    )
    return bar, bar.add_task("indexing", total=total)
