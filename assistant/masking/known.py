"""Finders for the personal values SQL knows: customers' and contacts' names, e-mail addresses,
phones, postal codes and addresses, compiled once into trie-shaped regular expressions (one
alternation of tens of thousands of names would be tried name by name)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from sqlalchemy.orm import Session, sessionmaker

from assistant.masking.masker import ADDRESS_KEY, KnownValues
from assistant.masking.patterns import fold_text, words
from knowledge.personal import personal_values, personal_values_version

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff々]")
_LATIN_PART = re.compile(r"^[A-Z][A-Za-z'\-]{2,}$")
# Name parts that are also everyday capitalised English words; only the full name is masked.
_COMMON_WORDS = frozenset(
    words(
        """
        The And Will May June April August Mark Bill Grant Price Young Long Rose Joy Hope Faith
        Page Case Lane Street Hill Green White Black Brown Gray Grey Best Good Love Bell Hall Wood
        Moore More Day King Law Rich Just Dean Lee Read Reading Sale Sales Shop Store Service Mrs
        Miss Doctor Team Support Customer Company Foods Food Ltd Inc
        """
    )
)
_SPACE = "\x00"  # a name's inner space in the trie: optional in Japanese, required in Latin


def _trie_regex(words: Iterable[str], space: str) -> str:
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        ends = "" in node
        alts = [
            (space if ch == _SPACE else re.escape(ch)) + emit(child)
            for ch, child in sorted(node.items())
            if ch
        ]
        if not alts:
            return ""
        group = "(?:" + "|".join(alts) + ")"
        return group + "?" if ends else group

    return emit(trie)


def _parts(name: str) -> list[str]:
    return [p for p in re.split(r"[\s・･,]+", fold_text(name).strip()) if p]


def compile_known(names: Iterable[str], others: Iterable[tuple[str, str]]) -> KnownValues:
    """Finders for names (full, reversed and by part) and other (kind, value) pairs."""
    cjk: set[str] = set()
    latin_full: set[str] = set()
    latin_parts: set[str] = set()
    for name in names:
        parts = _parts(name)
        if not parts:
            continue
        if _CJK.search(name):
            cjk.add(_SPACE.join(parts))
            # A surname or given name alone (山田様); one character alone is too often a word.
            cjk.update(p for p in parts if len(p) >= 2)
            continue
        if len(parts) > 1:
            latin_full.add(_SPACE.join(parts).lower())
            latin_full.add(_SPACE.join(reversed(parts)).lower())
        latin_parts.update(p for p in parts if _LATIN_PART.match(p) and p not in _COMMON_WORDS)
    patterns: list[tuple[str, re.Pattern[str]]] = []
    if cjk:
        patterns.append(("PERSON", re.compile(_trie_regex(cjk, "[ ・]?"))))
    if latin_full:
        body = _trie_regex(latin_full, r"[ \t]+")
        patterns.append(("PERSON", re.compile(rf"(?<![A-Za-z]){body}(?![A-Za-z])", re.I)))
    if latin_parts:
        body = _trie_regex(latin_parts, "")
        patterns.append(("PERSON", re.compile(rf"(?<![A-Za-z]){body}(?![A-Za-z])")))
    addresses: dict[str, list[str]] = {}
    numbers: dict[str, str] = {}
    for kind, value in others:
        folded = fold_text(value).strip()
        compact = "".join(folded.split())
        if kind == "ADDRESS" and len(compact) >= 8:  # a bare city or prefecture is no one's
            addresses.setdefault(compact[:ADDRESS_KEY], []).append(compact)
        elif kind in ("PHONE", "POSTAL"):
            numbers.update(dict.fromkeys(_number_keys(kind, folded), kind))
    for candidates in addresses.values():
        candidates.sort(key=len, reverse=True)
    # E-mail addresses need no list: the pattern finds every one (assistant.masking.patterns).
    return KnownValues(patterns, numbers, addresses)


def _number_keys(kind: str, folded: str) -> list[str]:
    """The digit strings a known phone or postal code is written with in texts."""
    digits = re.sub(r"\D", "", folded)
    if kind == "POSTAL":
        return [digits] if len(digits) == 7 else []
    if len(digits) < 9:
        return []
    if folded.startswith("+81"):  # stored as E.164; Japanese texts write it nationally
        return [digits, "0" + digits[2:]]
    if folded.startswith("+1"):
        return [digits, digits[1:]]
    return [digits]


class KnownFromSQL:
    """The known values, compiled again only when the people in SQL changed."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.version: tuple[object, ...] | None = None
        self.compiled = KnownValues()
        self.lock = threading.Lock()

    def __call__(self) -> KnownValues:
        with self.lock, self.sessions() as s:
            version = personal_values_version(s)
            if version != self.version:
                found = personal_values(s)
                self.compiled = compile_known(found.names, found.values)
                self.version = version
            return self.compiled
