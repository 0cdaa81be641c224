"""The real local model (Qwen2.5-Coder-1.5B GGUF, 2 threads) and its OpenAI-compatible server.

Cost on 2 cores: about 3-6 minutes in all (model load ~3 s, each generation 5-30 s).
"""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.llm.factory import build_llm
from assistant.service import Assistant
from knowledge.db import make_session_factory
from knowledge.errors import ConsentError
from knowledge.repository import record_customer_id
from knowledge.settings import Settings
from retrieval.embedders import make_embedder
from tests.assistant.conftest import World, seed_world
from tests.assistant.llama_server import serve_model

pytestmark = pytest.mark.integration


@pytest.fixture
def real_world(settings: Settings, sqlite_engine: Any, model_path: str) -> World:
    settings.llm.mode = "local"
    settings.llm.model_path = model_path
    settings.llm.max_tokens = 160
    settings.retrieval.collection = f"t{uuid.uuid4().hex[:12]}"
    settings.imports.progress = False
    return seed_world(
        settings, make_session_factory(sqlite_engine), make_embedder(settings.retrieval)
    )


def _valid(world: World, customer_id: int | None, record_ids: list[str]) -> None:
    with world.sessions() as s:
        for rid in record_ids:
            assert rid.startswith("article:") or record_customer_id(s, rid) == customer_id, rid


def _run_jobs(world: World, assistant: Assistant, *, full: bool = True) -> None:
    a, b = world.ids["A"], world.ids["B"]
    # English question -> English answer, with valid citations.
    en = assistant.answer("How do I reset the tea maker?", actor="it")
    assert en.language == "en" and en.answered, en.text
    assert (
        "ten seconds" in en.text.lower()
        or "10 seconds" in en.text.lower()
        or any("ten seconds" in c.quote for c in en.citations)
    )
    _valid(world, None, [c.record_id for c in en.citations])
    if full:
        _customer_jobs(world, assistant, a)
    # E-mail: service mail to the opted-out company; marketing refused.
    draft = assistant.draft_email(b, purpose="renewal", language="en", actor="it")
    assert draft.body.startswith("Dear Tom Baker,")  # the company's decision maker
    assert "evil.example" not in draft.body and "555" not in draft.body
    _valid(world, b, [c.record_id for c in draft.citations])
    with pytest.raises(ConsentError):
        assistant.draft_email(b, purpose="win_back", actor="it")


def _customer_jobs(world: World, assistant: Assistant, a: int) -> None:
    b = world.ids["B"]
    # Japanese question -> Japanese answer about the customer's own records.
    ja = assistant.answer("この顧客の配送の問題はどうなっていますか？", customer_id=a, actor="it")
    assert ja.language == "ja" and ja.answered
    assert any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in ja.text)
    _valid(world, a, [c.record_id for c in ja.citations])
    # Unanswerable: nothing in the records.
    no = assistant.answer(
        "What is the customer's favourite football team?", customer_id=b, actor="it"
    )
    assert not no.answered and "do not answer" in no.text, no.text
    # Brief: the promise with its due date and the open issue, cited; numbers from SQL.
    brief = assistant.brief(a, actor="it")
    assert "3月20日" in brief.markdown and "5,400 JPY" in brief.markdown
    _valid(world, a, [c.record_id for c in brief.citations])
    assert not _leaks_prompt(" ".join(x.text for sec in brief.sections for x in sec.sentences))


def _leaks_prompt(text: str) -> bool:
    """Whether generated text repeats the system prompt (what the injected record asks for)."""
    lowered = text.lower()
    return "never an instruction" in lowered or "not_in_records" in lowered or "rules:" in lowered


def test_local_model_answers_briefs_and_drafts_grounded(real_world: World) -> None:
    llm = build_llm(real_world.settings.llm)
    assistant = Assistant(real_world.settings, real_world.sessions, real_world.retrieval, llm)
    assert assistant.model.startswith("local:")
    _run_jobs(real_world, assistant)


def test_injection_record_changes_nothing(real_world: World) -> None:
    llm = build_llm(real_world.settings.llm)
    assistant = Assistant(real_world.settings, real_world.sessions, real_world.retrieval, llm)
    r = assistant.answer(
        "What did the customer write in the chat note?", customer_id=real_world.ids["A"], actor="it"
    )
    generated = " ".join(x.text for x in r.sentences if x.generated)
    assert not _leaks_prompt(generated), generated
    _valid(real_world, real_world.ids["A"], [c.record_id for c in r.citations])


def test_killing_the_model_process_mid_answer(real_world: World) -> None:
    """The crash test of the real runtime: the answer in flight falls back to the records,
    marked degraded; the process is restarted and the next answer is the model's again."""
    llm = build_llm(real_world.settings.llm)
    assistant = Assistant(real_world.settings, real_world.sessions, real_world.retrieval, llm)
    runtime = llm.runtime  # type: ignore[attr-defined]
    runtime.start()
    question = "How do I reset the tea maker?"
    killed_pid, result = None, None
    for event in assistant.answer_stream(question, actor="it"):
        if event.type == "progress" and killed_pid is None:
            killed_pid = runtime.status().pid
            os.kill(killed_pid, signal.SIGKILL)
        if event.type == "result":
            result = event.result
    assert killed_pid is not None and result is not None
    assert result.degraded and "SIGKILL" in result.degraded, result.degraded
    assert result.answered and result.citations
    assert all(not s.generated for s in result.sentences)
    again = assistant.answer(question, actor="it")
    assert again.degraded is None and again.answered, again
    status = runtime.status()
    assert status.state == "ready" and status.pid != killed_pid and status.restarts >= 1


@pytest.fixture(scope="module")
def llama_server(model_path: str) -> Iterator[str]:
    """llama-cpp-python's own OpenAI-compatible server on 127.0.0.1, stopped afterwards."""
    yield from serve_model(model_path, 2)


def test_openai_backend_against_a_real_server(real_world: World, llama_server: str) -> None:
    s = real_world.settings
    s.llm.mode, s.llm.openai_base_url, s.llm.openai_model = "openai", llama_server, "local"
    assistant = Assistant(s, real_world.sessions, real_world.retrieval, build_llm(s.llm))
    assert assistant.model == "openai:local"
    _run_jobs(real_world, assistant, full=False)


def test_openai_backend_unreachable_degrades_to_records(real_world: World) -> None:
    s = real_world.settings
    s.llm.mode, s.llm.openai_base_url, s.llm.timeout_s = "openai", "http://127.0.0.1:9/v1", 3
    assistant = Assistant(s, real_world.sessions, real_world.retrieval, build_llm(s.llm))
    r = assistant.answer("配送の問題は？", customer_id=real_world.ids["A"], actor="it")
    assert r.degraded and r.citations and all(not x.generated for x in r.sentences)
