"""Attribute every generated sentence to a record in the context, or drop it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

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

_MARKER = re.compile(r"\[\s*(\d+(?:\s*[,、]\s*\d+)*)\s*\]")
NOT_IN_RECORDS = "NOT_IN_RECORDS"
# A marker the model wrote still needs some overlap with its record; without a marker the
# best record must clear the higher support threshold (settings) to be attributed.
MARKER_MIN_OVERLAP = 0.15
MARKER_MIN_COSINE = 0.35
# A sentence made of the question's own words (this share or more) restates it.
ECHO_OVERLAP = 0.8


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
    *,
    customer_id: int | None,
    owner_of: Callable[[str], int | None],
    facts_text: str,
    support_threshold: float,
    support_cosine: float,
    check: Callable[[list[str]], tuple[list[str], int]] | None = None,
    question: str = "",  # set: a sentence that only restates it is dropped
) -> Grounded:
    """Split the model's text into sentences, keep the supported ones with valid citations.

    check replaces the one-customer citation check (the agent checks each record against the
    customer it was fetched for); it returns (valid ids, number removed).
    """
    out = Grounded()
    by_n = {r.n: r for r in context}
    sources = facts_text + "\n" + "\n".join(r.text for r in context)
    asked = content_tokens(question)
    for raw in split_sentences(text):
        if NOT_IN_RECORDS in raw:
            out.said_not_in_records = True
            continue
        numbers = [int(n) for m in _MARKER.findall(raw) for n in re.split(r"[,、]", m)]
        # Drop markers and the space a marker leaves before the final period ("... [1].").
        sentence = re.sub(r"\s+([。.!?！？])$", r"\1", _MARKER.sub("", raw).strip(" -・*"))
        sentence, unsafe = scrub_unsafe(sentence, sources)
        out.guard.unsafe_tokens_removed += unsafe
        if len(sentence) < 4:
            continue
        if asked and overlap(content_tokens(sentence), asked) >= ECHO_OVERLAP:
            # The question said back ("この会社の請求書の誤りについて教えてください"): it would
            # pass as supported, since the records share its words, but it answers nothing.
            out.guard.unsupported_sentences_dropped += 1
            continue
        if unsourced_numbers(sentence, sources):
            out.guard.unsupported_sentences_dropped += 1  # numbers come from SQL, never the model
            continue
        out.order.append(sentence)
        scores = scorer.scores(sentence)
        cited: list[ContextRecord] = []
        for n in numbers:
            record = by_n.get(n)
            if record is None:
                out.guard.invalid_citations_removed += 1  # the model cited a record it never saw
                continue
            ov, cos = scores[context.index(record)]
            if ov >= MARKER_MIN_OVERLAP or cos >= MARKER_MIN_COSINE:
                cited.append(record)
        if not cited and context:
            best = max(range(len(context)), key=lambda i: max(scores[i][0], scores[i][1]))
            ov, cos = scores[best]
            if ov >= support_threshold or cos >= support_cosine:
                cited.append(context[best])
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
