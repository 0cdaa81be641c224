"""The checking core: answerability from all the evidence, answering sentences and counts,
claim checks against the cited record."""

from __future__ import annotations

from datetime import UTC, datetime

from assistant.answerability import FEATURES, Model, decide, evidence, trust_not_in_records
from assistant.claims import degenerate, disagreements, duplicate_of
from assistant.context import ContextRecord
from assistant.grounding import GroundingPolicy, ground
from assistant.pipeline import count_and_list, fall_back
from assistant.similarity import Scorer
from assistant.spans import answering_sentences, count_unit, is_counting
from retrieval.embedders import FakeEmbedder
from retrieval.types import SearchHit

NOTE = (
    "Attendees: Ravi Lim (IT Manager), Ken Mori. They want 250 seats on a two-year term. "
    "Next steps: Ken to send the quote by 2026-12-05."
)
LATE = "Re: 注文品が届きません — 配送業者の仕分けミスにより、お届けが遅れておりました。"


def _hit(record_id: str, text: str, sources: tuple[str, ...]) -> SearchHit:
    return SearchHit(
        chunk_id=f"{record_id}:0",
        record_id=record_id,
        customer_id=1,
        kind="ticket",
        occurred_at=None,
        title=None,
        text=text,
        span=text,
        score=0.03,
        sources=sources,
    )


def _record(n: int, text: str, customer_id: int | None = 1, day: int = 1) -> ContextRecord:
    return ContextRecord(
        n, f"interaction:{n}", "ticket", customer_id, datetime(2026, 3, day, tzinfo=UTC),
        None, text, text[:40],
    )  # fmt: skip


# --- answerability ----------------------------------------------------------------------


def test_evidence_counts_rank_rankers_and_kanji_shared_with_the_question() -> None:
    hit = _hit("interaction:1", "SSOエラーの原因は証明書の更新。", ("keyword", "bridge"))
    e = evidence("SSOの障害の原因は？", hit, rank=1, cosine=0.4)
    assert (e.rank, e.keyword, e.bridge, e.vector, e.cosine) == (0.5, 1.0, 1.0, 0.0, 0.4)
    assert e.kanji == 0.5  # 原因 of 障害原因
    assert e.cross == 0.0 and evidence("Why?", hit, 0, 0.0).cross == 1.0


def test_a_first_keyword_and_bridge_hit_answers_where_a_weak_cosine_declined() -> None:
    # The general noun (トラブル) shares no word with the record: the cosine alone is weak,
    # but retrieval ranked the record first on both keyword sides.
    weights = dict.fromkeys(FEATURES, 0.0) | {"rank": 2.0, "keyword": 1.0, "bridge": 1.0}
    model = Model(weights, -3.0, answer_at=0.5, keep_at=0.5)
    question = "この方のトラブルは？"
    first = _hit("interaction:1", "ポンプが壊れました。", ("keyword", "bridge", "vector"))
    vague = _hit("interaction:2", "ご来店ありがとうございます。", ("vector",))
    found = decide(question, [[first, vague]], [0.15, 0.1], model=model)
    assert found.answerable and found.kept == [first]
    missed = decide(question, [[vague]], [0.1], model=model)
    assert not missed.answerable and missed.kept == []
    assert decide(question, [[vague]], [0.1], model=model, facts_answer=True).answerable
    assert decide(question, [], [], model=model).confidence == 0.0


def test_the_models_not_in_records_stands_unless_the_records_near_certainly_answer() -> None:
    assert trust_not_in_records(True, 0.5)
    assert not trust_not_in_records(True, 0.95)
    assert not trust_not_in_records(False, 0.1)


# --- spans and counts ---------------------------------------------------------------------


def test_the_sentence_that_answers_is_quoted_not_the_first() -> None:
    (best,) = answering_sentences("When will Ken send the quote?", NOTE, FakeEmbedder())
    assert best.startswith("Next steps") and "2026-12-05" in best
    sentences, citations = fall_back(
        [_record(1, NOTE)], "en", question="When is the quote due?", embedder=FakeEmbedder()
    )
    assert "2026-12-05" in sentences[1].text and "Attendees" not in sentences[1].text
    assert sentences[1].citations == ["interaction:1"] and citations[0].record_id == "interaction:1"
    # Without the question, the record's retrieval span is quoted as before.
    assert fall_back([_record(1, NOTE)], "en")[0][1].text.endswith(NOTE[:40])


