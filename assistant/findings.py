"""Found by code in the records: open issues, complaints, promises with due dates, trend."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from assistant.commitments import commitment, fulfilled, without_courtesy
from assistant.enrich import classify_intent, classify_sentiment
from assistant.similarity import split_sentences
from knowledge.injection import redact
from knowledge.records import InteractionRecord
from knowledge.vocabulary import OPEN_STATUSES


@dataclass(frozen=True)
class Finding:
    interaction: InteractionRecord
    text: str  # the sentence (or subject) that says it
    due: str | None = None  # promises: the due date as written in the record
    status: str | None = None  # promises: "open", or "fulfilled" when a later record did it


def _text(i: InteractionRecord) -> str:
    return unicodedata.normalize("NFKC", f"{i.subject or ''}。{i.body}")


def sentiment_of(i: InteractionRecord) -> str:
    """Stored sentiment if enriched, else computed by the same rules."""
    return i.sentiment or classify_sentiment(_text(i), i.rating)


def open_issues(interactions: list[InteractionRecord]) -> list[Finding]:
    """Open or pending records, newest first."""
    found = [i for i in interactions if (i.status or "").lower() in OPEN_STATUSES]
    return [Finding(i, headline(i)) for i in sorted(found, key=_when, reverse=True)]


def complaints(interactions: list[InteractionRecord], intents: list[str]) -> list[Finding]:
    """Negative records and complaints (not already open issues), newest first."""
    out = []
    for i in sorted(interactions, key=_when, reverse=True):
        if (i.status or "").lower() in OPEN_STATUSES:
            continue
        intent = i.intent or classify_intent(_text(i), intents)
        if sentiment_of(i) == "negative" or intent in ("complaint", "product_defect"):
            out.append(Finding(i, headline(i)))
    return out


def promises(interactions: list[InteractionRecord]) -> list[Finding]:
    """Our commitments (owner, action, usually a date; assistant/commitments.py), open ones
    first, newest first; a later record that says the action was done marks one fulfilled.
    Courtesy ("確認いたしますので少々お待ちください") is not a promise; flagged text is skipped."""
    newest = sorted(interactions, key=_when, reverse=True)
    out = []
    for i in newest:
        later = [f"{j.subject or ''} {j.body}" for j in newest if j.occurred_at > i.occurred_at]
        for sentence in split_sentences(unicodedata.normalize("NFKC", redact(i.body))):
            c = commitment(sentence)
            if c is None or c.owner != "us":
                continue
            status = "fulfilled" if fulfilled(c, later) else "open"
            out.append(Finding(i, c.sentence, c.due, status))
    return sorted(out, key=lambda f: f.status != "open")


def notable(interactions: list[InteractionRecord], limit: int) -> list[Finding]:
    """The newest records with a clear intent, a rating or a status, then the newest others."""
    newest = sorted(interactions, key=_when, reverse=True)
    ranked = [i for i in newest if (i.intent and i.intent != "other") or i.rating or i.status]
    ranked += [i for i in newest if i not in ranked]
    # Notes of meetings and calls pack several facts per line; show a little more of them.
    return [
        Finding(i, headline(i, 3 if i.kind in ("meeting_note", "call") else 2))
        for i in ranked[:limit]
    ]


def sentiment_trend(interactions: list[InteractionRecord]) -> list[tuple[str, Counter[str]]]:
    """Sentiment counts per quarter (YYYY-Qn), oldest first."""
    by_quarter: dict[str, Counter[str]] = {}
    for i in interactions:
        q = f"{i.occurred_at.year}-Q{(i.occurred_at.month - 1) // 3 + 1}"
        by_quarter.setdefault(q, Counter())[sentiment_of(i)] += 1
    return sorted(by_quarter.items())


def _when(i: InteractionRecord) -> datetime:
    return i.occurred_at


_GREETING = re.compile(
    r"お世話になっております|ありがとうございます。?$|様$|^お客様:?$|^担当|ご連絡ありがとう"
    r"|^(?:dear|hi|hello)\b|thank you for (?:contacting|reaching|your message)|^best regards",
    re.IGNORECASE,
)


def headline(i: InteractionRecord, sentences: int = 2) -> str:
    """Subject and the first sentences that say something (greetings skipped, text addressed
    to an AI cut out), ~200 chars."""
    body = unicodedata.normalize("NFKC", redact(i.body))
    said = [without_courtesy(s) for s in split_sentences(body) if not _GREETING.search(s.strip())]
    said = [s for s in said if s][:sentences]
    first = "".join(said) if _CJK_END.search("".join(said)) else " ".join(said)
    text = f"{redact(i.subject)}: {first}" if i.subject else first
    return text.strip()[:240]


_CJK_END = re.compile(r"[。！？]")
