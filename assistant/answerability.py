"""Whether the records answer a question: one calibrated score per retrieved hit, from all the
evidence retrieval and the texts give, not from one embedding cosine.

Evidence per hit: its rank in its scope's result list, which rankers found it (keyword, the
cross-lingual bridge, vector), the share of the question's content tokens, kanji and English
word stems found in the record (and in its best sentence), and the embedding cosine. A logistic
model turns them into the probability that the hit answers the question; the question is
answerable when its best hit clears ANSWER_AT. The weights and both bars are fitted on the
labelled bilingual set by `python benchmarks/bench_answerability.py --fit` (docs/assistant.md
has the figures, held out by topic); they are data, kept here beside the features they weigh.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.claims import dates
from assistant.record_kinds import kinds_named
from assistant.similarity import content_tokens, overlap, split_sentences
from retrieval.types import SearchHit

_KANJI = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z]{3,}")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_STOP_WORDS = (
    "the and for are was were has have had with this that from our your you they them their "
    "what when where which who how did does not but can could would will should about into "
    "any all there been please customer record records she her his him its ever"
)
_STOP = frozenset(_STOP_WORDS.split())

FEATURES = (
    "rank",  # 1 / (1 + rank) in the hit's own result list (customer records, articles)
    "keyword",  # the BM25 side found it
    "bridge",  # the cross-lingual bridge found it
    "vector",  # the embedding side found it
    "overlap",  # share of the question's content tokens in the record
    "span_overlap",  # the same, in the record's best sentence
    "kanji",  # share of the question's kanji in the record
    "stems",  # share of the question's English word stems in the record
    "cosine",  # embedding cosine of question and record
    "cross",  # question and record are written in different scripts
)

# Fitted by benchmarks/bench_answerability.py --fit on 222 labelled questions (use-multilingual).
WEIGHTS: dict[str, float] = {
    "rank": 1.971,
    "keyword": 0.495,
    "bridge": 0.66,
    "vector": 0.0,
    "overlap": 0.322,
    "span_overlap": 0.06,
    "kanji": -0.157,
    "stems": 0.053,
    "cosine": 3.293,
    "cross": 0.361,
}
BIAS = -4.297
ANSWER_AT = 0.199  # the best hit's probability at which the question is answerable
KEEP_AT = 0.12  # a hit of an answerable question below this does not enter the context
SURE_AT = 0.9  # above this, the model's own NOT_IN_RECORDS is overruled by the records


@dataclass(frozen=True)
class Evidence:
    """What is known about one hit as an answer to the question (see FEATURES)."""

    rank: float
    keyword: float
    bridge: float
    vector: float
    overlap: float
    span_overlap: float
    kanji: float
    stems: float
    cosine: float
    cross: float

    def vector_of(self) -> list[float]:
        """The features in FEATURES order."""
        return [getattr(self, name) for name in FEATURES]


@dataclass(frozen=True)
class Model:
    """A fitted logistic model and its decision bars."""

    weights: dict[str, float]
    bias: float
    answer_at: float = ANSWER_AT
    keep_at: float = KEEP_AT
    sure_at: float = SURE_AT

    def probability(self, evidence: Evidence) -> float:
        """The probability that the hit answers the question."""
        z = self.bias + sum(
            self.weights[n] * v for n, v in zip(FEATURES, evidence.vector_of(), strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


FITTED = Model(WEIGHTS, BIAS)


@dataclass(frozen=True)
class Decision:
    """The verdict on a question: whether to answer, how sure, and the hits worth showing."""

    answerable: bool
    confidence: float  # the best hit's probability (0 without hits)
    kept: list[SearchHit]  # the hits at or above the keep bar, in retrieval order
    probabilities: list[float]  # per hit given, in the order given


def kanji_share(question: str, text: str) -> float:
    """The share of the question's distinct kanji that the text contains."""
    asked = set(_KANJI.findall(question))
    return len(asked & set(_KANJI.findall(text))) / len(asked) if asked else 0.0


def stems(text: str) -> set[str]:
    """English content words cut to five letters ("invoices", "invoiced" -> "invoi")."""
    norm = unicodedata.normalize("NFKC", text).lower()
    return {w[:5] for w in _LATIN_WORD.findall(norm) if w not in _STOP}


def _mostly_cjk(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(bool(_CJK.match(c)) for c in letters) * 2 >= len(letters)


def evidence(question: str, hit: SearchHit, rank: int, cosine: float) -> Evidence:
    """The features of one hit at `rank` (0 = first) of its list, given its cosine."""
    asked = content_tokens(question)
    sentences = split_sentences(hit.text) or [hit.text]
    asked_stems = stems(question)
    return Evidence(
        rank=1.0 / (1.0 + rank),
        keyword=float("keyword" in hit.sources),
        bridge=float("bridge" in hit.sources),
        vector=float("vector" in hit.sources),
        overlap=overlap(asked, content_tokens(hit.text)),
        span_overlap=max(overlap(asked, content_tokens(s)) for s in sentences),
        kanji=kanji_share(question, hit.text),
        stems=overlap(asked_stems, stems(hit.text)),
        cosine=cosine,
        cross=float(_mostly_cjk(question) != _mostly_cjk(hit.text)),
    )


def decide(
    question: str,
    lists: Sequence[Sequence[SearchHit]],
    cosines: Sequence[float],
    *,
    model: Model = FITTED,
    facts_answer: bool = False,
) -> Decision:
    """Answer or decline from the hits of each scope's list (ranks count within a list);
    `cosines` holds one cosine per hit, lists concatenated. A question the facts answer
    (facts_answer) is answerable whatever the records say."""
    hits = [h for hits in lists for h in hits]
    ranks = [rank for hits in lists for rank in range(len(hits))]
    named = kinds_named(question)
    asked_days = dates(question)
    probabilities = [
        # A customer's record of the kind the question names ("in the store", "where did we
        # meet") or of the day it names ("what did Maria ask on April 3?") is answerable
        # evidence even when no other word of it matches.
        max(p, model.answer_at) if _named(h, named, asked_days) else p
        for h, p in (
            (h, model.probability(evidence(question, h, r, c)))
            for h, r, c in zip(hits, ranks, cosines, strict=True)
        )
    ]
    confidence = max(probabilities, default=0.0)
    answerable = confidence >= model.answer_at
    kept = [
        h for h, p in zip(hits, probabilities, strict=True) if answerable and p >= model.keep_at
    ]
    return Decision(answerable or facts_answer, confidence, kept, probabilities)


def _named(hit: SearchHit, kinds: set[str], days: set[tuple[int, int]]) -> bool:
    """Whether the hit is a customer's record of a kind or a day the question names."""
    if hit.customer_id is None:
        return False
    day = hit.occurred_at and (hit.occurred_at.month, hit.occurred_at.day)
    return hit.kind in kinds or (day in days)


def trust_not_in_records(
    said_not_in_records: bool, confidence: float, model: Model = FITTED
) -> bool:
    """Whether the model's NOT_IN_RECORDS stands: it does unless the records are near certain
    to answer (a weak model says it of records that plainly do; the extractive answer then
    quotes the sentences that answer)."""
    return said_not_in_records and confidence < model.sure_at
