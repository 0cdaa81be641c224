"""Normalisation of customer data: NFKC text, canonical e-mail and phone, name keys for 名寄せ."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import jaconv
import phonenumbers

from knowledge.errors import RowRejected

_SPACES = re.compile(r"\s+")
# Pragmatic address check (not RFC 5322): one @, a dotted domain, no spaces.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_NON_KEY = re.compile(r"[^a-z0-9]")
# Company forms that sources write inconsistently (before or after the name, abbreviated).
_COMPANY_FORMS = re.compile(
    r"株式会社|有限会社|合同会社|\(株\)|\(有\)|㈱|㈲"
    r"|\b(?:co\.?,? ?ltd|inc|ltd|llc|k\.k|corporation|corp)\b\.?"
)
# Romanisations that mean the same sound (Hepburn and Kunrei), folded to the shorter one.
_ROMAJI_FOLDS = (
    ("shi", "si"),
    ("sh", "sy"),
    ("chi", "ti"),
    ("ch", "ty"),
    ("tsu", "tu"),
    ("fu", "hu"),
    ("ji", "zi"),
    ("j", "zy"),
    ("ou", "o"),
)
_LONG_VOWEL = re.compile(r"([aeiou])\1+")
_SCRIPT_RUNS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")
_MBP_N = re.compile(r"m(?=[bmp])")


def normalize_text(s: str | None) -> str | None:
    """NFKC (全角/半角), trimmed, inner whitespace collapsed; None or blank gives None."""
    if s is None:
        return None
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", str(s))).strip()
    return text or None


def canonical_email(s: str | None) -> str | None:
    """Normalised, lower-cased, validated e-mail; None when empty; RowRejected when malformed."""
    text = normalize_text(s)
    if text is None:
        return None
    email = text.replace(" ", "").lower()
    if not _EMAIL.match(email) or len(email) > 320:
        raise RowRejected(f"malformed e-mail address {text!r}", field="email")
    return email


def canonical_phone(s: str | None, default_region: str = "JP") -> str | None:
    """E.164 form of a phone number (national numbers read in default_region); RowRejected."""
    text = normalize_text(s)
    if text is None:
        return None
    # NFKC already turned 全角 digits into ASCII; long-vowel marks are used as dashes too.
    text = text.replace("ー", "-").replace("−", "-").replace("‐", "-")
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as e:
        raise RowRejected(f"unparseable phone number {text!r} ({e})", field="phone") from e
    if not phonenumbers.is_possible_number(number):
        raise RowRejected(f"impossible phone number {text!r}", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def name_key(name: str, kana: str | None = None) -> str:
    """Matching key insensitive to 全角/半角, spaces, case, hiragana/katakana and kana/romaji."""
    # The reading (kana) is more reliable than a guessed reading of kanji, so it wins.
    source = kana if kana and kana.strip() else name
    return _name_key(normalize_text(source) or "")


def normalize_postal_code(s: str | None) -> str | None:
    """Postal code with only letters and digits, upper-cased (〒123-4567 → 1234567)."""
    text = normalize_text(s)
    if text is None:
        return None
    code = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    return code or None


def address_key(s: str | None) -> str:
    """Address compared loosely: NFKC, lower case, no spaces or punctuation."""
    text = normalize_text(s) or ""
    return re.sub(r"[\s,.\-・、。()]", "", text.lower())


@lru_cache(maxsize=65536)
def _name_key(text: str) -> str:
    lowered = _COMPANY_FORMS.sub(" ", text.lower())
    # Readings are looked up per run of Japanese script: family and given names repeat
    # across customers far more than whole names do, so the cache hits.
    romaji = "".join(
        run if run.isascii() else _romaji(run) for run in _SCRIPT_RUNS.findall(lowered)
    )
    key = _NON_KEY.sub("", romaji.lower())
    for a, b in _ROMAJI_FOLDS:
        key = key.replace(a, b)
    # Long vowels are written (tarou, taroo) or not (taro): keep one.
    key = _LONG_VOWEL.sub(r"\1", key)
    return _MBP_N.sub("n", key)


@lru_cache(maxsize=65536)
def _romaji(run: str) -> str:
    return "".join(part["hepburn"] for part in _kakasi().convert(jaconv.hira2kata(run)))


@lru_cache(maxsize=1)
def _kakasi():  # type: ignore[no-untyped-def]
    # Built lazily: loading the dictionaries takes a moment and is not needed at import.
    import pykakasi

    return pykakasi.kakasi()
