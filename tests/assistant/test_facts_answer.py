"""Facts from SQL rendered by code, the interaction overview, mixed questions, checked streaming."""

from __future__ import annotations

from pathlib import Path

import yaml

from assistant.checked_stream import SentenceBuffer, markers_inside
from assistant.fact_intents import keyword_intent
from knowledge.repository import get_record, record_customer_id
from tests.assistant.conftest import World

LABELLED = yaml.safe_load((Path(__file__).parent / "data" / "fact_questions.yaml").read_text())
NAMES = ["山田 花子", "ヤマダ ハナコ", "Acme Foods Ltd.", "Acme"]


def test_the_recogniser_on_the_labelled_set() -> None:
    """Precision and recall of fact recognition (keywords, as unit tests run without meaning in
    the fake embedder); docs/assistant.md reports the same figures."""
    facts, overview, others = LABELLED["facts"], LABELLED["overview"], LABELLED["not_facts"]
    assert len(facts) >= 60 and len(others) >= 30
    tp = fn = fp = wrong_rest = 0
    for item in facts:
        got = keyword_intent(item["q"], NAMES)
        expected = set(item["facts"])
        tp += len(expected & set(got.facts))
        fn += len(expected - set(got.facts))
        fp += len(set(got.facts) - expected)
        wrong_rest += got.rest != bool(item.get("mixed", False))
    for q in others:
        got = keyword_intent(q, NAMES)
        fp += len(got.facts) + got.overview + got.promises
    for q in overview:
        got = keyword_intent(q, NAMES)
        tp += got.overview and not got.rest
        fn += not (got.overview and not got.rest)
    for q in LABELLED["promises"]:
        got = keyword_intent(q, NAMES)
        tp += got.promises and not got.facts
        fn += not (got.promises and not got.facts)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
    assert wrong_rest <= 2  # pure fact vs mixed decided right nearly always


def test_a_record_question_is_not_a_fact_question() -> None:
    for q in LABELLED["not_facts"]:
        assert not keyword_intent(q, NAMES).any, q


def test_total_spent_is_rendered_from_sql_and_cites_the_profile(world: World) -> None:
    assistant, llm = world.assistant()
    a = world.ids["A"]
    events = list(
        assistant.answer_stream(
            "How much has this customer spent in total?", customer_id=a, actor="t"
        )
    )
    result = events[-1].result
    assert result is not None and result.answered
    # 2 × 1,500 + 2,400 JPY over two orders, rendered by code; the model is not asked at all.
    assert "5,400 JPY" in result.text and "2 orders" in result.text
    assert llm.calls == []
    assert [c.record_id for c in result.citations] == [f"profile:{a}"]
    assert result.citations[0].kind == "profile" and "5,400 JPY" in result.citations[0].quote
    assert all(not s.generated for s in result.sentences)
    assert events[0].type == "sentence" and events[0].sentence == result.sentences[0]


def test_contract_value_is_the_lifetime_order_total_from_sql(world: World) -> None:
    """A B2B "contract value" (契約金額): Kizuna keeps orders, so the order total, said as such."""
    assistant, llm = world.assistant()
    b = world.ids["B"]
    for question in ("What is the contract value for Acme?", "年間契約額はいくらですか？"):
        result = assistant.answer(question, customer_id=b, actor="t")
        assert result.answered and "30,000 JPY" in result.text, result.text
        assert [c.record_id for c in result.citations] == [f"profile:{b}"]
    assert (
        "in total" in assistant.answer("What's the contract value?", customer_id=b, actor="t").text
    )
    assert llm.calls == []


def test_last_and_first_order_in_japanese_cite_the_order(world: World) -> None:
    assistant, llm = world.assistant()
    a = world.ids["A"]
    last = assistant.answer("最後に買ったのはいつですか？", customer_id=a, actor="t")
    assert "2025-03-05" in last.text and "A-1002" in last.text and "ほうじ茶 × 1" in last.text
    assert "2,400 JPY" in last.text and last.language == "ja"
    assert [c.record_id for c in last.citations] == [f"order:{world.ids['O2']}"]
    first = assistant.answer("初めて購入したのはいつ？", customer_id=a, actor="t")
    assert "2025-01-10" in first.text and "抹茶ラテ × 2" in first.text
    assert [c.record_id for c in first.citations] == [f"order:{world.ids['O1']}"]
    assert llm.calls == []


def test_company_facts_contacts_consent_segment(world: World) -> None:
    assistant, _ = world.assistant()
    b = world.ids["B"]
    who = assistant.answer("Who is the decision maker at Acme?", customer_id=b, actor="t")
    text = who.text
    assert text.index("Tom Baker") < text.index("Mary Jones")  # decision makers first
    assert "佐藤 健" in text and "decision maker" in text
    consent = assistant.answer("Can we send them marketing emails?", customer_id=b, actor="t")
    assert "has opted out" in consent.text
    jp = assistant.answer("メール配信を停止していますか？", customer_id=b, actor="t")
    assert "配信を停止しています" in jp.text
    orders = assistant.answer("注文回数と累計購入額を教えて", customer_id=b, actor="t")
    assert "30,000 JPY" in orders.text and "1回" in orders.text


