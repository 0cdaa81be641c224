"""A small labelled bilingual set: 20 topics, each stored in Japanese for one customer and in
English for the other, with a paraphrased Japanese and English query per topic.

Same-language pairs are categories "ja" / "en"; a query in the other language is "cross".
Used by the real-model integration test, `kizuna eval retrieval` and benchmarks/bench_embedders.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tests.retrieval.conftest import add_customer, add_interaction

TOPICS = Path(__file__).parent / "data" / "bilingual_topics.json"


def load_bilingual(sessions: sessionmaker[Session]) -> list[dict[str, Any]]:
    """Write the set's customers and interactions; return its questions (JSONL-shaped dicts)."""
    topics = json.loads(TOPICS.read_text(encoding="utf-8"))
    half = len(topics) // 2
    questions = []
    for flip in (False, True):
        cid = add_customer(sessions, "Bilingual B" if flip else "Bilingual A")
        for t, topic in enumerate(topics):
            lang = "en" if (t < half) == flip else "ja"
            rid = add_interaction(sessions, cid, topic[lang], language=lang, days=t)
            for q_lang in ("ja", "en"):
                questions.append(
                    {
                        "query": topic[f"q_{q_lang}"],
                        "relevant_ids": [f"interaction:{rid}"],
                        "scope": {"kind": "customer", "customer_id": cid},
                        "language": q_lang,
                        "category": q_lang if q_lang == lang else "cross",
                    }
                )
    return questions


def write_questions(questions: list[dict[str, Any]], path: Path) -> Path:
    """Write questions as JSONL (the format `kizuna eval retrieval --questions` reads)."""
    path.write_text(
        "".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8"
    )
    return path
