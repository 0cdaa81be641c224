"""Finders for the personal values SQL knows: customers' and contacts' names, e-mail addresses,
phones, postal codes and addresses, compiled once into trie-shaped regular expressions (one
alternation of tens of thousands of names would be tried name by name)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from sqlalchemy.orm import Session, sessionmaker

from assistant.masking.masker import KnownValues
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
    by_kind: dict[str, set[str]] = {}
    for kind, value in others:
        literal = _literal(kind, value)
        if literal:
            by_kind.setdefault(kind, set()).add(literal)
    for kind, literals in sorted(by_kind.items()):
        patterns.append((kind, re.compile("|".join(sorted(literals, key=len, reverse=True)), re.I)))
    return KnownValues(patterns)


def _literal(kind: str, value: str) -> str:
    """A pattern for one known value, lenient about spaces, dashes and the phone's form."""
    folded = fold_text(value).strip()
    if not folded:
        return ""
    if kind == "PHONE":
        digits = re.sub(r"\D", "", folded)
        if folded.startswith("+81"):  # E.164 as stored; texts write it nationally too
            digits = digits[2:]
            head = r"(?:\+81[ \-]?\(?0?\)?[ \-]?|0)"
        else:
            head = r"\+?" if folded.startswith("+") else ""
        if len(digits) < 8:
            return ""
        return head + r"[ \-.()]*".join(digits) + r"(?!\d)"
    if kind == "POSTAL":
        digits = re.sub(r"\D", "", folded)
        if len(digits) != 7:
            return ""
        return rf"(?<!\d){digits[:3]}[- ]?{digits[3:]}(?!\d)"
    if kind == "ADDRESS" and len(folded) < 8:
        return ""  # a bare city or prefecture is no one's address
    return r"\s*".join(re.escape(c) for c in re.sub(r"\s+", "", folded))


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
