"""The demo company is the same, record for record, whatever its content files look like.

The hashes were taken from the generator before its content moved out of Python; a change
of any generated record, planted fact, labelled question or duplicate pair changes them.
If the demo is meant to change, rerun with the new content and update the constants.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from demo import generate, load_demo
from knowledge.settings import Settings

# (scale) -> (records hash, plan hash, counts per entity); default seed.
EXPECTED = {
    1.0: (
        "5c37e60dd4e3580eead8d7e2bdd86270026ad00467f638429c79f905125813e9",
        "895b8fcff52b291373e741f8e52b81db7e1051095dd631c90b6591cfa8df07a1",
        {
            "customer": 1998,
            "contact": 907,
            "product": 59,
            "order": 19684,
            "interaction": 9935,
            "article": 50,
        },
    ),
    0.1: (
        "044b0c5f6c58a09a12e253c7d41f484c8c8859d15403b0908c8888c1160e7ded",
        "b2611ffaf4ec04b921bfcb7ce29d650af7051cc4e12904a8a2815525110d5d84",
        {
            "customer": 238,
            "contact": 118,
            "product": 59,
            "order": 2205,
            "interaction": 1025,
            "article": 50,
        },
    ),
}
# questions.jsonl of a load at scale 0.03 (database ids included).
EXPECTED_JSONL = "18873667a90431b2aabcb9bec5ecb70e21efd3fb11603aab6a21e7601e93fa2d"


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(scale: float) -> tuple[str, str, dict[str, int]]:
    """Hash of every generated record and of the plan (planted facts, questions, duplicates)."""
    data = generate(scale=scale)
    records = [[list(key), recs] for key, recs in sorted(data.records.items())]
    assert data.plan is not None
    plan = {
        name: [dataclasses.asdict(x) for x in getattr(data.plan, name)]
        for name in ("planted", "questions", "unanswerable", "duplicates")
    }
    counts = {
        e: data.count(e)
        for e in ("customer", "contact", "product", "order", "interaction", "article")
    }
    return _digest(records), _digest(plan), counts


@pytest.mark.parametrize("scale", sorted(EXPECTED))
def test_generated_demo_is_unchanged(scale: float) -> None:
    assert fingerprint(scale) == EXPECTED[scale]


def test_labelled_questions_file_is_unchanged(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    quiet = settings.model_copy(
        update={"imports": settings.imports.model_copy(update={"progress": False})}
    )
    summary = load_demo(sessions, quiet, scale=0.03)
    text = summary.questions_jsonl_path.read_text(encoding="utf-8")
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == EXPECTED_JSONL


if __name__ == "__main__":  # prints the constants for a deliberate change of the demo
    for s in (1.0, 0.1):
        print(s, fingerprint(s))
