"""The tool-calling agent with a scripted fake model: lookups, bounds, scope, grounding, audit."""

from __future__ import annotations

import time
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from sqlalchemy import select

from assistant.deps import AssistantDeps
from assistant.jobs.agent import read_calls, run_agent
from assistant.jobs.agent_tools import AgentTools
from assistant.llm.fake import FakeChatModel
from assistant.service import Assistant
from knowledge.models import AuditEntry
from tests.assistant.conftest import World


def call(tool: str, **args: Any) -> AIMessage:
    """A model turn that calls one tool (native tool_calls, as an OpenAI server returns them)."""
    return AIMessage(content="", tool_calls=[{"name": tool, "args": args, "id": f"c_{tool}"}])


def tool_results(llm: FakeChatModel) -> list[str]:
    """The tool results the model was shown in its last call, in order."""
    return [str(m.content) for m in llm.calls[-1] if isinstance(m, ToolMessage)]


def n_of(result_text: str, record_id: str) -> int:
    """The run-wide [n] a tool result gave a record."""
    for line in result_text.splitlines():
        if f"] {record_id} " in line:
            return int(line[1 : line.index("]")])
    raise AssertionError(f"{record_id} not in {result_text!r}")


def audit_rows(world: World) -> list[AuditEntry]:
    with world.sessions() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == "agent")))


def test_multi_step_lookup_answers_with_valid_citations(world: World) -> None:
    a, i1, o2 = world.ids["A"], world.ids["I1"], world.ids["O2"]
    replies = [
        call("find_customer", name="山田"),
        call("search_customer_records", customer_id=a, query="配送 遅れ"),
        call("list_orders", customer_id=a),
        # The answer cites the ticket, which the search returned as [1] (checked below).
        AIMessage(content="ほうじ茶の配送が遅れているという苦情があります [1]。"),
    ]
    assistant, llm = world.assistant(replies)
    r = assistant.agent("山田さんの配送の問題と注文を教えて", actor="t")
    assert r.stopped == "answered" and r.answered and r.language == "ja"
    assert [s.tool for s in r.steps] == ["find_customer", "search_customer_records", "list_orders"]
    assert all(s.ok for s in r.steps)
    results = tool_results(llm)
    assert f"customer_id={a} 山田 花子" in results[0]
    assert n_of(results[1], f"interaction:{i1}") == 1
    assert f"order:{o2}" in results[2] and "2,400 JPY" in results[2]
    assert [c.record_id for c in r.citations] == [f"interaction:{i1}"]
    assert r.customer_id == a  # every citation belongs to her
    assert r.model_calls == 4 == len(r.turn_seconds) and r.model == assistant.model
    assert r.draft.startswith("ほうじ茶の配送が遅れている") and "[1]" in r.draft
    (row,) = audit_rows(world)
    assert row.cited_records == [f"interaction:{i1}"] and row.details["stopped"] == "answered"
    assert [t["tool"] for t in row.details["tools"]] == [s.tool for s in r.steps]


def test_invalid_citation_is_removed_and_counted(world: World) -> None:
    a, i1 = world.ids["A"], world.ids["I1"]
    replies = [
        call("search_customer_records", query="配送 遅れ"),
        # [7] was never returned by a tool; [1] supports the sentence.
        AIMessage(content="ほうじ茶の配送が遅れているという苦情があります [7][1]。"),
    ]
    assistant, _ = world.assistant(replies)
    r = assistant.agent("配送の問題は？", customer_id=a, actor="t")
    assert r.guard.invalid_citations_removed == 1
    assert [c.record_id for c in r.citations] == [f"interaction:{i1}"]