def test_counting_questions_get_a_count_and_a_cited_line_per_record() -> None:
    assert is_counting("How many times has SSO broken?") and is_counting("不具合は何回ありましたか")
    assert is_counting("すべての問い合わせを教えて") and not is_counting("When is the quote due?")
    records = [
        _record(1, "ポンプが戻りません。", day=5),
        _record(2, "ポンプがまた壊れました。これで3回目です。", day=20),
        _record(3, "ポンプの使い方", customer_id=None),  # an article is not an occurrence
    ]
    listed = count_and_list("ポンプの不具合は何回ありましたか", records, "ja")
    assert listed is not None
    sentences, citations = listed
    assert sentences[0].text == "該当する記録は2件です（2回）。"  # 何回 is answered in 回
    assert [s.citations for s in sentences[1:]] == [["interaction:1"], ["interaction:2"]]
    assert sentences[1].text.startswith("2026-03-05") and not any(s.generated for s in sentences)
    assert [c.record_id for c in citations] == ["interaction:1", "interaction:2"]
    assert count_and_list("ポンプはどうなりましたか", records, "ja") is None


def test_the_count_is_said_in_the_askers_words() -> None:
    records = [_record(1, "SSO timed out.", day=5), _record(2, "SSO timed out again.", day=20)]
    cases = [
        ("How many times has SSO timed out?", "en", "Matching records: 2 (twice)."),
        ("How often did SSO time out?", "en", "Matching records: 2 (twice)."),
        (
            "How many timeout reports has she filed?",
            "en",
            "Matching records: 2 (2 timeout reports).",
        ),
        ("List all the SSO timeouts", "en", "Matching records: 2."),
        ("SSOのタイムアウトは何回ありましたか？", "ja", "該当する記録は2件です（2回）。"),
        ("タイムアウトは何度起きましたか", "ja", "該当する記録は2件です（2度）。"),
        ("タイムアウトの報告は何件ですか", "ja", "該当する記録は2件です。"),
    ]
    for question, language, intro in cases:
        listed = count_and_list(question, records, language)
        assert listed is not None and listed[0][0].text == intro, (question, listed)
    assert count_unit("How many times did she call?", 1, "en") == "once"
    assert count_unit("How many times did she call?", 5, "en") == "5 times"
    assert count_unit("How many reviews has she written?", 1, "en") == "1 review"
    assert count_unit("How many records mention SSO?", 3, "en") is None


# --- claims ---------------------------------------------------------------------------------


def test_a_sentence_must_agree_with_its_record_on_numbers_dates_names_and_polarity() -> None:
    assert disagreements("Ken will send the quote for 250 seats by 2026-12-05.", NOTE) == []
    assert disagreements("Ken will send the quote for 205 seats.", NOTE) == ["number 205"]
    assert "date 12-8" in disagreements("Ken will send the quote by 2026-12-08.", NOTE)
    assert disagreements("Ravi Mori attended.", NOTE) == ["name Ravi Mori"]
    assert disagreements("Ken will not send the quote by 2026-12-05.", NOTE) == ["negation"]
    record = "Service restored at 12:50; the customer was not charged."
    assert disagreements("The customer was charged.", record) == ["negation"]


def test_who_did_it_must_be_the_records_actor() -> None:
    assert disagreements("配送業者の仕分けミスで遅れました。", LATE) == []
    assert disagreements("お客様の仕分けミスで遅れました。", LATE) == ["role courier->customer"]
    record = "The courier was late with the parcel."
    assert disagreements("The courier was late.", record) == []
    assert disagreements("The customer was late.", record) == ["role courier->customer"]


def test_a_claim_leaving_out_the_negated_part_is_not_a_negation_error() -> None:
    record = "配送の遅れ — ほうじ茶の配送が遅れて届いていないとの苦情。"
    assert disagreements("ほうじ茶の配送が遅れているという苦情があります。", record) == []


def test_repetition_and_duplicates_are_recognised() -> None:
    assert degenerate("ありがとうございます。" * 1 + "よろしくお願いします" * 4)
    assert not degenerate("The quote is due on 2026-12-05.")
    assert duplicate_of("The quote is due on December 5.", ["The quote is due on December 5!"])
    assert not duplicate_of("The quote is due on December 5.", ["Ravi Lim attended."])


def test_grounding_drops_a_wrong_claim_and_a_repeated_sentence() -> None:
    context = [_record(1, NOTE)]
    text = (
        "Ken will send the quote by 2026-12-05 [1]. Ken will send the quote by 2026-12-05 [1]. "
        "Ravi Mori will send the quote by 2026-12-05 [1]."
    )
    grounded = ground(
        text,
        context,
        Scorer([NOTE], FakeEmbedder()),
        GroundingPolicy(relevance_cosine=0.2, support_overlap=0.3),
        customer_id=1,
        owner_of=lambda _: 1,
        facts_text="",
    )
    assert [s.text for s in grounded.sentences] == ["Ken will send the quote by 2026-12-05."]
    assert grounded.guard.unsupported_sentences_dropped == 2


def test_an_iso_date_is_not_a_phone_number() -> None:
    from assistant.guards import scrub_unsafe

    text, removed = scrub_unsafe("Ordered on 2025-03-09; call 090-1111-2222.", "no numbers")
    assert "2025-03-09" in text and "090-1111-2222" not in text and removed == 1
