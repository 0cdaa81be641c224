"""How many wrong claims the claim check catches, and how many true sentences it drops.

Sentences are taken from the demo company's real records (interactions, both languages) and
corrupted on purpose, one fact at a time: a number, a date, a person's name, who did it (a role
swapped for another), and the polarity (negation added or removed). The true sentences are the
record's own sentence and its first clause. Each is checked against the record it came from
with assistant.claims.disagreements; "before" is what grounding checked until now (a number
absent from the sources, or under 30 % token overlap with the record).

    KIZUNA_DATA_DIR=/tmp/kz kizuna demo --no-serve --scale 0.1
    KIZUNA_DATA_DIR=/tmp/kz python benchmarks/bench_claims.py
"""

from __future__ import annotations

import os
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from sqlalchemy import select

from assistant.claims import ROLES, dates, disagreements, names, negated, roles
from assistant.guards import unsourced_numbers
from assistant.similarity import content_tokens, overlap, split_sentences
from knowledge.db import make_engine, make_session_factory
from knowledge.models import Interaction
from knowledge.settings import Settings

Corrupt = Callable[[str, random.Random], str | None]
_NUMBER = re.compile(r"\d+")
_AUX = re.compile(r"\b(is|was|were|will|can|has|have|had|are|did|does|do)\b")


def wrong_number(sentence: str, rng: random.Random) -> str | None:
    found = [m for m in _NUMBER.finditer(sentence) if not dates(m.group())]
    if not found:
        return None
    m = rng.choice(found)
    value = int(m.group())
    new = value + rng.choice([1, 2, 3, 10]) if value < 1000 else value * 2
    return sentence[: m.start()] + str(new) + sentence[m.end() :]


def wrong_date(sentence: str, rng: random.Random) -> str | None:
    for pattern in (r"(\d{1,2})日", r"(\d{4}-\d{1,2}-)(\d{1,2})", r"([A-Z][a-z]+ )(\d{1,2})\b"):
        m = re.search(pattern, sentence)
        if m and dates(m.group(0) if "日" not in pattern else "1月" + m.group(0)) | dates(sentence):
            day = int(m.group(m.lastindex or 1))
            new = day + 3 if day <= 25 else day - 7
            g = m.lastindex or 1
            return sentence[: m.start(g)] + str(new) + sentence[m.end(g) :]
    return None


def wrong_name(pool: list[str]) -> Corrupt:
    def corrupt(sentence: str, rng: random.Random) -> str | None:
        present = [n for n in pool if n in sentence]
        if not present:
            return None
        name = rng.choice(present)
        others = [
            n for n in pool if n != name and n not in sentence and (n.isascii() == name.isascii())
        ]
        return sentence.replace(name, rng.choice(others)) if others else None

    return corrupt


def wrong_role(sentence: str, rng: random.Random) -> str | None:
    low = sentence.lower()
    for role in roles(sentence):
        for word in ROLES[role]:
            at = low.find(word)
            if at < 0 or word.strip() != word:
                continue
            ja = not word.isascii()
            others = [
                w
                for r, words in ROLES.items()
                if r != role and r not in roles(sentence)
                for w in words
                if (not w.isascii()) == ja and w.strip() == w
            ]
            return sentence[:at] + rng.choice(others) + sentence[at + len(word) :]
    return None


def flip_negation(sentence: str, rng: random.Random) -> str | None:
    if negated(sentence):
        out = re.sub(r"\b(not|never) ", "", sentence, count=1)
        out = out.replace("ません", "ます", 1).replace("ない", "る", 1)
        return out if out != sentence and not negated(out) else None
    if "ました" in sentence:
        return sentence.replace("ました", "ませんでした", 1)
    if "ます" in sentence:
        return sentence.replace("ます", "ません", 1)
    m = _AUX.search(sentence)
    return sentence[: m.end()] + " not" + sentence[m.end() :] if m else None


def first_clause(sentence: str) -> str | None:
    for mark in ("、", ", "):
        if mark in sentence:
            head = sentence.split(mark)[0]
            return head if len(content_tokens(head)) >= 3 else None
    return None


def main() -> None:
    settings = Settings()
    sessions = make_session_factory(make_engine(settings.database))
    with sessions() as s:
        records = [f"{i.subject or ''} — {i.body}" for i in s.scalars(select(Interaction))]
    pool = sorted({n for r in records for n in names(r) if len(n) >= 3})
    corruptions: dict[str, Corrupt] = {
        "number": wrong_number,
        "date": wrong_date,
        "name": wrong_name(pool),
        "role": wrong_role,
        "negation": flip_negation,
    }
    rng = random.Random(11)
    caught: dict[str, Counter[str]] = defaultdict(Counter)
    kept_true: Counter[str] = Counter()
    examples: list[str] = []
    for record in records:
        for sentence in split_sentences(record.split(" — ", 1)[-1]):
            if not 15 <= len(sentence) <= 220:
                continue
            for truth in filter(None, (sentence, first_clause(sentence))):
                dropped = bool(disagreements(truth, record))
                kept_true["dropped" if dropped else "kept"] += 1
                if dropped and len(examples) < 8:
                    examples.append(f"  dropped true: {truth[:90]} {disagreements(truth, record)}")
            for kind, corrupt in corruptions.items():
                wrong = corrupt(sentence, rng)
                if wrong is None or wrong == sentence:
                    continue
                now = bool(disagreements(wrong, record))
                before = bool(unsourced_numbers(wrong, record)) or (
                    overlap(content_tokens(wrong), content_tokens(record)) < 0.3
                )
                caught[kind]["n"] += 1
                caught[kind]["now"] += now
                caught[kind]["before"] += before
    print(f"{len(records)} records, {len(pool)} names in the pool")
    print(f"{'corruption':<10} {'sentences':>9} {'caught before':>14} {'caught now':>11}")
    total = Counter[str]()
    for kind, c in caught.items():
        total.update(c)
        print(f"{kind:<10} {c['n']:>9} {c['before'] / c['n']:>14.1%} {c['now'] / c['n']:>11.1%}")
    print(
        f"{'all':<10} {total['n']:>9} {total['before'] / total['n']:>14.1%} "
        f"{total['now'] / total['n']:>11.1%}"
    )
    n_true = kept_true["kept"] + kept_true["dropped"]
    print(f"true sentences: {n_true}, dropped {kept_true['dropped'] / n_true:.1%}")
    print("\n".join(examples))


if __name__ == "__main__":
    main()
