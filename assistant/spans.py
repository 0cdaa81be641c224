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
from assistant.record_kinds import kind_nouns
from assistant.similarity import Embedder, content_tokens, overlap, sentences_of

_COUNTING = re.compile(
    r"\bhow (?:many|often)\b|\bnumber of\b|\blist (?:all|every)\b|\ball (?:the )?times\b"
    r"|\bevery time\b|何回|何件|何度|いくつ|すべて|全て|全部|一覧",
    re.IGNORECASE,
)


def is_counting(question: str) -> bool:
    """Whether the question asks how many, or for all of something ("何回", "list all")."""
    return bool(_COUNTING.search(question))


def counted_kind(question: str) -> str | None:
    """The interaction kind a counting question counts ("how many reviews", "来店は何回"), if
    it names exactly one: such a question is answered from all the customer's records of that
    kind, not from the search hits."""
    if not is_counting(question):
        return None
    kinds = kind_nouns(question)
    return kinds[0] if len(kinds) == 1 else None


_HOW_MANY_EN = re.compile(r"\bhow (?:many|often)\b(?:\s+([a-z][a-z-]*(?:\s+[a-z][a-z-]*){0,2}))?")
# Words that end the counted noun phrase ("how many reviews HAS she written").
_NOT_NOUN_EN = frozenset(
    {
        "has", "have", "had", "did", "does", "do", "is", "are", "was", "were", "will", "would",
        "can", "could", "of", "in", "on", "at", "from", "by", "with", "for", "to", "about",
        "that", "which", "she", "he", "they", "we", "you", "it", "the", "this", "our", "their",
        "her", "his", "its",
    }
)  # fmt: skip
_UNIT_JA = (("何回", "回"), ("何度", "度"), ("いくつ", "つ"))


def count_unit(question: str, n: int, language: str) -> str | None:
    """The count in the asker's words: "twice" / "2 times" for "how many times", "2 reviews"
    for "how many reviews", "2回" for 何回; None when the question names no unit of its own
    (the count of matching records is then said alone)."""
    if language == "ja":
        for asked, unit in _UNIT_JA:
            if asked in question:
                return f"{n}{unit}"
        return None
    match = _HOW_MANY_EN.search(question.lower())
    if match is None:
        return None
    words = []
    for word in (match.group(1) or "").split():
        if word in _NOT_NOUN_EN:
            break
        words.append(word)
    if match.group(0).startswith("how often") or words[:1] == ["times"]:
        return {1: "once", 2: "twice"}.get(n, f"{n} times")
    # The noun phrase ends at its first plural ("timeout reports", not "records mention sso").
    ends = [i for i, w in enumerate(words) if w.endswith("s") and not w.endswith("ss")]
    words = words[: ends[0] + 1] if ends else []
    if not words or words == ["records"]:
        return None
    if n == 1 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return f"{n} {' '.join(words)}"


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