def test_unsupported_sentence_dropped_and_numbers_only_from_sql(world: World) -> None:
    a = world.ids["A"]
    replies = [
        call("customer_profile"),
        AIMessage(content="Total spent is 5,400 JPY [1]. She also won a lottery of 999,999 JPY."),
    ]
    assistant, _ = world.assistant(replies)
    r = assistant.agent("How much has this customer spent?", customer_id=a, actor="t")
    assert r.text.startswith("Total spent is 5,400 JPY")
    assert "999" not in r.text and r.guard.unsupported_sentences_dropped == 1
    assert [c.record_id for c in r.citations] == [f"profile:{a}"]


def test_step_bound_stops_and_answers_from_what_was_gathered(world: World) -> None:
    a = world.ids["A"]
    world.settings.assistant.agent_max_steps = 2
    replies = [
        call("search_customer_records", query="約束"),
        call("search_customer_records", query="代替品"),
        # Asked to stop, the model answers (it would have called a third tool otherwise).
        AIMessage(content="代替品を3月20日までに発送するとお約束しました [1]。"),
    ]
    assistant, llm = world.assistant(replies)
    r = assistant.agent("この顧客との約束は？", customer_id=a, actor="t")
    assert r.stopped == "max_steps" and len(r.steps) == 2
    # The final turn is asked without tools, with the closing instruction.
    assert "ツールの呼び出しはここまでです" in str(llm.calls[-1][-1].content)
    assert r.answered and r.citations


def test_time_bound_stops_and_falls_back_to_the_records(world: World) -> None:
    a = world.ids["A"]
    world.settings.assistant.agent_timeout_s = 0.6

    class SlowModel(FakeChatModel):
        def _reply(self, messages: list[BaseMessage]) -> AIMessage:
            time.sleep(0.4)
            return super()._reply(messages)

    replies = [call("search_customer_records", query=f"配送 遅れ {i}") for i in range(6)]
    llm = SlowModel(replies=replies)
    assistant = Assistant(world.settings, world.sessions, world.retrieval, llm)
    started = time.monotonic()
    r = assistant.agent("配送が遅れている件は？", customer_id=a, actor="t")
    assert r.stopped == "timeout" and time.monotonic() - started < 3
    assert 1 <= len(r.steps) < 6
    # No model text: the gathered records themselves, cited, marked as degraded.
    assert r.answered and all(not s.generated for s in r.sentences) and r.citations
    assert r.degraded and "limit" in r.degraded


def test_pinned_scope_refuses_another_customer(world: World) -> None:
    a, b, c = world.ids["A"], world.ids["B"], world.ids["C"]
    replies = [
        call("search_customer_records", customer_id=c, query="kettle broken refund"),
        call("list_orders", customer_id=b),
        call("find_customer", name="Acme"),
        AIMessage(content="The kettle arrived broken and leaks water [1]."),
    ]
    assistant, _llm = world.assistant(replies)
    r = assistant.agent("Did the kettle arrive broken?", customer_id=a, actor="t")
    assert [s.ok for s in r.steps] == [False, False, False]
    assert "customer" in (r.steps[0].error or "") and str(a) in (r.steps[0].error or "")
    assert "find_customer" in (r.steps[2].error or "")  # no such tool in a pinned run
    assert all(not s.records for s in r.steps)
    assert not r.answered and not r.citations  # nothing of customer C ever reached the answer
    # customer_id is not even offered in a pinned run's tool specs.
    specs = {t["function"]["name"]: t["function"]["parameters"] for t in _specs(world, a)}
    assert "customer_id" not in specs["search_customer_records"]["properties"]
    assert "find_customer" not in specs
    open_specs = {t["function"]["name"]: t["function"]["parameters"] for t in _specs(world, None)}
    assert "customer_id" in open_specs["search_customer_records"]["required"]


def _specs(world: World, pinned: int | None) -> list[dict[str, Any]]:
    deps = AssistantDeps(world.settings, world.sessions, world.retrieval, FakeChatModel())
    return AgentTools(deps, "en", pinned_customer=pinned).specs()


