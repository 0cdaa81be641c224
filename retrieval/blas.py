"""Small products of the search path, kept off BLAS's thread pool.

On a few shared cores, OpenBLAS's default of one thread per core made a 2,000 × 512
matrix-vector product take 10–25 ms instead of under 1 ms (its threads spin for cores that
other work holds). Search products are small, so they run on the calling thread.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

_controller: Any = None


def similarities(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """matrix @ vector without BLAS threads (einsum's own loop: one thread, no spinning)."""
    return np.einsum("ij,j->i", matrix, vector.astype(matrix.dtype, copy=False))


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit BLAS to the calling thread for the block (no-op without threadpoolctl)."""
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController

            _controller = ThreadpoolController()
        except ImportError:  # pragma: no cover - threadpoolctl ships with numpy's stack
            _controller = False
    if not _controller:
        yield
        return
    with _controller.limit(limits=1, user_api="blas"):
        yield
