"""Checks on every output: valid citations only, no contact data or numbers that are not sourced."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable

from assistant.context import ContextRecord

# Trailing punctuation belongs to the sentence, not the URL. A bare domain ("evil.example/x")
# is a link too: a model copies one from a record as readily as a full URL.
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'）)]*[^\s<>\"'）).,;:!?。、]"
    r"|(?<![\w@.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|biz|info|io|co|jp|xyz|example|top|"
    r"app|dev|shop|online|site|link|ly)(?:/[^\s<>\"'）)]*[^\s<>\"'）).,;:!?。、])?(?![\w-])",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A phone number, not a date: "2025-03-09" and "2025/03/09" are left to the claim checks.
_PHONE = re.compile(
    r"(?<![\w])(?!\d{4}[-/]\d{1,2}[-/]\d{1,2}(?![\d]))\+?\d[\d\-‐ ()]{7,}\d(?![\w])"
)
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def scrub_unsafe(text: str, sources: str) -> tuple[str, int]:
    """Remove URLs, e-mail addresses and phone numbers that do not occur in the sources."""
    norm_sources = _norm(sources)
    source_digits = {_digits(m) for m in _PHONE.findall(norm_sources)}
    removed = 0

    def drop(match: re.Match[str], is_phone: bool = False) -> str:
        nonlocal removed
        token = match.group(0)
        present = _digits(token) in source_digits if is_phone else _norm(token) in norm_sources
        if present:
            return token
        removed += 1
        return ""

    text = _URL.sub(drop, unicodedata.normalize("NFKC", text))
    text = _EMAIL.sub(drop, text)
    text = _PHONE.sub(lambda m: drop(m, is_phone=True), text)
    return re.sub(r"[ \t]{2,}", " ", text).strip(), removed


def unsourced_numbers(sentence: str, sources: str) -> list[str]:
    """Numbers in a generated sentence that appear nowhere in the sources (facts and records)."""
    source_numbers = {n.replace(",", "") for n in _NUMBER.findall(_norm(sources))}
    found = [n.replace(",", "") for n in _NUMBER.findall(_norm(sentence))]
    return [n for n in found if n not in source_numbers]


def check_citations(
    record_ids: Iterable[str],
    context: list[ContextRecord],
    customer_id: int | None,
    owner_of: Callable[[str], int | None],
) -> tuple[list[str], int]:
    """Keep citations of records that were in the context and belong to the customer (or the KB).

    owner_of asks SQL who owns a record, so a wrong customer id in the index cannot leak through.
    """
    shown = {r.record_id for r in context}
    valid: list[str] = []
    removed = 0
    for rid in record_ids:
        ok = rid in shown
        if ok and not rid.startswith("article:"):
            ok = customer_id is not None and owner_of(rid) == customer_id
        if ok and rid not in valid:
            valid.append(rid)
        elif not ok:
            removed += 1
    return valid, removed


# Offers a draft might make: allowed only when a trusted source (the company's settings, the
# purpose's frame, knowledge-base articles) makes them, never because a customer wrote them.
_OFFER = re.compile(
    r"\d+\s?(?:%|％|percent|割)\s?(?:off|引き|オフ)?|discount|coupon|voucher|promo(?:tion)? code"
    r"|free (?:shipping|gift|sample|upgrade|of charge)|\bfree\b|refund|store credit|cash ?back"
    r"|割引|値引|クーポン|無料|特典|プレゼント|返金|ポイント\s?\d+\s?倍|キャンペーン",
    re.IGNORECASE,
)


# A code-like token (letters and digits, as coupon codes are): in a sentence that makes an
# offer it must be the trusted offer's own code.
_CODE = re.compile(
    r"(?<![a-z0-9_-])(?=[a-z0-9_-]*\d)(?=[a-z0-9_-]*[a-z])[a-z0-9][a-z0-9_-]{2,31}(?![a-z0-9_-])"
)


def untrusted_offer(sentence: str, trusted: str) -> str | None:
    """The offer a sentence makes that no trusted source makes (None when there is none).

    A campaign's offer (code, value, validity) is trusted text: a sentence may repeat it, but
    another amount or code next to offer words is refused."""
    norm_trusted = _norm(trusted)
    norm = _norm(sentence)
    offers = list(_OFFER.finditer(norm))
    for m in offers:
        if m.group(0) not in norm_trusted:
            return m.group(0)
    if offers:
        for m in _CODE.finditer(norm):
            if m.group(0) not in norm_trusted:
                return m.group(0)
    return None