def test_bad_tool_arguments_are_fed_back_not_a_crash(world: World) -> None:
    a, i1 = world.ids["A"], world.ids["I1"]
    replies = [
        call("list_orders", limit="many"),
        call("no_such_tool", x=1),
        call("search_customer_records", customer_id=999999, query="配送"),
        call("search_customer_records", customer_id=a, query="配送 遅れ"),
        AIMessage(content="ほうじ茶の配送が遅れているという苦情があります [1]。"),
    ]
    assistant, llm = world.assistant(replies)
    r = assistant.agent("山田さんの配送の件は？", actor="t")
    assert [s.ok for s in r.steps] == [False, False, False, True]
    assert "limit" in (r.steps[0].error or "")
    assert "no_such_tool" in (r.steps[1].error or "")
    assert "customer_not_found" in (r.steps[2].error or "")
    errors = tool_results(llm)[:3]
    assert all(e.startswith("ERROR:") for e in errors)
    assert [c.record_id for c in r.citations] == [f"interaction:{i1}"]


def test_calls_written_as_text_are_read(world: World) -> None:
    """Local models and llama.cpp's server return calls as text, not as tool_calls."""
    a, i3 = world.ids["A"], world.ids["I3"]
    replies = [
        '<tool_call>\n{"name": "search_customer_records", "arguments": {"query": "抹茶ラテ"}}\n'
        "</tool_call>",
        '{{"name": "list_orders", "arguments": {"limit": 2}}}',
        "抹茶ラテがとても美味しくて満足しています [1]。",
    ]
    assistant, llm = world.assistant(replies)
    r = assistant.agent("抹茶ラテの感想は？", customer_id=a, actor="t")
    assert [(s.tool, s.call_format, s.ok) for s in r.steps] == [
        ("search_customer_records", "tagged", True),
        ("list_orders", "json", True),
    ]
    assert f"interaction:{i3}" in [c.record_id for c in r.citations]
    # The call stays as the model wrote it in the history it is shown next.
    assert "<tool_call>" in str(llm.calls[1][2].content)


def test_malformed_call_is_a_failed_step() -> None:
    _text, calls, malformed = read_calls(AIMessage(content="<tool_call>{oops</tool_call>"), set())
    assert malformed and not calls
    _, calls, malformed = read_calls(AIMessage(content="Just prose."), {"list_orders"})
    assert not malformed and not calls
    _, calls, _ = read_calls(AIMessage(content='{{"name": "list_orders"}}'), {"list_orders"})
    assert [(c.name, c.args, c.format) for c in calls] == [("list_orders", {}, "json")]
    _, calls, _ = read_calls(AIMessage(content='{"name": "made_up"}'), {"list_orders"})
    assert not malformed and not calls


def test_nothing_relevant_says_the_records_do_not_answer(world: World) -> None:
    replies = [
        call("search_knowledge_base", query="quantum flux capacitor warranty"),
        AIMessage(content="The warranty of the flux capacitor is lifelong."),
    ]
    assistant, _ = world.assistant(replies)
    r = assistant.agent("What is the quantum flux capacitor warranty?", actor="t")
    assert not r.answered and "do not answer" in r.text and not r.citations


def test_no_tool_call_cannot_answer_from_memory(world: World) -> None:
    made_up = AIMessage(content="She ordered 12 cakes [1].")
    assistant, llm = world.assistant([made_up, made_up])
    r = run_agent(assistant.deps, "What did she order?", customer_id=world.ids["A"], actor="t")
    assert not r.answered and not r.steps and not r.citations
    # One reminder to call a tool, then the text is taken as the (ungrounded) answer.
    assert r.model_calls == 2 and "<tool_call>" in str(llm.calls[1][-1].content)


