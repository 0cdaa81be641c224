"""Attribute every generated sentence to a record in the context, or drop it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.claims import degenerate, disagreements, duplicate_of
from assistant.context import ContextRecord
from assistant.guards import check_citations, scrub_unsafe, unsourced_numbers
from assistant.similarity import (
    Scorer,
    best_sentence,
    content_tokens,
    overlap,
    split_sentences,
)
from assistant.types import Citation, GuardReport, Sentence
from knowledge.settings import AssistantSettings

_MARKER = re.compile(r"\[\s*(\d+(?:\s*[,、]\s*\d+)*)\s*\]")
NOT_IN_RECORDS = "NOT_IN_RECORDS"


@dataclass(frozen=True)
class GroundingPolicy:
    """Every threshold of relevance and attribution, defined here once.

    Overlap is the share of a sentence's content tokens found in a record; cosine is the
    embedding similarity of the two.
    """

    # From settings.assistant (see from_settings): a hit plausibly answers the question when its
    # cosine is at least relevance_threshold (calibrated) or its overlap relevance_overlap;
    # a sentence without a valid marker needs support_threshold overlap (or support_cosine).
    relevance_cosine: float
    support_overlap: float
    relevance_overlap: float = 0.5
    # A marker the model wrote still needs some overlap with its record; without a marker the
    # best record must clear the higher support bar.
    marker_overlap: float = 0.15
    marker_cosine: float = 0.35
    support_cosine: float = 0.5
    # A sentence made of the question's own words (this share or more) restates it.
    echo_overlap: float = 0.8

    @classmethod
    def from_settings(cls, config: AssistantSettings) -> GroundingPolicy:
        """The policy with the thresholds that settings.assistant makes configurable."""
        return cls(
            relevance_cosine=config.relevance_threshold, support_overlap=config.support_threshold
        )

    def relevant(self, overlap: float, cosine: float) -> bool:
        """Whether a text with these scores plausibly answers the question."""
        return cosine >= self.relevance_cosine or overlap >= self.relevance_overlap

    def marker_holds(self, overlap: float, cosine: float) -> bool:
        """Whether a record the model cited shares enough with the sentence to keep the marker."""
        return overlap >= self.marker_overlap or cosine >= self.marker_cosine

    def supports(self, overlap: float, cosine: float) -> bool:
        """Whether a record supports a sentence that has no valid marker of its own."""
        return overlap >= self.support_overlap or cosine >= self.support_cosine


@dataclass
class Grounded:
    sentences: list[Sentence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    guard: GuardReport = field(default_factory=GuardReport)
    said_not_in_records: bool = False
    dropped: list[str] = field(default_factory=list)  # unsupported sentences, cleaned
    order: list[str] = field(default_factory=list)  # kept and dropped sentences, in order


def citation_for(record: ContextRecord, claim: str) -> Citation:
    """A citation of the record, quoting its sentence closest to the claim."""
    return Citation(
        record_id=record.record_id,
        kind=record.kind,
        date=record.date,
        quote=best_sentence(record.text, claim)[:300],
    )


def ground(
    text: str,
    context: list[ContextRecord],
    scorer: Scorer,
    policy: GroundingPolicy,
    *,
    customer_id: int | None,
    owner_of: Callable[[str], int | None],
    facts_text: str,
    check: Callable[[list[str]], tuple[list[str], int]] | None = None,
    question: str = "",  # set: a sentence that only restates it is dropped
) -> Grounded:
    """Split the model's text into sentences, keep the supported ones with valid citations.

    check replaces the one-customer citation check (the agent checks each record against the
    customer it was fetched for); it returns (valid ids, number removed).
    """
    out = Grounded()
    sources = facts_text + "\n" + "\n".join(r.text for r in context)
    asked = content_tokens(question)
    for raw in split_sentences(text):
        if NOT_IN_RECORDS in raw:
            out.said_not_in_records = True
            continue
        sentence = _clean_sentence(raw, sources, asked, policy, out.guard)
        if sentence is None:
            continue
        if degenerate(sentence) or duplicate_of(sentence, [s.text for s in out.sentences]):
            out.guard.unsupported_sentences_dropped += 1  # said once is enough
            continue
        out.order.append(sentence)
        cited = _supporting(sentence, _markers(raw), context, scorer, policy, out.guard)
        if cited and disagreements(sentence, "\n".join([facts_text, *(r.text for r in cited)])):
            # It shares the record's words but not its facts: another number, date, name,
            # actor or the opposite polarity.
            cited = []
        cited_ids = [r.record_id for r in cited]
        ids, removed = (
            check(cited_ids)
            if check
            else check_citations(cited_ids, context, customer_id, owner_of)
        )
        out.guard.invalid_citations_removed += removed
        if not ids:
            out.guard.unsupported_sentences_dropped += 1
            out.dropped.append(sentence)
            continue
        out.sentences.append(Sentence(text=sentence, citations=ids))
        known = {c.record_id for c in out.citations}
        for record in cited:
            if record.record_id in ids and record.record_id not in known:
                out.citations.append(citation_for(record, sentence))
                known.add(record.record_id)
    return out


def _markers(raw: str) -> list[int]:
    """The record numbers the model cited in a sentence ("[1]", "[1, 2]", "[1、2]")."""
    return [int(n) for m in _MARKER.findall(raw) for n in re.split(r"[,、]", m)]


def _clean_sentence(
    raw: str, sources: str, asked: set[str], policy: GroundingPolicy, guard: GuardReport
) -> str | None:
    """The sentence without markers and unsourced contact data; None when it must go."""
    # Drop markers and the space a marker leaves before the final period ("... [1].").
    sentence = re.sub(r"\s+([。.!?！？])$", r"\1", _MARKER.sub("", raw).strip(" -・*"))
    sentence, unsafe = scrub_unsafe(sentence, sources)
    guard.unsafe_tokens_removed += unsafe
    if len(sentence) < 4:
        return None
    if asked and _echoes(sentence, asked, policy.echo_overlap):
        # The question said back ("この会社の請求書の誤りについて教えてください", "Emily asked
        # about the sencha tin."): it would pass as supported, since the records share its
        # words, but it answers nothing.
        guard.unsupported_sentences_dropped += 1
        return None
    if unsourced_numbers(sentence, sources):
        guard.unsupported_sentences_dropped += 1  # numbers come from SQL, never the model
        return None
    return sentence


_SUFFIX = re.compile(r"(?<=[a-z]{3})(?:ing|ed|es|s)$")
_POLARITY = re.compile(
    r"\b(?:yes|no|not|never|none)\b|n't\b|はい|いいえ|ない|ません|ではなく", re.IGNORECASE
)


def _echoes(sentence: str, asked: set[str], bar: float) -> bool:
    """Whether the sentence only says the question back: most of its words are the question's
    ("asked" counting as "ask"), and it says no yes or no ("Yes, it was fixed" answers)."""
    said = {_SUFFIX.sub("", t) for t in content_tokens(sentence)}
    if not said or _POLARITY.search(sentence):
        return False
    return overlap(said, {_SUFFIX.sub("", t) for t in asked}) >= bar


def _supporting(
    sentence: str,
    numbers: list[int],
    context: list[ContextRecord],
    scorer: Scorer,
    policy: GroundingPolicy,
    guard: GuardReport,
) -> list[ContextRecord]:
    """The records the sentence is attributed to: its markers that hold, else the best record."""
    by_n = {r.n: r for r in context}
    scores = scorer.scores(sentence)
    cited: list[ContextRecord] = []
    for n in numbers:
        record = by_n.get(n)
        if record is None:
            guard.invalid_citations_removed += 1  # the model cited a record it never saw
            continue
        if policy.marker_holds(*scores[context.index(record)]):
            cited.append(record)
    if not cited and context:
        best = max(range(len(context)), key=lambda i: max(scores[i][0], scores[i][1]))
        if policy.supports(*scores[best]):
            cited.append(context[best])
    return cited
