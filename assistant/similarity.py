"""How well one text supports another: token overlap (ja bigrams, en words) and embedding cosine."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Protocol

import numpy as np

_WORD = re.compile(r"[a-z0-9]+")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]+")
_HIRAGANA_ONLY = re.compile(r"^[\u3040-\u309f]+$")
_STOP_WORDS = (
    "the and for are was were has have had with this that from our your you they them their "
    "what when where which who how did does not but can could would will should about into "
    "any all there been please customer record records"
)
_STOP = frozenset(_STOP_WORDS.split())


class Embedder(Protocol):
    def embed(self, texts: list[str]) -> np.ndarray: ...


def content_tokens(text: str) -> set[str]:
    """English words (3+ letters, no stop words) and Japanese character bigrams (not pure kana)."""
    norm = unicodedata.normalize("NFKC", text).lower()
    tokens = {w for w in _WORD.findall(norm) if (len(w) >= 3 or w.isdigit()) and w not in _STOP}
    for run in _CJK_RUN.findall(norm):
        if len(run) == 1:
            continue
        for i in range(len(run) - 1):
            gram = run[i : i + 2]
            # Bigrams of hiragana alone are mostly particles and endings (です, ます, ので).
            if not _HIRAGANA_ONLY.match(gram):
                tokens.add(gram)
    return tokens


def overlap(claim: set[str], source: set[str]) -> float:
    """The share of the claim's tokens found in the source (0 when the claim has none)."""
    return len(claim & source) / len(claim) if claim else 0.0


class Scorer:
    """Scores claims against a fixed list of source texts; embeds each text once."""

    def __init__(self, sources: Sequence[str], embedder: Embedder | None) -> None:
        self.sources = list(sources)
        self.source_tokens = [content_tokens(s) for s in self.sources]
        self.embedder = embedder
        self._vectors: np.ndarray | None = None
        if embedder is not None and self.sources:
            self._vectors = embedder.embed(self.sources)

    def overlaps(self, claim: str) -> list[float]:
        """Token overlap of the claim with each source."""
        tokens = content_tokens(claim)
        return [overlap(tokens, s) for s in self.source_tokens]

    def cosines(self, claim: str) -> list[float]:
        """Embedding cosine of the claim with each source (zeros without an embedder)."""
        if self.embedder is None or self._vectors is None:
            return [0.0] * len(self.sources)
        vector = self.embedder.embed([claim])[0]
        return [float(x) for x in self._vectors @ vector]

    def scores(self, claim: str) -> list[tuple[float, float]]:
        """(overlap, cosine) of the claim with each source."""
        return list(zip(self.overlaps(claim), self.cosines(claim), strict=True))


def best_sentence(text: str, claim: str) -> str:
    """The sentence of `text` that shares the most tokens with the claim (for quoting)."""
    sentences = [s for s in split_sentences(text) if s.strip()] or [text]
    claim_tokens = content_tokens(claim)
    return max(sentences, key=lambda s: overlap(claim_tokens, content_tokens(s)))


_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=\.)(?=\s)|\n+")


def split_sentences(text: str) -> list[str]:
    """Sentences, split after 。！？!? and after a period followed by a space, and at newlines."""
    parts = [p.strip() for p in _SENTENCE_END.split(text)]
    return [p for p in parts if p]


def sentences_of(text: str) -> list[str]:
    """A record's sentences; its subject ("subject — body") counts as one."""
    return split_sentences(text.replace(" — ", "\n")) or [text]
