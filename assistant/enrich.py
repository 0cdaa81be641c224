"""Sentiment and intent of interactions by keyword rules in Japanese and English, and the
injection scan (knowledge/injection.py), all deterministic: run on every import path."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import transaction
from knowledge.enrichment_store import interactions_to_enrich, store_enrichment
from knowledge.injection import flag_reasons
from knowledge.records import InteractionRecord

log = logging.getLogger(__name__)

_POSITIVE = (
    "ありがとう",
    "感謝",
    "満足",
    "気に入",
    "美味し",
    "おいし",
    "素晴らし",
    "最高",
    "助かり",
    "嬉し",
    "うれし",
    "良かった",
    "よかった",
    "快適",
    "丁寧",
    "リピート",
    "thank",
    "great",
    "love",
    "excellent",
    "happy",
    "satisfied",
    "delicious",
    "perfect",
    "helpful",
    "recommend",
    "amazing",
    "pleased",
    "works well",
)
_NEGATIVE = (
    "不満",
    "残念",
    "遅い",
    "遅れ",
    "届かない",
    "届いていない",
    "壊れ",
    "破損",
    "不良",
    "故障",
    "返品",
    "返金",
    "解約",
    "苦情",
    "クレーム",
    "困って",
    "困り",
    "ひどい",
    "最悪",
    "怒",
    "不具合",
    "間違",
    "誤り",
    "漏れ",
    "できない",
    "使えない",
    "高すぎ",
    "まずい",
    "disappoint",
    "late",
    "delay",
    "broken",
    "damaged",
    "defect",
    "refund",
    "cancel",
    "complain",
    "angry",
    "terrible",
    "worst",
    "not working",
    "doesn't work",
    "does not work",
    "wrong",
    "missing",
    "never arrived",
    "poor",
    "unhappy",
    "frustrat",
    "leak",
)
# Intent -> keywords; the first intent with a hit wins, so the list order matters.
INTENT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "cancellation": ("解約", "退会", "キャンセル", "cancel", "unsubscribe", "terminate"),
    "product_defect": (
        "壊れ",
        "破損",
        "不良",
        "故障",
        "不具合",
        "漏れ",
        "異物",
        "defect",
        "broken",
        "damaged",
        "not working",
        "doesn't work",
        "does not work",
        "faulty",
        "leak",
    ),
    "delivery": (
        "配送",
        "配達",
        "届",
        "発送",
        "遅れ",
        "delivery",
        "shipping",
        "arrive",
        "shipment",
        "courier",
        "tracking",
    ),
    "billing": (
        "請求",
        "支払",
        "料金",
        "返金",
        "領収",
        "invoice",
        "billing",
        "charge",
        "payment",
        "refund",
        "receipt",
    ),
    "quote": ("見積", "更新", "契約", "quote", "quotation", "renewal", "contract", "pricing"),
    "how_to": (
        "方法",
        "使い方",
        "設定",
        "どうすれば",
        "教えて",
        "how do",
        "how to",
        "how can",
        "setup",
        "set up",
        "instructions",
        "reset",
    ),
    "complaint": ("苦情", "クレーム", "不満", "complain", "unacceptable", "disappoint"),
    "praise": (
        "ありがとう",
        "感謝",
        "満足",
        "素晴らし",
        "最高",
        "thank",
        "great",
        "love",
        "excellent",
        "amazing",
    ),
}


@dataclass(frozen=True)
class Enrichment:
    sentiment: str  # positive | neutral | negative
    intent: str | None
    injection_flags: str | None = None  # reasons the text reads as addressed to an AI


def _text(interaction: InteractionRecord) -> str:
    raw = f"{interaction.subject or ''} {interaction.body}"
    return unicodedata.normalize("NFKC", raw).lower()


def _hits(text: str, words: tuple[str, ...]) -> int:
    return sum(1 for w in words if w in text)


def classify_sentiment(text: str, rating: int | None = None) -> str:
    """positive / neutral / negative from a 1-5 rating if given, else from keyword counts."""
    if rating is not None:
        return "positive" if rating >= 4 else "negative" if rating <= 2 else "neutral"
    norm = unicodedata.normalize("NFKC", text).lower()
    # Negations like "not happy" would read as positive; count them as negative instead.
    negated = len(re.findall(r"\bnot (?:happy|satisfied|good|great)", norm))
    pos = _hits(norm, _POSITIVE) - negated
    neg = _hits(norm, _NEGATIVE) + negated
    if neg > pos:
        return "negative"
    return "positive" if pos > neg else "neutral"


def classify_intent(text: str, intents: list[str]) -> str | None:
    """The first configured intent whose keywords occur in the text, else 'other' if allowed."""
    norm = unicodedata.normalize("NFKC", text).lower()
    for intent, words in INTENT_KEYWORDS.items():
        if intent in intents and _hits(norm, words):
            return intent
    return "other" if "other" in intents else None


def enrich_interaction(interaction: InteractionRecord, intents: list[str]) -> Enrichment:
    """Sentiment, intent and injection flags of one interaction."""
    text = _text(interaction)
    raw = f"{interaction.subject or ''}\n{interaction.body}"
    return Enrichment(
        classify_sentiment(text, interaction.rating),
        classify_intent(text, intents),
        flag_reasons(raw),
    )


def enrich_all(
    sessions: sessionmaker[Session],
    intents: list[str],
    *,
    only_missing: bool = True,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 500,
) -> int:
    """Enrich every interaction not yet enriched (or all); returns how many were written."""
    with sessions() as session:
        todo = interactions_to_enrich(session, only_missing=only_missing)
    done = 0
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        results = []
        flags: dict[int, str | None] = {}
        for i in batch:
            e = enrich_interaction(i, intents)
            results.append((i.id, e.sentiment, e.intent))
            flags[i.id] = e.injection_flags
        with transaction(sessions) as session:
            done += store_enrichment(
                session, results, classified={i.id: i for i in batch}, flags=flags
            )
        if progress:
            progress(done, len(todo))
    log.info("enriched %d interactions", done)
    return done
