"""Citations made by code, and the one place that renders [n] markers after a sentence."""

from __future__ import annotations

from assistant.context import ContextRecord
from assistant.types import Citation, Sentence


def code_citation(record: ContextRecord, quote: str | None = None) -> Citation:
    """A citation for a sentence assembled by code from the record itself."""
    return Citation(
        record_id=record.record_id,
        kind=record.kind,
        date=record.date,
        quote=(quote or record.span or record.text)[:300],
    )


def numbered(citations: list[Citation]) -> dict[str, int]:
    """Record id -> its marker number: the position in the citations list, from 1."""
    return {c.record_id: n for n, c in enumerate(citations, 1)}


def with_markers(sentence: Sentence, numbers: dict[str, int]) -> str:
    """The sentence followed by the [n] markers of its numbered citations ("text [1][3]")."""
    marks = "".join(f"[{numbers[r]}]" for r in sentence.citations if r in numbers)
    return f"{sentence.text}{' ' + marks if marks else ''}"


def marked_text(sentences: list[Sentence], citations: list[Citation]) -> str:
    """Sentences one a line, each followed by its markers numbered by the citations list."""
    numbers = numbered(citations)
    return "\n".join(with_markers(s, numbers) for s in sentences)
