"""Embedding in a child process while indexing.

The indexer's other work (tokenising with fugashi, Chroma and keyword-table writes) ran in a
thread beside the embedding, but both need the interpreter lock for much of their time, so on
two cores the embedding itself slowed to ~60 % of its raw rate. A child process with its own
copy of the model encodes batches while the parent reads, tokenises and writes: two cores, two
interpreters. It is started only for runs of more than one batch (start-up costs ~2 s).
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import numpy as np

from knowledge.settings import RetrievalSettings
from retrieval.embedders import make_embedder

_embedder: Any = None


def _start(settings: dict[str, Any]) -> None:
    global _embedder
    _embedder = make_embedder(RetrievalSettings(**settings))


def _encode(texts: list[str]) -> tuple[np.ndarray, float]:
    started = time.perf_counter()
    vectors = _embedder.embed(texts)
    return vectors, time.perf_counter() - started


class EmbedWorker:
    """One child process holding the embedder named by the settings; batches queue in order."""

    def __init__(self, settings: RetrievalSettings) -> None:
        # "spawn": forking a process that already runs threads (writer, Chroma) is unsafe.
        self._pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start,
            initargs=(settings.model_dump(),),
        )

    def submit(self, texts: list[str]) -> Future[tuple[np.ndarray, float]]:
        """Encode texts in the child; the future gives (vectors, encode seconds)."""
        return self._pool.submit(_encode, texts)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
