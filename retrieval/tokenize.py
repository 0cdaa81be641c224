"""Tokenisation for the keyword index: Japanese morphemes (fugashi + unidic-lite) and English words.

Japanese text is cut into morphemes and reduced to dictionary forms, dropping particles and
auxiliaries; Latin-script words are lower-cased, stop words dropped and lightly stemmed, so
"Resetting" and "reset" meet.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Any

from retrieval.errors import RetrievalError

TOKENIZER_VERSION = "2"  # part of the keyword index layout: a change means re-tokenising


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SKIP_POS = _words("助詞 助動詞 補助記号 記号 空白 連体詞 代名詞 接頭辞 感動詞 接続詞")
# Function-like words that carry no topic: light verbs, "this person", "about", "thing" ...
_JA_STOP = _words(
    """する ある いる なる みる くる いく おる くれる もらう いただく いい よい ない 思う 言う
    つく 方 こと もの 時 ため よう 何 様 さん 頃 とても どう どの どこ どれ"""
)
_LATIN = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_STOP = _words(
    """a an and are as at be but by for from has have i if in into is it its me my no not of
    on or our so than that the their them then there these they this to was we were what when
    where which who why will with you your do does did can could would should please her his
    him she he us about up how any all some been being had just also"""
)
# Verb/noun endings stripped in order; the stem must keep at least three letters.
_SUFFIXES = ("ingly", "edly", "sses", "ches", "shes", "xes", "ing", "ies", "ied", "ed", "ly", "s")

_local = threading.local()


def _tagger() -> Any:
    # fugashi taggers are not safe to share between threads: one per thread, made on first use.
    tagger = getattr(_local, "tagger", None)
    if tagger is None:
        try:
            import fugashi
        except ImportError as e:
            raise RetrievalError("keyword search needs fugashi and unidic-lite installed") from e
        tagger = fugashi.Tagger()
        _local.tagger = tagger
    return tagger


def stem(word: str) -> str:
    """A light English stemmer: strips common suffixes, keeps stems of three letters or more."""
    if word.endswith("n't"):
        word = word[:-3]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                word += "y"
            elif suffix in ("sses", "ches", "shes", "xes"):
                word += suffix[:-2]
            break
    # "resett" -> "reset": undo the doubled consonant left by -ing/-ed
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    # "charge" / "charged", "device" / "devices": drop a final e so both forms meet
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def _latin_words(text: str) -> list[tuple[str, str]]:
    out = []
    for word in _LATIN.findall(text):
        word = word.replace("’", "'").split("'", 1)[0]
        if word and word not in _STOP:
            out.append((stem(word), word))
    return out


_ASCII_RUN = re.compile(r"[\x00-\x7f]+")


def tokenize(text: str) -> list[str]:
    """Keyword tokens of a Japanese and/or English text (NFKC, lower-cased)."""
    return [token for token, _ in tokenize_words(text)]


def tokenize_words(text: str) -> list[tuple[str, str]]:
    """(token, word) pairs: the keyword token and the word it came from ("devic", "devices").

    Japanese words are given in dictionary form, which is also their token.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    words: list[tuple[str, str]] = []
    position = 0
    # ASCII runs go to the English tokeniser, everything else to the morphological analyser.
    for match in _ASCII_RUN.finditer(text):
        if match.start() > position:
            words.extend((t, t) for t in _japanese_tokens(text[position : match.start()]))
        words.extend(_latin_words(match.group()))
        position = match.end()
    if position < len(text):
        words.extend((t, t) for t in _japanese_tokens(text[position:]))
    return words


def latin_words(text: str) -> list[tuple[str, str]]:
    """The (token, word) pairs of a text's Latin-script words only (no morphological analysis)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return [pair for run in _ASCII_RUN.findall(text) for pair in _latin_words(run)]


def _japanese_tokens(text: str) -> list[str]:
    out = []
    for word in _tagger()(text):
        feature = word.feature
        if feature.pos1 in _SKIP_POS:
            continue
        base = getattr(feature, "orthBase", None) or word.surface
        if base not in _JA_STOP:
            out.append(base)
    return out
