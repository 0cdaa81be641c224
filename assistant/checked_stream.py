"""The model's text cut into sentences as it streams, each checked the moment it ends.

Only a sentence that passed the checks is shown (the chat streams checked sentences, never raw
tokens). A sentence is complete when its end mark (。！？!? or a period before a space, or a
newline) is followed by more text that is not a citation marker: "…遅れています。[1]" keeps
its marker.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.grounding import Grounded
from assistant.pipeline import add_guard
from assistant.similarity import content_tokens, overlap
from assistant.types import Citation, GuardReport, Sentence

_END = re.compile(r"[。！？!?]+[」』）)\"']*|\.(?=\s)|\n+")
_LEAD_MARKERS = re.compile(r"^\s*(?:\[\s*\d+(?:\s*[,、]\s*\d+)*\s*\]\s*)+[。.]?")
_OPEN_MARKER = re.compile(r"^\s*(?:\[[\d\s,、]*\]\s*)*\[[\d\s,、]*$")
# "文です。[1]" -> "文です[1]。": the marker before the end mark, where the splitter keeps it.
_TRAILING = re.compile(r"^(.*?)([。！？!?.]+)\s*((?:\[[^\]]*\]\s*)+)[。.]?\s*$", re.DOTALL)
DUPLICATE_OVERLAP = 0.9  # a sentence sharing this much with a shown one says it again


class SentenceBuffer:
    """Collects streamed pieces and hands out each sentence once it is complete."""

    def __init__(self) -> None:
        self.text = ""

    def push(self, piece: str) -> list[str]:
        """Add a piece; the sentences it completed, in order."""
        self.text += piece
        out: list[str] = []
        while True:
            m = _END.search(self.text)
            if m is None:
                break
            rest = self.text[m.end() :]
            if not rest.strip() or _OPEN_MARKER.match(rest):
                break  # what follows may still be this sentence's marker
            end = m.end()
            lead = _LEAD_MARKERS.match(rest)
            if lead:
                if lead.end() == len(rest):
                    break
                end += lead.end()
            sentence, self.text = self.text[:end].strip(), self.text[end:]
            if sentence:
                out.append(sentence)
        return out

    def flush(self) -> list[str]:
        """The rest, once the model has finished (a last sentence without an end mark)."""
        rest, self.text = self.text.strip(), ""
        return [rest] if rest else []


def markers_inside(sentence: str) -> str:
    """The sentence with markers written after its end mark moved before it."""
    m = _TRAILING.match(sentence)
    return f"{m.group(1)}{m.group(3).strip()}{m.group(2)}" if m else sentence


@dataclass
class SentenceChecker:
    """Checks one sentence at a time with the job's check, and keeps what passed.

    check grounds a text (pipeline.check bound to the job's context); duplicates of a sentence
    already kept are dropped here, since each check sees one sentence.
    """

    check: Callable[[str], Grounded]
    sentences: list[Sentence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    guard: GuardReport = field(default_factory=GuardReport)
    said_not_in_records: bool = False

    def take(self, raw: str) -> list[Sentence]:
        """The checked sentence(s) of one raw sentence; [] when it did not pass."""
        grounded = self.check(markers_inside(raw))
        self.said_not_in_records |= grounded.said_not_in_records
        add_guard(self.guard, grounded.guard)
        kept: list[Sentence] = []
        for s in grounded.sentences:
            tokens = content_tokens(s.text)
            if any(_same(tokens, content_tokens(k.text)) for k in self.sentences):
                self.guard.unsupported_sentences_dropped += 1
                continue
            self.sentences.append(s)
            kept.append(s)
            known = {c.record_id for c in self.citations}
            self.citations += [
                c
                for c in grounded.citations
                if c.record_id in s.citations and c.record_id not in known
            ]
        return kept


def _same(a: set[str], b: set[str]) -> bool:
    return bool(a and b) and min(overlap(a, b), overlap(b, a)) >= DUPLICATE_OVERLAP
