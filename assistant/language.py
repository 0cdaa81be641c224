"""Which language the user writes in: Japanese if the text has kana or mostly CJK, else English."""

from __future__ import annotations

import re

from knowledge.vocabulary import LANGUAGES, Language

_KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str) -> Language:
    """'ja' when the text contains kana or more CJK characters than Latin letters, else 'en'."""
    if _KANA.search(text):
        return "ja"
    cjk = len(_CJK.findall(text))
    return "ja" if cjk and cjk >= len(_LATIN.findall(text)) / 3 else "en"


def choose_language(requested: str | None, text: str, fallback: str | None = None) -> Language:
    """An explicit request wins, then the language of the text, then the fallback."""
    if requested in LANGUAGES:
        return requested  # type: ignore[return-value]
    if text.strip():
        return detect_language(text)
    return "ja" if fallback == "ja" else "en"
