"""Replace personal data by stable placeholders (⟦PERSON_1⟧, ⟦EMAIL_1⟧) and put it back.

One Masker serves one model call: the same value gets the same placeholder in every message of
the call, and the placeholders the model writes back (also in a streamed answer, also slightly
mangled: [PERSON_1], PERSON_1) are restored to the values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.masking.patterns import KINDS, Span, find_patterns, fold_text

# Lenient on the way back: a model may drop or swap the brackets.
_PLACEHOLDER = re.compile(
    r"(?:[⟦\[【〔]{1,2} ?)?(" + "|".join(KINDS) + r")_(\d+)(?: ?[⟧\]】〕]{1,2})?"
)
# The longest placeholder text a model might write (⟦ADDRESS_123⟧ with spaces): what a stream
# holds back while a placeholder may still be arriving.
_HOLD_CHARS = 24
# A knowledge-base article in a prompt's RECORDS block (assistant.context.render_records).
_ARTICLE_BLOCK = re.compile(r"<<<RECORD (\d+) id=article:[^>]*>>>.*?<<<END RECORD \1>>>", re.S)
_MAYBE_OPEN = re.compile(r"[⟦\[【〔]{1,2}\s?[A-Z_0-9]*$|[A-Z][A-Z_0-9]*$")
# A number as texts write it, in pieces: "090-1111-2222", "+81 90 1111 2222", "(03)1234-5678".
_NUMBER_PIECE = re.compile(r"\+?\(?\d[\d\-.()]*")
_MAX_PIECES = 5
ADDRESS_KEY = 4


@dataclass
class KnownValues:
    """Personal values known from SQL, found wherever they appear: a compiled finder per kind
    for names and addresses, and the digits of known phones and postal codes (a set: tens of
    thousands of numbers are looked up, not tried one by one)."""

    patterns: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    numbers: dict[str, str] = field(default_factory=dict)  # digits -> PHONE | POSTAL
    # Addresses without their spaces, by their first ADDRESS_KEY characters, longest first.
    addresses: dict[str, list[str]] = field(default_factory=dict)

    def spans(self, folded: str) -> list[Span]:
        found = [
            Span(m.start(), m.end(), kind)
            for kind, pattern in self.patterns
            for m in pattern.finditer(folded)
        ]
        if self.numbers:
            found += self._number_spans(folded)
        if self.addresses:
            found += self._address_spans(folded)
        return found

    def _address_spans(self, folded: str) -> list[Span]:
        # Texts space an address as they like: compare without spaces, map back to positions.
        where = [i for i, c in enumerate(folded) if not c.isspace()]
        compact = "".join(folded[i] for i in where)
        found = []
        for i in range(len(compact) - ADDRESS_KEY + 1):
            for address in self.addresses.get(compact[i : i + ADDRESS_KEY], ()):
                if compact.startswith(address, i):
                    found.append(Span(where[i], where[i + len(address) - 1] + 1, "ADDRESS"))
                    break
        return found

    def _number_spans(self, folded: str) -> list[Span]:
        pieces = list(_NUMBER_PIECE.finditer(folded))
        found = []
        for i, first in enumerate(pieces):
            digits = ""
            last = first
            for piece in pieces[i : i + _MAX_PIECES]:
                if piece is not first and folded[last.end() : piece.start()] not in (" ", "-"):
                    break
                digits += re.sub(r"\D", "", piece.group())
                last = piece
                kind = self.numbers.get(digits)
                if kind:
                    found.append(Span(first.start(), piece.end(), kind))
        return found


class Masker:
    """Masks texts and restores answers for one model call."""

    def __init__(self, known: KnownValues | None = None) -> None:
        self.known = known or KnownValues()
        self.by_value: dict[tuple[str, str], str] = {}  # (kind, folded value) -> placeholder
        self.values: dict[str, str] = {}  # placeholder -> the original value
        self.counts: dict[str, int] = {}

    def spans(self, text: str) -> list[Span]:
        """The spans to mask: overlapping finds are joined (a street address and the postcode
        inside it are one), of the kind of the longest find."""
        folded = fold_text(text)
        found = sorted(self.known.spans(folded) + find_patterns(text), key=lambda s: s.start)
        merged: list[Span] = []
        longest: list[Span] = []
        for span in found:
            if span.end <= span.start:
                continue
            if merged and span.start < merged[-1].end:
                last = merged[-1]
                if span.end - span.start > longest[-1].end - longest[-1].start:
                    longest[-1] = span
                merged[-1] = Span(last.start, max(last.end, span.end), longest[-1].kind)
            else:
                merged.append(span)
                longest.append(span)
        return merged

    def mask(self, text: str) -> str:
        """The text with each piece of personal data replaced by its placeholder; the
        knowledge base's articles (the company's own published text) are left as they are."""
        out: list[str] = []
        pos = 0
        for article in _ARTICLE_BLOCK.finditer(text):
            out.append(self._mask_text(text[pos : article.start()]))
            out.append(article.group())
            pos = article.end()
        out.append(self._mask_text(text[pos:]))
        return "".join(out)

    def _mask_text(self, text: str) -> str:
        out: list[str] = []
        pos = 0
        for span in self.spans(text):
            value = text[span.start : span.end]
            out.append(text[pos : span.start])
            out.append(self._placeholder(span.kind, value))
            pos = span.end
        out.append(text[pos:])
        return "".join(out)

    def _placeholder(self, kind: str, value: str) -> str:
        key = (kind, re.sub(r"\s+", "", fold_text(value)).lower())
        if key not in self.by_value:
            self.counts[kind] = self.counts.get(kind, 0) + 1
            placeholder = f"⟦{kind}_{self.counts[kind]}⟧"
            self.by_value[key] = placeholder
            self.values[placeholder] = value
        return self.by_value[key]

    def restore(self, text: str) -> str:
        """The model's text with every placeholder it knows put back to the value."""
        if not self.values:
            return text

        def put_back(m: re.Match[str]) -> str:
            value = self.values.get(f"⟦{m.group(1)}_{m.group(2)}⟧")
            return m.group() if value is None else value

        return _PLACEHOLDER.sub(put_back, text)

    def restorer(self) -> StreamRestorer:
        """A restorer for a streamed answer (placeholders may be cut between pieces)."""
        return StreamRestorer(self)

    def masked_count(self) -> dict[str, int]:
        """How many distinct values of each kind this call masked."""
        return dict(self.counts)


class StreamRestorer:
    """Restores a streamed answer piece by piece, holding back a possibly cut placeholder."""

    def __init__(self, masker: Masker) -> None:
        self.masker = masker
        self.pending = ""

    def feed(self, piece: str) -> str:
        """The restored text that can be shown now."""
        self.pending += piece
        cut = len(self.pending)
        tail = _MAYBE_OPEN.search(self.pending[-_HOLD_CHARS:])
        if tail is not None:
            cut = len(self.pending) - (len(self.pending[-_HOLD_CHARS:]) - tail.start())
        ready, self.pending = self.pending[:cut], self.pending[cut:]
        return self.masker.restore(ready)

    def flush(self) -> str:
        """What is left at the end of the stream, restored."""
        rest, self.pending = self.pending, ""
        return self.masker.restore(rest)