def test_open_tickets_list_the_open_records(world: World) -> None:
    assistant, _ = world.assistant()
    a = world.ids["A"]
    result = assistant.answer("Does she have any open tickets?", customer_id=a, actor="t")
    ids = [c.record_id for c in result.citations]
    assert ids == [f"profile:{a}", f"interaction:{world.ids['I1']}"]
    assert "1 open ticket:" in result.text and "配送の遅れ (open)" in result.text


def test_overview_lists_the_interactions_newest_first_each_cited(world: World) -> None:
    assistant, llm = world.assistant()
    a = world.ids["A"]
    for question in ("What has this customer contacted us about?", "これまでの問い合わせは？"):
        result = assistant.answer(question, customer_id=a, actor="t")
        assert result.answered and llm.calls == []
        items = result.sentences[1:]
        expected = [f"interaction:{world.ids[k]}" for k in ("I2", "I1", "I4", "I3")]
        assert [s.citations for s in items] == [[rid] for rid in expected]
        assert items[0].text.startswith("2025-03-12")
    # The injected chat has a meaningless subject: its first sentence is shown as data, cut short.
    assert "discount" not in result.text


def test_a_mixed_question_gets_the_fact_and_the_records(world: World) -> None:
    assistant, llm = world.assistant()
    a = world.ids["A"]
    # Japanese, so that the fake embedder's keyword-like retrieval finds the delivery ticket
    # (the English wording once matched only the injected chat, which is now cut out).
    result = assistant.answer(
        "最後に買ったものは何で、配送の遅れはどうなりましたか？", customer_id=a, actor="t"
    )
    ids = [c.record_id for c in result.citations]
    assert ids[0] == f"order:{world.ids['O2']}" and result.sentences[0].generated is False
    assert llm.calls  # the rest of the question went to the records and the model
    assert any(rid.startswith("interaction:") for rid in ids[1:]), result.text
    assert all(
        record_customer_id_of(world, rid) == a for rid in ids if not rid.startswith("article:")
    )


def record_customer_id_of(world: World, record_id: str) -> int | None:
    with world.sessions() as s:
        return record_customer_id(s, record_id)


def test_without_a_customer_facts_are_not_guessed(world: World) -> None:
    assistant, _ = world.assistant()
    result = assistant.answer("How much has this customer spent in total?", actor="t")
    assert "JPY" not in result.text


def test_profile_and_order_ids_resolve_to_their_customer(world: World) -> None:
    a = world.ids["A"]
    with world.sessions() as s:
        assert record_customer_id(s, f"profile:{a}") == a
        assert record_customer_id(s, f"order:{world.ids['O3']}") == world.ids["B"]
        assert get_record(s, f"profile:{a}").name == "山田 花子"  # type: ignore[union-attr]


def test_only_checked_sentences_are_streamed(world: World) -> None:
    reply = (
        "ほうじ茶の配送が遅れて届いていないとの苦情 [1]. "
        "お客様は来月に新車を購入予定です [2]. "
        "ほうじ茶の配送が遅れて届いていないとの苦情 [1]."
    )
    assistant, _ = world.assistant([reply])
    events = list(
        assistant.answer_stream("配送が遅れている件は？", customer_id=world.ids["A"], actor="t")
    )
    streamed = [e for e in events if e.type == "sentence"]
    assert all(not e.text for e in events if e.type == "progress")  # no raw text, ever
    assert len(streamed) == 1 and "新車" not in streamed[0].text  # unsupported and repeat gone
    assert streamed[0].text.endswith("[1]") and streamed[0].citations
    result = events[-1].result
    assert result is not None and [e.sentence for e in streamed] == result.sentences
    assert result.guard.unsupported_sentences_dropped >= 2


def test_sentence_buffer_waits_for_the_markers() -> None:
    buffer = SentenceBuffer()
    out: list[str] = []
    for piece in ["配送が", "遅れています。", "[1", "]", "次の文", "です。[2]"]:
        out += buffer.push(piece)
    out += buffer.flush()
    assert out == ["配送が遅れています。[1]", "次の文です。[2]"]
    assert markers_inside(out[0]) == "配送が遅れています[1]。"
    buffer = SentenceBuffer()
    assert buffer.push("It was late [1]. The") == ["It was late [1]."]
    assert buffer.push(" refund 3.5 is") == [] and buffer.flush() == ["The refund 3.5 is"]
