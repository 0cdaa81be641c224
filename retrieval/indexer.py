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
from typing import TYPE_CHECKING, Any

from knowledge.corpus import corpus_record_ids, iter_corpus
from retrieval.chunking import Chunk, chunk_record
from retrieval.embed_worker import EmbedWorker
from retrieval.tokenize import tokenize
from retrieval.types import CheckReport, IndexReport

if TYPE_CHECKING:
    from retrieval.service import Retrieval

log = logging.getLogger(__name__)

BATCH_CHUNKS = 256  # chunks embedded and written together


def _by_record(hashes: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for chunk_id, (record_id, record_hash) in hashes.items():
        out[record_id][chunk_id] = record_hash
    return out


def _current(chunks: list[Chunk], stored: dict[str, str]) -> bool:
    wanted = {c.chunk_id for c in chunks}
    return set(stored) == wanted and all(h == chunks[0].record_hash for h in stored.values())


def _progress(enabled: bool, total: int) -> tuple[Any, Any]:
    if not enabled:
        return nullcontext(), None
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=False,
    )
    return bar, bar.add_task("indexing", total=total)


def index(retrieval: Retrieval, *, progress: bool = True) -> IndexReport:
    """Embed and write new or changed records in batches; delete what SQL no longer has."""
    started = time.perf_counter()
    report = IndexReport()
    settings = retrieval.settings
    vec = _by_record(retrieval.vectors.hashes())
    kw = _by_record(retrieval.keywords.hashes())
    with retrieval.sessions() as session:
        total = len(corpus_record_ids(session))
    seen: set[str] = set()
    # (chunks, stale chunk ids to delete, whether the vectors must be (re)written)
    pending: list[tuple[list[Chunk], set[str], bool]] = []
    pending_chunks = 0
    bar, task = _progress(progress, total)
    # Writes (tokenising, Chroma, keyword table) of one batch overlap the embedding of the
    # next in a single writer thread; at most one write is in flight, so order is kept.
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kizuna-index-writer")
    in_flight: list[Future[None]] = []
    worker: EmbedWorker | None = None
    flushes = 0

    def embed_async(batch: list[tuple[list[Chunk], set[str], bool]]) -> Future[Any]:
        nonlocal worker
        texts = [c.indexed_text for group, _, embed in batch if embed for c in group]
        # From the second batch on, a run is long enough to pay for the child's start-up.
        if worker is None and flushes and texts and _child_can_embed(retrieval):
            worker = EmbedWorker(settings)
        if worker is not None and texts:
            return worker.submit(texts)
        done: Future[Any] = Future()
        t0 = time.perf_counter()
        done.set_result((retrieval.embedder.embed(texts), time.perf_counter() - t0))
        return done

    def flush(batch: list[tuple[list[Chunk], set[str], bool]]) -> None:
        nonlocal flushes
        embedded = embed_async(batch)
        flushes += 1
        for done in in_flight:
            done.result()  # a failed write stops the run here
        in_flight[:] = [writer.submit(_write_embedded, retrieval, batch, embedded, report)]
        if task is not None:
            bar.advance(task, len(batch))

    try:
        with bar, retrieval.sessions() as session, writer:
            for record in iter_corpus(session):
                report.records_seen += 1
                chunks = chunk_record(record, settings.chunk_chars, settings.chunk_overlap_chars)
                record_id = record.record_id
                seen.add(record_id)
                stored_vec, stored_kw = vec.get(record_id, {}), kw.get(record_id, {})
                vector_ok = _current(chunks, stored_vec)
                if vector_ok and _current(chunks, stored_kw):
                    report.records_unchanged += 1
                    if task is not None:
                        bar.advance(task)
                    continue
                extra = (set(stored_vec) | set(stored_kw)) - {c.chunk_id for c in chunks}
                # Vectors already current (e.g. only the tokeniser changed): no re-embedding.
                pending.append((chunks, extra, not vector_ok))
                pending_chunks += len(chunks)
                if pending_chunks >= BATCH_CHUNKS:
                    flush(pending)
                    pending, pending_chunks = [], 0
            if pending:
                flush(pending)
            for done in in_flight:
                done.result()
    finally:
        if worker is not None:
            worker.close()
    gone = [r for r in set(vec) | set(kw) if r not in seen]
    orphan_chunks = [c for r in gone for c in set(vec.get(r, {})) | set(kw.get(r, {}))]
    if orphan_chunks:
        retrieval.vectors.delete(orphan_chunks)
        retrieval.keywords.delete(orphan_chunks)
    report.records_deleted = len(gone)
    report.chunks_deleted += len(orphan_chunks)
    retrieval.keywords.refresh()
    if retrieval.bridge is not None:
        retrieval.bridge.refresh(retrieval.keywords)
    report.seconds = time.perf_counter() - started
    log.info(
        "indexed %d records (%d unchanged, %d deleted) in %.1fs",
        report.records_indexed,
        report.records_unchanged,
        report.records_deleted,
        report.seconds,
    )
    return report


def _child_can_embed(retrieval: Retrieval) -> bool:
    """Whether a child process can build the same embedder from the settings alone."""
    return retrieval.settings.embed_process and retrieval.embedder_from_settings


def _write_embedded(
    retrieval: Retrieval,
    pending: list[tuple[list[Chunk], set[str], bool]],
    embedded: Future[Any],
    report: IndexReport,
) -> None:
    vectors, seconds = embedded.result()
    report.embed_seconds += seconds
    _write(retrieval, pending, vectors, report)


def _write(
    retrieval: Retrieval,
    pending: list[tuple[list[Chunk], set[str], bool]],
    vectors: Any,
    report: IndexReport,
) -> None:
    chunks = [c for group, _, _ in pending for c in group]
    to_embed = [c for group, _, embed in pending if embed for c in group]
    stale = [c for _, extra, _ in pending for c in extra]
    tokens = [tokenize(c.indexed_text) for c in chunks]
    if stale:
        retrieval.vectors.delete(stale)
        retrieval.keywords.delete(stale)
    retrieval.vectors.upsert(to_embed, vectors)
    retrieval.keywords.upsert(chunks, tokens)
    report.records_indexed += len(pending)
    report.chunks_upserted += len(chunks)
    report.chunks_embedded += len(to_embed)
    report.chunks_deleted += len(stale)


def check(retrieval: Retrieval) -> CheckReport:
    """Compare what SQL says should be indexed with what each index holds."""
    settings = retrieval.settings
    expected: dict[str, str] = {}
    report = CheckReport()
    with retrieval.sessions() as session:
        for record in iter_corpus(session):
            report.records += 1
            for chunk in chunk_record(record, settings.chunk_chars, settings.chunk_overlap_chars):
                expected[chunk.chunk_id] = chunk.record_hash
    report.expected_chunks = len(expected)
    missing: set[str] = set()
    orphaned: set[str] = set()
    stale: set[str] = set()
    for stored in (retrieval.vectors.hashes(), retrieval.keywords.hashes()):
        missing.update(c for c in expected if c not in stored)
        orphaned.update(c for c in stored if c not in expected)
        stale.update(c for c, (_, h) in stored.items() if c in expected and expected[c] != h)
    report.vector_chunks = retrieval.vectors.count()
    report.keyword_chunks = retrieval.keywords.count()
    report.missing, report.orphaned, report.stale = sorted(missing), sorted(orphaned), sorted(stale)
    return report
