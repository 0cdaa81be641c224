"""Record kinds a question names, and what that does to counting and answerability."""

from __future__ import annotations

from datetime import UTC, datetime

from assistant.answerability import FITTED, decide
from assistant.record_kinds import kind_nouns, kinds_named
from assistant.spans import counted_kind
from retrieval.types import SearchHit


def test_nouns_name_a_kind_and_verbs_point_at_one() -> None:
    assert kinds_named("店頭でどんな要望がありましたか？") == {"store_visit"}
    assert kinds_named("Where did we meet this prospect?") == {"meeting_note"}
    assert kinds_named("この見込み客とはどこで知り合いましたか？") == {"meeting_note"}
    assert kinds_named("Did he ask us about a subscription?") == {"inquiry"}
    assert kinds_named("What did she say in her review?") == {"review"}
    assert kinds_named("Why was the delivery late?") == set()
    assert kind_nouns("Did he ask us about a subscription?") == []  # a verb is not a noun


def test_only_a_noun_makes_a_count_of_all_records_of_a_kind() -> None:
    assert counted_kind("このお客様はレビューを何件書いていますか？") == "review"
    assert counted_kind("How many times has she visited our store?") == "store_visit"
    assert counted_kind("How many times did she ask about refunds?") is None
    assert counted_kind("How many times has Northwind reported timeouts?") is None
    assert counted_kind("What did she say in her review?") is None  # not counting


def _hit(record_id: str, kind: str, text: str) -> SearchHit:
    return SearchHit(
        chunk_id=f"{record_id}:0", record_id=record_id, customer_id=7, kind=kind,
        occurred_at=datetime(2025, 3, 1, tzinfo=UTC), title=None, text=text, span=text,
        score=0.1, sources=("vector",),
    )  # fmt: skip


def test_a_record_of_the_named_kind_is_answerable_evidence() -> None:
    visit = _hit("interaction:1", "store_visit", "大阪店にご来店。ギフト用の包装をご希望。")
    mail = _hit("interaction:2", "email", "煎茶セットのお礼のメール。")
    question = "店頭でどんな要望がありましたか？"
    decision = decide(question, [[visit, mail]], [0.05, 0.05])
    assert decision.answerable and decision.kept == [visit]
    assert decision.probabilities[0] >= FITTED.answer_at > decision.probabilities[1]
    # Without the kind named, the same weak hits do not make the question answerable.
    assert not decide("どんな要望がありましたか？", [[visit, mail]], [0.05, 0.05]).answerable


def test_a_record_of_the_day_the_question_names_is_answerable_evidence() -> None:
    box = _hit("interaction:1", "ticket", "Maria reported the gift box arrived crushed.")
    asked = SearchHit(
        chunk_id="interaction:2:0", record_id="interaction:2", customer_id=7, kind="inquiry",
        occurred_at=datetime(2025, 4, 3, 12, tzinfo=UTC), title=None,
        text="Any update on my replacement serum?", span="", score=0.1, sources=("vector",),
    )  # fmt: skip
    decision = decide("What was Maria's message on April 3?", [[box, asked]], [0.05, 0.05])
    assert asked in decision.kept and box not in decision.kept
    assert kinds_named("What did Maria ask on April 3?") == {"inquiry"}
