"""What the model is shown: numbered records in marked data blocks, and facts rendered by code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from assistant.labels import label
from knowledge.injection import is_flagged, redact
from knowledge.records import InteractionRecord
from retrieval.types import SearchHit

# A record may not close its own block or open a new one: these markers are neutralised.
_MARKERS = re.compile(r"<<<|>>>|\[\s*\d+\s*\]")


@dataclass(frozen=True)
class ContextRecord:
    """One record as numbered in the context; n is what the model cites as [n]."""

    n: int
    record_id: str
    kind: str
    customer_id: int | None
    date: datetime | None
    title: str | None
    text: str  # the excerpt shown to the model (and searched for support)
    span: str  # the best matching sentence(s), quoted in citations
    # How sure the answerability decision is that the records answer (assistant.answerability).
    confidence: float = 1.0
    # Text addressed to an AI was found (knowledge/injection.py): text and span then come
    # with that span cut out, so nothing downstream can quote, cite or obey it.
    flagged: bool = False

    def __post_init__(self) -> None:
        if self.flagged or is_flagged(self.text) or is_flagged(self.span):
            object.__setattr__(self, "flagged", True)
            object.__setattr__(self, "text", redact(self.text))
            object.__setattr__(self, "span", redact(self.span))


def estimate_tokens(text: str) -> int:
    """A rough token count: ~4 Latin characters per token, ~1 token per CJK character."""
    ascii_chars = sum(1 for c in text if ord(c) < 128)
    return ascii_chars // 4 + (len(text) - ascii_chars)


def _clean(text: str) -> str:
    return _MARKERS.sub(" ", " ".join(text.split()))


def neutralise(text: str) -> str:
    """Whitespace collapsed, block or citation markers inside data text made harmless, and
    text addressed to an AI cut out (knowledge/injection.py), for data shown to the model or
    listed by code (overviews, tool results)."""
    return _clean(redact(text))


def select_records(
    hits: list[SearchHit],
    *,
    budget_tokens: int,
    record_chars: int,
    start: int = 1,
    confidence: float = 1.0,
) -> list[ContextRecord]:
    """One entry per record (its best chunk), numbered from `start`, until the budget is spent."""
    records: list[ContextRecord] = []
    seen: set[str] = set()
    used = 0
    for hit in hits:
        if hit.record_id in seen:
            continue
        text = _clean(redact(hit.text))[:record_chars]
        cost = estimate_tokens(text) + 20
        if records and used + cost > budget_tokens:
            break
        seen.add(hit.record_id)
        used += cost
        records.append(
            ContextRecord(
                n=start + len(records),
                record_id=hit.record_id,
                kind=hit.kind,
                customer_id=hit.customer_id,
                date=hit.occurred_at,
                title=hit.title,
                text=text,
                span=_clean(redact(hit.span or hit.text))[:record_chars],
                confidence=confidence,
                flagged=is_flagged(hit.text),
            )
        )
    return records


def interaction_record(n: int, i: InteractionRecord, chars: int) -> ContextRecord:
    """An interaction as record n of a context: subject and body, whitespace collapsed."""
    raw = f"{i.subject + ' — ' if i.subject else ''}{i.body}"
    # Subject and body are scanned and cut each on its own, as enrichment scans them: joined,
    # an instruction that opens the body no longer opens a line and could slip through.
    shown = f"{redact(i.subject) + ' — ' if i.subject else ''}{redact(i.body)}"
    text = " ".join(shown.split())[:chars]
    flagged = i.flagged or is_flagged(raw)
    return ContextRecord(
        n, i.record_id, i.kind, i.customer_id, i.occurred_at, i.subject, text, text[:240], flagged
    )


def within_budget(records: list[ContextRecord], budget_tokens: int) -> list[ContextRecord]:
    """The leading records whose text fits the token budget (at least one)."""
    kept: list[ContextRecord] = []
    used = 0
    for r in records:
        cost = estimate_tokens(r.text) + 20
        if kept and used + cost > budget_tokens:
            break
        kept.append(r)
        used += cost
    return kept


def render_records(records: list[ContextRecord], language: str) -> str:
    """The RECORDS block: each record between <<<RECORD n ...>>> and <<<END RECORD n>>>."""
    lines = [label("records_header", language)]
    if not records:
        lines.append(label("no_records", language))
    for r in records:
        date = r.date.date().isoformat() if r.date else "-"
        title = f" title={neutralise(r.title)[:80]!r}" if r.title else ""
        lines.append(f"<<<RECORD {r.n} id={r.record_id} kind={r.kind} date={date}{title}>>>")
        lines.append(r.text)
        lines.append(f"<<<END RECORD {r.n}>>>")
    return "\n".join(lines)


def render_facts(facts: dict[str, str], language: str) -> str:
    """The FACTS block, one 'name: value' line each, exactly as computed from SQL."""
    if not facts:
        return ""
    lines = [label("facts_header", language)]
    lines += [f"- {name}: {value}" for name, value in facts.items()]
    return "\n".join(lines)
