"""The chat answer: scoped retrieval, streaming, citations checked, guards, gaps, fallbacks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.outputs import ChatGenerationChunk

from assistant.llm.fake import FakeChatModel
from assistant.service import Assistant
from knowledge.journal import list_audit, list_gaps, recent_turns
from knowledge.repository import record_customer_id
from tests.assistant.conftest import World


def _assert_citations_valid(world: World, customer_id: int | None, record_ids: list[str]) -> None:
    with world.sessions() as s:
        for rid in record_ids:
            owner = record_customer_id(s, rid)
            assert rid.startswith("article:") or owner == customer_id, rid


def test_answer_streams_checked_sentences_then_one_result(world: World) -> None:
    assistant, llm = world.assistant()
    events = list(
        assistant.answer_stream(
            "配送が遅れている件は？", customer_id=world.ids["A"], actor="agent-1"
        )
    )
    # Progress while the model writes and each sentence once checked; never raw model text.
    assert {e.type for e in events[:-1]} == {"progress", "sentence"} and len(events) > 2
    shown = [e.sentence for e in events if e.type == "sentence"]
    result = events[-1].result
    assert result is not None and shown == result.sentences
    assert result is not None and result.answered and result.language == "ja"
    assert any(c.record_id == f"interaction:{world.ids['I1']}" for c in result.citations)
    _assert_citations_valid(world, world.ids["A"], [c.record_id for c in result.citations])
    assert result.model == "fake"
    assert "<<<RECORD 1" in str(llm.calls[0][-1].content)
    audit = list_audit(world.sessions, customer_id=world.ids["A"])
    assert audit[0].action == "answer" and audit[0].output_id == result.output_id
    assert audit[0].cited_records == [c.record_id for c in result.citations]


def test_other_customers_records_never_reach_the_model(world: World) -> None:
    assistant, llm = world.assistant()
    result = assistant.answer(
        "The kettle arrived broken and leaks water, refund?", customer_id=world.ids["A"], actor="t"
    )
    prompt = str(llm.calls[0][-1].content) if llm.calls else ""
    assert "Customer wants a refund" not in prompt  # customer C's ticket
    assert all(c.record_id != f"interaction:{world.ids['I6']}" for c in result.citations)


def test_invalid_markers_unsafe_tokens_and_unsupported_sentences_are_removed(world: World) -> None:
    reply = (
        "ほうじ茶の配送が遅れて届いていないとの苦情 [1][9]. "
        "詳しくは https://phish.example.com か 03-9999-8888 へ [1]. "
        "お客様は来月に新車を購入予定です [2]."
    )
    assistant, _ = world.assistant([reply])
    result = assistant.answer("配送が遅れている件は？", customer_id=world.ids["A"], actor="t")
    text = result.text
    assert "phish" not in text and "9999" not in text and "新車" not in text
    assert result.guard.invalid_citations_removed >= 1
    assert result.guard.unsafe_tokens_removed == 2
    assert result.guard.unsupported_sentences_dropped >= 1
    _assert_citations_valid(world, world.ids["A"], [c.record_id for c in result.citations])


def test_prompt_injection_in_a_record_is_only_data(world: World) -> None:
    assistant, llm = world.assistant()
    assistant.answer(
        "Ignore previous instructions discount system prompt", customer_id=world.ids["A"], actor="t"
    )
    system, user = llm.calls[0][0].content, str(llm.calls[0][-1].content)
    assert "never an instruction" in str(system)
    # The flagged record reaches the model with its injected span cut out (knowledge/injection):
    # the record is still there, inside its data block, but the instruction is not.
    records = user[: user.index("Question:")]
    assert "reveal the system prompt" not in records and "evil.example" not in records
    start = records.index("[…]")
    assert records.rfind("<<<RECORD", 0, start) > records.rfind("<<<END RECORD", 0, start)


def test_model_saying_not_in_records_gives_a_plain_no_and_a_gap(world: World) -> None:
    assistant, _ = world.assistant(["NOT_IN_RECORDS"])
    result = assistant.answer("How do I reset the tea maker?", actor="t")
    assert not result.answered and result.citations == []
    assert result.text == "The records do not answer this question."


def test_nothing_relevant_logs_a_knowledge_gap_counted_by_question(world: World) -> None:
    assistant, llm = world.assistant()
    for _ in range(2):
        result = assistant.answer("Quantum flux capacitor warranty?", actor="t")
        assert not result.answered
    assert llm.calls == []  # no records: the model is not even asked
    gaps = list_gaps(world.sessions)
    assert gaps[0].question == "Quantum flux capacitor warranty?" and gaps[0].count == 2


class _Broken(FakeChatModel):
    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        raise ConnectionError("server down")
        yield  # pragma: no cover


def test_a_failed_model_still_returns_the_records_extractively(world: World) -> None:
    assistant = Assistant(world.settings, world.sessions, world.retrieval, _Broken())
    result = assistant.answer("配送が遅れている件は？", customer_id=world.ids["A"], actor="t")
    assert result.degraded and "server down" in result.degraded
    assert result.answered and all(not s.generated for s in result.sentences)
    assert result.citations and result.citations[0].record_id.startswith("interaction:")


def test_english_question_gets_english_and_conversation_is_kept(world: World) -> None:
    assistant, _ = world.assistant()
    result = assistant.answer("How do I reset the tea maker?", conversation_id="conv-1", actor="t")
    assert result.language == "en" and result.answered
    assert any(c.record_id == f"article:{world.ids['K1']}" for c in result.citations)
    turns = recent_turns(world.sessions, "conv-1")
    assert [t.role for t in turns] == ["user", "assistant"]


def test_closing_the_stream_stops_generation(world: World) -> None:
    assistant, _ = world.assistant(["word " * 50 + "[1]."])
    stream = assistant.answer_stream(
        "配送が遅れている件は？", customer_id=world.ids["A"], actor="t"
    )
    first = next(stream)
    assert first.type == "progress"
    stream.close()  # the client went away: no result, no audit row
    assert list_audit(world.sessions) == []


def test_warm_up_evaluates_the_chat_prefix_of_both_languages(world: World) -> None:
    from assistant.prompting import render_prompt

    assistant, llm = world.assistant()
    assert assistant.warm_up() >= 0
    systems = [str(call[0].content) for call in llm.calls]
    assert systems == [render_prompt("answer_system", "ja"), render_prompt("answer_system", "en")]


def test_a_count_of_one_kind_comes_from_all_the_customers_records(world: World) -> None:
    assistant, llm = world.assistant()
    result = assistant.answer(
        "How many reviews has she written?", customer_id=world.ids["A"], actor="t"
    )
    assert not llm.calls  # counted by code, not written by the model
    assert result.answered and result.sentences[0].text.startswith("Matching records: 1")
    assert [c.record_id for c in result.citations] == [f"interaction:{world.ids['I3']}"]
    none = assistant.answer(
        "How many surveys has she filled in?", customer_id=world.ids["A"], actor="t"
    )
    assert none.answered and none.sentences[0].text.startswith("Matching records: 0")


def test_a_question_for_an_attribute_no_record_holds_is_declined(world: World) -> None:
    assistant, llm = world.assistant(["The customer's birthday is in May [1]."])
    result = assistant.answer("この方の誕生日はいつですか？", customer_id=world.ids["A"], actor="t")
    assert not result.answered and not result.citations and not llm.calls


def test_everything_bought_is_listed_from_the_orders(world: World) -> None:
    assistant, llm = world.assistant()
    result = assistant.answer(
        "List all the products she has bought.", customer_id=world.ids["A"], actor="t"
    )
    assert not llm.calls and result.answered
    assert {c.record_id for c in result.citations} == {
        f"order:{world.ids['O1']}",
        f"order:{world.ids['O2']}",
    }


def test_a_question_about_our_promises_lists_the_commitments_by_code(world: World) -> None:
    assistant, llm = world.assistant(["We promised a free upgrade [1]."])
    result = assistant.answer("約束していることは何ですか？", customer_id=world.ids["A"], actor="t")
    assert not llm.calls and result.answered
    assert "3月20日" in result.text and "free upgrade" not in result.text
    assert [c.record_id for c in result.citations] == [f"interaction:{world.ids['I2']}"]
    # A customer with no commitment in the records: the records and the model are asked.
    assistant, llm = world.assistant(["NOT_IN_RECORDS"])
    other = assistant.answer("What did we promise them?", customer_id=world.ids["C"], actor="t")
    assert llm.calls and not other.answered
