"""On the demo company's planted stories, each brief states the planted fact with a valid citation.

The fake-LLM run covers every planted customer (the code-assembled sections must carry the
fact); the integration run repeats it for a few of them with the real local model.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

import pytest

from assistant.llm.factory import build_llm
from assistant.llm.model_file import resolve_model_path
from assistant.service import Assistant
from demo import load_demo
from knowledge.db import make_session_factory
from knowledge.repository import record_customer_id
from knowledge.settings import Settings
from retrieval.embedders import FakeEmbedder
from retrieval.service import build_retrieval

MODEL_CACHE = Path(os.environ.get("KIZUNA_TEST_MODEL_CACHE", "/tmp/kizuna-test-models"))
REAL_MODEL_STORIES = ("quote-due", "skin-reaction-refund", "migration-plan-due")


def _demo(settings: Settings, engine: Any) -> tuple[Any, Any, dict[str, Any]]:
    settings.retrieval.collection = f"t{uuid.uuid4().hex[:12]}"
    settings.imports.progress = False
    sessions = make_session_factory(engine)
    summary = load_demo(sessions, settings, scale=0.05)
    retrieval = build_retrieval(settings.retrieval, sessions, embedder=FakeEmbedder())
    questions = json.loads(Path(summary.questions_path).read_text(encoding="utf-8"))
    return sessions, retrieval, questions


def _check_planted(assistant: Assistant, sessions: Any, planted: dict[str, Any]) -> None:
    cid = planted["customer_id"]
    brief = assistant.brief(cid, actor="test")
    keywords = planted["keywords"].get(brief.language, []) + planted["keywords"].get("en", [])
    stating = [
        s
        for sec in brief.sections
        for s in sec.sentences
        if set(s.citations) & set(planted["record_ids"])
        and any(k.lower() in s.text.lower() for k in keywords)
    ]
    assert stating, f"{planted['id']}: no cited sentence states it\n{brief.markdown}"
    with sessions() as s:
        for c in brief.citations:
            assert record_customer_id(s, c.record_id) == cid, (planted["id"], c.record_id)


def test_every_planted_fact_is_in_its_brief_with_a_valid_citation(
    settings: Settings, sqlite_engine: Any
) -> None:
    sessions, retrieval, questions = _demo(settings, sqlite_engine)
    assistant = Assistant(settings, sessions, retrieval, build_llm(settings.llm))  # fake
    for planted in questions["planted"]:
        _check_planted(assistant, sessions, planted)


@pytest.mark.integration
def test_planted_facts_with_the_real_local_model(settings: Settings, sqlite_engine: Any) -> None:
    settings.llm.mode = "local"
    settings.llm.model_path = str(
        resolve_model_path(Settings(llm={"model_cache_dir": str(MODEL_CACHE)}).llm)
    )  # type: ignore[arg-type]
    sessions, retrieval, questions = _demo(settings, sqlite_engine)
    assistant = Assistant(settings, sessions, retrieval, build_llm(settings.llm))
    for planted in questions["planted"]:
        if planted["id"] in REAL_MODEL_STORIES:
            _check_planted(assistant, sessions, planted)