def test_cli_agent_prints_answer_citations_and_trace(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from api.cli import assistant_cmds
    from api.cli import context as cli_context
    from api.cli.main import _register, app
    from retrieval.embedders import make_embedder
    from tests.assistant.conftest import seed_world

    settings.retrieval.embedder = "fake-64"
    settings.imports.progress = False
    ctx = cli_context.CliContext(settings)
    monkeypatch.setattr(cli_context, "_context", ctx)
    w = seed_world(settings, ctx.sessions, make_embedder(settings.retrieval))
    a, i1 = w.ids["A"], w.ids["I1"]
    llm = FakeChatModel(
        replies=[
            call("search_customer_records", query="配送 遅れ"),
            AIMessage(content="ほうじ茶の配送が遅れているという苦情があります [1]。"),
        ]
    )
    monkeypatch.setattr(
        assistant_cmds, "_assistant", lambda: Assistant(settings, w.sessions, w.retrieval, llm)
    )
    _register()
    r = CliRunner().invoke(app, ["agent", "配送の件は？", "--customer", str(a)])
    assert r.exit_code == 0, r.output
    assert "tool 1: search_customer_records" in r.output and "answer (checked)" in r.output
    assert f"[1] interaction:{i1}" in r.output and "stopped: answered" in r.output
    llm.replies = [AIMessage(content="NOT_IN_RECORDS")]
    r = CliRunner().invoke(app, ["agent", "Anything?", "--json"])
    assert r.exit_code == 0 and '"answered": false' in r.output and '"steps": []' in r.output


def test_repeated_call_stops_the_loop_and_the_records_decide(world: World) -> None:
    a, i2 = world.ids["A"], world.ids["I2"]
    same = call("search_customer_records", query="代替品 発送 約束")
    # The model loops on one call, then claims the records say nothing: relevance decides.
    assistant, _llm = world.assistant([same, same, AIMessage(content="NOT_IN_RECORDS")])
    r = assistant.agent("代替品を発送する約束はいつまで？", customer_id=a, actor="t")
    assert r.stopped == "repeated" and len(r.steps) == 1 and r.model_calls == 3
    assert r.answered and all(not s.generated for s in r.sentences)
    assert f"interaction:{i2}" in [c.record_id for c in r.citations]


def test_repeating_a_failed_call_also_stops(world: World) -> None:
    bad = call("search_customer_records", query="三浦", kind="person")  # no such kind
    assistant, _ = world.assistant([bad, bad, AIMessage(content="NOT_IN_RECORDS")])
    r = assistant.agent("Did she unsubscribe?", customer_id=world.ids["A"], actor="t")
    assert r.stopped == "repeated" and [s.ok for s in r.steps] == [False]
    assert "kind" in (r.steps[0].error or "") and not r.answered


def test_a_wrong_kind_filter_falls_back_to_every_kind(world: World) -> None:
    a, i1 = world.ids["A"], world.ids["I1"]
    replies = [
        call("search_customer_records", query="配送 遅れ", kind="meeting_note"),
        AIMessage(content="ほうじ茶の配送が遅れているという苦情があります [1]。"),
    ]
    assistant, llm = world.assistant(replies)
    r = assistant.agent("配送の件は？", customer_id=a, actor="t")
    assert tool_results(llm)[0].startswith("種類 meeting_note の記録はありません")
    assert [c.record_id for c in r.citations] == [f"interaction:{i1}"]


def test_a_json_dump_is_not_an_answer_and_unbalanced_braces_still_call(world: World) -> None:
    a = world.ids["A"]
    replies = [
        '{{"name": "search_customer_records", "arguments": {"query": "配送 遅れ"}}}}',
        '```json\n{"ticket": "", "message": "ほうじ茶の配送が遅れて届いていない"}\n```',
    ]
    assistant, _ = world.assistant(replies)
    r = assistant.agent("配送が遅れて届いていない件は？", customer_id=a, actor="t")
    assert [(s.tool, s.ok) for s in r.steps] == [("search_customer_records", True)]
    assert r.draft == "" and all(not s.generated for s in r.sentences) and r.citations
