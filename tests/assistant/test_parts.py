"""Small parts: prompt rendering, language detection, enrichment rules, model file assembly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from assistant.enrich import classify_intent, classify_sentiment, enrich_all
from assistant.errors import ModelFileError, PromptError
from assistant.guards import scrub_unsafe, unsourced_numbers
from assistant.language import detect_language
from assistant.llm import model_file
from assistant.prompting import render_prompt, render_text
from knowledge.enrichment_store import interactions_to_enrich, store_enrichment
from knowledge.models import Interaction
from tests.assistant.conftest import World

INTENTS = ["billing", "delivery", "product_defect", "how_to", "cancellation", "praise", "other"]


def test_render_fails_loudly_on_a_missing_variable() -> None:
    with pytest.raises(PromptError, match="'question'"):
        render_prompt("answer_user", "en", facts="", records="", history="")
    with pytest.raises(PromptError, match="does not exist"):
        render_prompt("nope", "ja")
    assert render_text("$a and ${b}", {"a": 1, "b": "x"}, "t") == "1 and x"


def test_every_prompt_exists_in_both_languages() -> None:
    for name in ("answer_system", "brief_system", "email_system", "rewrite_system"):
        assert render_prompt(name, "ja") and render_prompt(name, "en")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("配送はいつ？", "ja"),
        ("How do I reset it?", "en"),
        ("東京本社", "ja"),
        ("Order A-1001 status", "en"),
        ("ABC株式会社の件", "ja"),
    ],
)
def test_language_follows_the_script(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_sentiment_and_intent_rules_in_both_languages() -> None:
    assert classify_sentiment("商品が壊れていて大変不満です") == "negative"
    assert classify_sentiment("とても美味しくて満足しています") == "positive"
    assert classify_sentiment("The package arrived broken, I want a refund") == "negative"
    assert classify_sentiment("anything", rating=5) == "positive"
    assert classify_sentiment("Order number A-1") == "neutral"
    assert classify_intent("解約したいです", INTENTS) == "cancellation"
    assert classify_intent("How do I reset the device?", INTENTS) == "how_to"
    assert classify_intent("請求書を再発行してください", INTENTS) == "billing"
    assert classify_intent("hello", ["billing"]) is None


def test_enrich_all_stores_and_skips_done(world: World) -> None:
    assert enrich_all(world.sessions, INTENTS) == 6
    with world.sessions() as s:
        assert interactions_to_enrich(s) == []
    assert enrich_all(world.sessions, INTENTS) == 0
    with world.sessions() as s:
        done = {i.id: i for i in interactions_to_enrich(s, only_missing=False)}
    assert done[world.ids["I1"]].sentiment == "negative"
    assert done[world.ids["I1"]].intent == "delivery"
    assert done[world.ids["I3"]].sentiment == "positive"


def test_enrichment_of_text_changed_meanwhile_is_not_stored(world: World) -> None:
    with world.sessions() as s:
        todo = interactions_to_enrich(s)
    with world.sessions.begin() as s:
        row = s.get(Interaction, todo[0].id)
        assert row is not None
        row.body = "an import changed the text after it was classified"
    results = [(i.id, "neutral", None) for i in todo]
    with world.sessions.begin() as s:
        stored = store_enrichment(s, results, classified={i.id: i for i in todo})
    assert stored == len(todo) - 1
    with world.sessions() as s:
        assert [i.id for i in interactions_to_enrich(s)] == [todo[0].id]


def test_guards_keep_sourced_contacts_and_drop_new_ones() -> None:
    text, n = scrub_unsafe(
        "Call 03-1234-5678 or see https://a.example/x, or 090-9999-0000.",
        "tel 0312345678 https://a.example/x",
    )
    assert "03-1234-5678" in text and "https://a.example/x" in text and "090" not in text
    assert n == 1
    assert unsourced_numbers("Total 5,400 JPY in 2 orders", "5400 JPY, 2") == []
    assert unsourced_numbers("a 30% discount", "no numbers") == ["30"]


def test_model_file_is_assembled_once_atomically_and_verified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = []
    for n, data in enumerate([b"GGUF" + b"a" * 10, b"b" * 7]):
        p = tmp_path / f"part{n}.bin"
        p.write_bytes(data)
        parts.append(p)
    whole = b"".join(p.read_bytes() for p in parts)
    monkeypatch.setattr(model_file, "part_paths", lambda: parts)
    monkeypatch.setattr(model_file, "EXPECTED_SIZE", len(whole))
    monkeypatch.setattr(model_file, "EXPECTED_SHA256", "0" * 64)
    cache = tmp_path / "cache"
    with pytest.raises(ModelFileError, match="sha256"):
        model_file.assemble_model(cache)
    assert list(cache.iterdir()) == []  # no half-written or unverified file left behind
    monkeypatch.setattr(model_file, "EXPECTED_SHA256", hashlib.sha256(whole).hexdigest())
    path = model_file.assemble_model(cache)
    assert path.read_bytes() == whole
    parts[0].unlink()  # reused afterwards: the parts are not read again
    assert model_file.assemble_model(cache) == path


def test_packaged_parts_are_installed_in_order() -> None:
    paths = model_file.part_paths()
    assert len(paths) == model_file.PART_COUNT
    assert sum(p.stat().st_size for p in paths) == model_file.EXPECTED_SIZE
    assert paths[0].name == "part01.bin" and paths[-1].name == "part22.bin"


def test_grounding_drops_the_question_said_back() -> None:
    from datetime import UTC, datetime

    from assistant.context import ContextRecord
    from assistant.grounding import GroundingPolicy, ground
    from assistant.similarity import Scorer

    record = ContextRecord(
        n=1,
        record_id="interaction:1",
        kind="inquiry",
        date=datetime(2026, 5, 1, tzinfo=UTC),
        text="請求書の宛名に誤りがありました。正しい宛名で再発行しました。",
        span="請求書の宛名に誤りがありました。",
        customer_id=7,
        title=None,
    )
    question = "この会社の請求書の誤りについて教えてください"
    text = f"{question} [1]。請求書の宛名に誤りがあり、再発行しました [1]。"

    def grounded(q: str) -> list[str]:
        out = ground(
            text,
            [record],
            Scorer([record.text], None),
            GroundingPolicy(relevance_cosine=0.2, support_overlap=0.3, support_cosine=0.5),
            customer_id=7,
            owner_of=lambda _: 7,
            facts_text="",
            question=q,
        )
        return [s.text for s in out.sentences]

    # Without the question the echo passes as supported: the records share its words.
    assert len(grounded("")) == 2
    assert grounded(question) == ["請求書の宛名に誤りがあり、再発行しました。"]
