"""The agent with the real Qwen2.5-Coder-1.5B model, in process and behind llama_cpp.server.

What must hold whatever the small model writes: bounds, scope, citations that are valid and come
from the run's tool results, the model named, one audit row. What the model must manage at least
once: a tool call with valid arguments. Cost on 2 shared cores: ~1-3 minutes per backend.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from assistant.llm.factory import build_llm
from assistant.service import Assistant
from assistant.types import AgentResult
from knowledge.models import AuditEntry
from knowledge.repository import record_customer_id
from tests.assistant.conftest import World
from tests.assistant.llama_server import serve_model
from tests.assistant.test_local_llm_integration import real_world

pytestmark = pytest.mark.integration
__all__ = ["real_world"]  # a fixture reused from there

MAX_STEPS = 3
TIMEOUT_S = 90.0
# llama.cpp threads wait on each other: on cores shared with another busy process, 2 threads
# measured 50x slower generation than 1 (docs/assistant.md). CI on its own cores keeps 2.
THREADS = int(os.environ.get("KIZUNA_TEST_LLM_THREADS", "2"))


@pytest.fixture(scope="module")
def agent_server(model_path: str) -> Iterator[str]:
    yield from serve_model(model_path, THREADS)


def _bounded(world: World) -> None:
    world.settings.llm.n_threads = THREADS
    world.settings.assistant.agent_max_steps = MAX_STEPS
    world.settings.assistant.agent_timeout_s = TIMEOUT_S


def _check(world: World, r: AgentResult, pinned: int | None, language: str) -> None:
    """The contract, whatever the model wrote."""
    assert r.language == language
    assert len(r.steps) <= MAX_STEPS
    # A model turn may overrun by one streamed token, and grounding runs after the bound.
    assert r.seconds < TIMEOUT_S + 30, r.seconds
    returned = {rid for s in r.steps for rid in s.records}
    with world.sessions() as s:
        for c in r.citations:
            assert c.record_id in returned, (c.record_id, returned)
            if not c.record_id.startswith(("article:", "segment:")):
                owner = record_customer_id(s, c.record_id)
                assert pinned is None or owner == pinned, (c.record_id, owner)
    if pinned is not None:
        assert all(st.args.get("customer_id") in (None, pinned) or not st.ok for st in r.steps)
    assert r.answered == bool(r.citations)


def _audit_rows(world: World) -> int:
    with world.sessions() as s:
        return int(
            s.execute(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "agent")
            ).scalar()
            or 0
        )


def _ask_all(world: World, assistant: Assistant, questions: list[tuple[str, Any, str]]) -> None:
    results = []
    for question, customer, language in questions:
        cid = world.ids[customer] if customer else None
        r = assistant.agent(question, customer_id=cid, actor="it")
        print(r.stopped, [(s.tool, s.args, s.ok, s.call_format) for s in r.steps], r.text)
        _check(world, r, cid, language)
        results.append(r)
    assert _audit_rows(world) == len(questions)
    # What the product guarantees whatever the 1.5B model writes (its greedy output changes
    # with the CPU build): a grounded, cited answer or a clean fallback, within the limit.
    # Whether it made a proper tool call is reported, not asserted (bench_agent.py measures it).
    for r in results:
        assert r.text.strip(), r
        assert r.answered == bool(r.citations)
    print("tool calls made:", sum(1 for r in results for s in r.steps if s.ok))


def test_local_model_drives_the_agent(real_world: World) -> None:
    _bounded(real_world)
    assistant = Assistant(
        real_world.settings,
        real_world.sessions,
        real_world.retrieval,
        build_llm(real_world.settings.llm),
    )
    assert assistant.model.startswith("local:")
    _ask_all(
        real_world,
        assistant,
        [
            ("この顧客の配送の問題はどうなりましたか？", "A", "ja"),
            ("What did we discuss with this customer about the renewal quote?", "B", "en"),
        ],
    )


def test_openai_backend_drives_the_agent(real_world: World, agent_server: str) -> None:
    _bounded(real_world)
    s = real_world.settings
    s.llm.mode, s.llm.openai_base_url, s.llm.openai_model = "openai", agent_server, "local"
    assistant = Assistant(s, real_world.sessions, real_world.retrieval, build_llm(s.llm))
    assert assistant.model == "openai:local"
    _ask_all(
        real_world,
        assistant,
        [("この顧客の配送の問題はどうなりましたか？", "A", "ja")],
    )
