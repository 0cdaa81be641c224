"""The sentences of a record that answer a question, and counting questions answered by code.

A record's first sentence is often who attended or what the ticket is about; the sentence that
answers is found by scoring each sentence against the question: shared content tokens, English
word stems and kanji, and the embedding cosine, which carries the match across languages (an
English question about a Japanese meeting note).
"""

from __future__ import annotations

import re

import numpy as np

from assistant.answerability import kanji_share, stems
from assistant.similarity import Embedder, content_tokens, overlap, split_sentences

_COUNTING = re.compile(
    r"\bhow (?:many|often)\b|\bnumber of\b|\blist (?:all|every)\b|\ball (?:the )?times\b"
    r"|\bevery time\b|何回|何件|何度|いくつ|すべて|全て|全部|一覧",
    re.IGNORECASE,
)


def is_counting(question: str) -> bool:
    """Whether the question asks how many, or for all of something ("何回", "list all")."""
    return bool(_COUNTING.search(question))


def sentences_of(text: str) -> list[str]:
    """A record's sentences; its subject ("subject — body") counts as one."""
    return split_sentences(text.replace(" — ", "\n")) or [text]


def sentence_scores(
    question: str, sentences: list[str], embedder: Embedder | None = None
) -> list[float]:
    """How well each sentence answers the question: token, stem and kanji overlap plus the
    embedding cosine (0 without an embedder)."""
    asked, asked_stems = content_tokens(question), stems(question)
    cosines = [0.0] * len(sentences)
    if embedder is not None and sentences:
        vectors = np.asarray(embedder.embed([question, *sentences]))
        cosines = [float(x) for x in vectors[1:] @ vectors[0]]
    return [
        overlap(asked, content_tokens(s))
        + overlap(asked_stems, stems(s))
        + 0.5 * kanji_share(question, s)
        + cosine
        for s, cosine in zip(sentences, cosines, strict=True)
    ]


def answering_sentences(
    question: str, text: str, embedder: Embedder | None = None, limit: int = 1
) -> list[str]:
    """The record's `limit` sentences that best answer the question, in the record's order."""
    sentences = sentences_of(text)
    scores = sentence_scores(question, sentences, embedder)
    best = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))[:limit]
    return [sentences[i] for i in sorted(best)]
