"""Found by code in the records: open issues, complaints, promises with due dates, trend."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from assistant.enrich import classify_intent, classify_sentiment
from assistant.similarity import split_sentences
from knowledge.records import InteractionRecord

_PROMISE = re.compile(
    r"約束|までに|期限|予定です|(?<!お願い)いたします|(?<!お願い)致します|ご連絡します|送付|手配"
    r"|promis|will (?:send|call|deliver|ship|follow|provide|get back|arrange|replace|refund|visit)"
    r"|committed|agreed to|by (?:mon|tue|wed|thu|fri|sat|sun|end of|next|the end|\d)|\bdue\b"
    r"|we'll",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?|\d{1,2}月\d{1,2}日|\d{1,2}/\d{1,2}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:, ?\d{4})?"
    r"|\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*(?: \d{4})?"
    r"|(?:next|this) (?:week|month|monday|tuesday|wednesday|thursday|friday)"
    r"|来週|今週|月末|今月中|来月",
    re.IGNORECASE,
)
OPEN_STATUSES = ("open", "pending")


@dataclass(frozen=True)
class Finding:
    interaction: InteractionRecord
    text: str  # the sentence (or subject) that says it
    due: str | None = None  # promises: the due date as written in the record


def _text(i: InteractionRecord) -> str:
    return unicodedata.normalize("NFKC", f"{i.subject or ''}。{i.body}")


def sentiment_of(i: InteractionRecord) -> str:
    """Stored sentiment if enriched, else computed by the same rules."""
    return i.sentiment or classify_sentiment(_text(i), i.rating)


def open_issues(interactions: list[InteractionRecord]) -> list[Finding]:
    """Open or pending records, newest first."""
    found = [i for i in interactions if (i.status or "").lower() in OPEN_STATUSES]
    return [Finding(i, _headline(i)) for i in sorted(found, key=_when, reverse=True)]


def complaints(interactions: list[InteractionRecord], intents: list[str]) -> list[Finding]:
    """Negative records and complaints (not already open issues), newest first."""
    out = []
    for i in sorted(interactions, key=_when, reverse=True):
        if (i.status or "").lower() in OPEN_STATUSES:
            continue
        intent = i.intent or classify_intent(_text(i), intents)
        if sentiment_of(i) == "negative" or intent in ("complaint", "product_defect"):
            out.append(Finding(i, _headline(i)))
    return out


def promises(interactions: list[InteractionRecord]) -> list[Finding]:
    """Sentences that promise something (we will ..., 〜までに), with a due date when written."""
    out = []
    for i in sorted(interactions, key=_when, reverse=True):
        for sentence in split_sentences(unicodedata.normalize("NFKC", i.body)):
            if _PROMISE.search(sentence):
                due = _DATE.search(sentence)
                out.append(Finding(i, sentence.strip()[:240], due.group(0) if due else None))
    return out


def sentiment_trend(interactions: list[InteractionRecord]) -> list[tuple[str, Counter[str]]]:
    """Sentiment counts per quarter (YYYY-Qn), oldest first."""
    by_quarter: dict[str, Counter[str]] = {}
    for i in interactions:
        q = f"{i.occurred_at.year}-Q{(i.occurred_at.month - 1) // 3 + 1}"
        by_quarter.setdefault(q, Counter())[sentiment_of(i)] += 1
    return sorted(by_quarter.items())


def _when(i: InteractionRecord) -> datetime:
    return i.occurred_at


def _headline(i: InteractionRecord) -> str:
    first = next(iter(split_sentences(unicodedata.normalize("NFKC", i.body))), "")
    text = f"{i.subject}: {first}" if i.subject else first
    return text.strip()[:240]
