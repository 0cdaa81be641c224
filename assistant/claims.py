"""Claim checks: a generated sentence must agree with the record it cites on numbers, dates,
names, who did what and whether it happened, not only share its words; and an answer says
each thing once.

Rules, not a model: each check compares the sentence with the record sentence closest to it.
Measured on deliberately corrupted sentences made from the demo's records by
benchmarks/bench_claims.py (docs/assistant.md).
"""

from __future__ import annotations

import re
import unicodedata

from assistant.similarity import content_tokens, overlap, sentences_of

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            "january jan", "february feb", "march mar", "april apr", "may", "june jun",
            "july jul", "august aug", "september sep sept", "october oct",
            "november nov", "december dec",
        )
    )
    for m in names.split()
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_PATTERNS = (
    # 2026-12-05, 2026/12/05
    (re.compile(r"(?:\d{4})[-/](\d{1,2})[-/](\d{1,2})"), "md"),
    # 12月5日, 2026年12月5日
    (re.compile(r"(\d{1,2})月(\d{1,2})日"), "md"),
    # December 5, Dec 5th
    (re.compile(rf"\b({_MONTH_NAMES})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b"), "Md"),
    # 5 December
    (re.compile(rf"\b(\d{{1,2}})\s+({_MONTH_NAMES})\b"), "dM"),
)
# Who acts in a support record. Each group is one role; words of a group stand for it.
ROLES: dict[str, tuple[str, ...]] = {
    "customer": ("customer", "client", "お客様", "顧客", "先方"),
    "we": ("we ", "our team", "support", "当社", "弊社", "担当"),
    "courier": ("courier", "carrier", "delivery company", "配送業者", "運送会社"),
    "billing": ("billing", "finance", "経理", "請求担当"),
    "engineering": ("engineering", "engineers", "開発"),
}
_NEGATION = re.compile(
    r"\b(?:not|never|no|none|didn't|doesn't|don't|isn't|wasn't|weren't|won't|cannot|can't)\b"
    r"|(?:ない|ません|ず[、。]|なかった|できない|不要)"
)
_NAME = re.compile(r"\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)+)\b")
_JA_NAME = re.compile(r"([\u4e00-\u9fff]{1,4}(?:\s?[\u4e00-\u9fff]{1,3})?)(?:様|さん)")
_REPEAT = re.compile(r"(.{3,}?)(?:\s*\1){2,}")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def numbers(text: str) -> set[str]:
    """The numbers written in a text, separators dropped ("6,600" -> "6600")."""
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(_norm(text))}


def dates(text: str) -> set[tuple[int, int]]:
    """(month, day) of every date written in the text, in either language."""
    norm = _norm(text).lower()
    found: set[tuple[int, int]] = set()
    for pattern, order in _DATE_PATTERNS:
        for a, b in pattern.findall(norm):
            if order == "md":
                month, day = int(a), int(b)
            elif order == "Md":
                month, day = _MONTHS[a], int(b)
            else:
                month, day = _MONTHS[b], int(a)
            if 1 <= month <= 12 and 1 <= day <= 31:
                found.add((month, day))
    return found


def names(text: str) -> set[str]:
    """Personal names: capitalised word pairs (English), a name before 様/さん (Japanese)."""
    norm = _norm(text)
    found = {n for n in _NAME.findall(norm)}
    found |= {n.replace(" ", "") for n in _JA_NAME.findall(norm) if len(n) >= 2}  # not お客様
    return found


def roles(text: str) -> set[str]:
    """The roles (see ROLES) a text mentions."""
    low = f" {_norm(text).lower()} "
    return {role for role, words in ROLES.items() if any(w in low for w in words)}


def negated(text: str) -> bool:
    """Whether the text says something did not happen (or is not so)."""
    return bool(_NEGATION.search(_norm(text).lower()))


def closest_sentence(claim: str, record: str) -> str:
    """The record's sentence that shares the most content tokens with the claim."""
    sentences = sentences_of(record)
    asked = content_tokens(claim)
    return max(sentences, key=lambda s: overlap(asked, content_tokens(s)))


def disagreements(claim: str, record: str) -> list[str]:
    """What the claim gets wrong about the record: 'number 7', 'date 12-5', 'name Ken Mori',
    'role courier->customer', 'negation'; [] when it agrees on all of them."""
    wrong: list[str] = []
    wrong += [f"number {n}" for n in sorted(numbers(claim) - numbers(record))]
    # A date is also numbers; a date whose month and day both appear elsewhere is still wrong.
    wrong += [f"date {m}-{d}" for m, d in sorted(dates(claim) - dates(record))]
    record_names = {n.replace(" ", "") for n in names(record)}
    flat = _norm(record).replace(" ", "")
    wrong += [
        f"name {n}"
        for n in sorted(names(claim))
        if n.replace(" ", "") not in record_names and n.replace(" ", "") not in flat
    ]
    source = closest_sentence(claim, record)
    said, held = roles(claim), roles(source)
    if said and held and not said & held:
        # The record's sentence about this names another actor ("the courier's sorting error"
        # told as "the customer's error").
        wrong.append(f"role {','.join(sorted(held))}->{','.join(sorted(said))}")
    asked = content_tokens(claim)
    close = [s for s in sentences_of(record) if overlap(asked, content_tokens(s)) >= 0.5]
    if negated(claim):
        if close and not any(negated(s) for s in close):
            wrong.append("negation")  # "did not" where every sentence about it says it did
    elif close and all(negated(s) and _negated_word(s) in _norm(claim).lower() for s in close):
        # The record's sentence told without its "not": the negated verb is in the claim (a
        # claim that leaves the negated part out, "late" of "late and not delivered", is not).
        wrong.append("negation")
    return wrong


def _negated_word(sentence: str) -> str:
    """The word a negation applies to: the kanji before ない/ません, the word after "not"."""
    text = _norm(sentence).lower()
    match = _NEGATION.search(text)
    if match is None:
        return "\0"
    if match.group().isascii():
        after = re.match(r"\s*(\w+)", text[match.end() :])
        return after.group(1) if after else match.group()
    kanji = re.findall(r"[\u3400-\u9fff]", text[: match.start()])
    return kanji[-1] if kanji else match.group()


def degenerate(sentence: str) -> bool:
    """Whether a sentence is one phrase repeated (a weak model's loop)."""
    match = _REPEAT.search(sentence)
    return match is not None and len(match.group(0)) >= 0.5 * len(sentence)


def duplicate_of(sentence: str, earlier: list[str], threshold: float = 0.85) -> bool:
    """Whether the sentence says again what an earlier one said (token overlap both ways)."""
    tokens = content_tokens(sentence)
    for prior in earlier:
        other = content_tokens(prior)
        if tokens and overlap(tokens, other) >= threshold and overlap(other, tokens) >= threshold:
            return True
    return sentence.strip() in (p.strip() for p in earlier)
