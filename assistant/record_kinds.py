"""Which kinds of record a question names: "in her review", "店頭で", "where did we meet them".

A question that names the kind of record it is about points at those records even when it
shares no other word with them: "店頭でどんな要望がありましたか？" is about the store visits,
whose text says 大阪店にご来店; "Where did we meet this prospect?" is about the meeting note that
says 名刺交換 at an expo. Nouns name a kind ("reviews", "アンケート"); verbs only point at one
("asked us", "met"): a count of "how many reviews" counts the reviews, a count of "how many
times did she ask about X" does not count every inquiry.
"""

from __future__ import annotations

import re
import unicodedata


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


NOUNS: dict[str, re.Pattern[str]] = {
    "review": _rx(r"\breviews?\b|レビュー|口コミ|クチコミ"),
    "store_visit": _rx(
        r"\bstore visits?\b|\bvisit(?:s|ed)? (?:our|the|a) (?:store|shop)|\bin[- ]store\b"
        r"|来店|店頭|店舗で"
    ),
    "survey": _rx(r"\bsurveys?\b|\bquestionnaires?\b|アンケート"),
    "meeting_note": _rx(r"\bmeetings?\b|ミーティング|打ち合わせ|打合せ|商談|面談"),
    "call": _rx(r"\b(?:phone )?calls?\b|電話"),
    "email": _rx(r"\be-?mails?\b|メール"),
    "chat": _rx(r"\bchats?\b|チャット"),
    "ticket": _rx(r"\btickets?\b|チケット"),
    "inquiry": _rx(r"\binquir(?:y|ies)\b|\benquir(?:y|ies)\b|問い?合わ?せ"),
}
VERBS: dict[str, re.Pattern[str]] = {
    "meeting_note": _rx(r"\bmeet\b|\bmet\b|知り合|出会|お会い|会った|名刺"),
    "call": _rx(r"\bphoned?\b|\bcalled\b|\brang\b"),
    "email": _rx(r"\be-?mailed\b|\bwrote to us\b"),
    "inquiry": _rx(r"\bask(?:ed|s)?\b|質問|尋ね|聞かれ"),
    "review": _rx(r"\brated\b|評価"),
}


def _norm(question: str) -> str:
    return unicodedata.normalize("NFKC", question)


def kinds_named(question: str) -> set[str]:
    """The record kinds the question names or points at."""
    q = _norm(question)
    return {kind for table in (NOUNS, VERBS) for kind, rx in table.items() if rx.search(q)}


def kind_nouns(question: str) -> list[str]:
    """The record kinds the question names by a noun, in NOUNS order."""
    q = _norm(question)
    return [kind for kind, rx in NOUNS.items() if rx.search(q)]
