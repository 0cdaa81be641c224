"""With masking on, no planted personal value reaches an OpenAI-compatible server, and the
answers come back with the real values (chat streamed and not, brief, drafts)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.service import Assistant, build_llm
from knowledge.db import make_session_factory
from knowledge.importing import import_records
from knowledge.models import SourceRecord
from knowledge.settings import Settings
from retrieval.embedders import FakeEmbedder
from retrieval.service import build_retrieval
from tests.assistant.recording_llm import Recorder, recording_server

CUSTOMERS: list[dict[str, Any]] = [
    {
        "external_id": "X",
        "kind": "person",
        "name": "榊原 美咲",
        "name_kana": "サカキバラ ミサキ",
        "email": "misaki.sakakibara@example.jp",
        "phone": "090-3456-7812",
        "postal_code": "150-0041",
        "address": "東京都渋谷区神南1-2-3",
        "language": "ja",
    },
    {
        "external_id": "Y",
        "kind": "person",
        "name": "Ingrid Lindqvist",
        "email": "ingrid.l@example.com",
        "phone": "+1 415 555 0199",
        "address": "742 Evergreen Terrace, Springfield",
        "country": "US",
        "language": "en",
    },
]
INTERACTIONS: list[dict[str, Any]] = [
    {
        "external_id": "X1",
        "customer_external_id": "X",
        "kind": "ticket",
        "occurred_at": "2025-03-10T11:00:00+09:00",
        "subject": "配送の遅れ",
        "body": "榊原 美咲様から配送の遅れについて電話がありました。"
        "折り返しは０９０－３４５６－７８１２、"
        "メールは misaki.sakakibara@example.jp です。",
        "language": "ja",
    },
    {
        "external_id": "X2",
        "customer_external_id": "X",
        "kind": "review",
        "occurred_at": "2025-03-20T11:00:00+09:00",
        "body": "榊原様より：化粧水の香りがとても良かったです。"
        "届け先は〒150-0041 東京都渋谷区神南1-2-3 "
        "サンビル301号室でした。",
        "language": "ja",
    },
    {
        "external_id": "X3",
        "customer_external_id": "X",
        "kind": "inquiry",
        "occurred_at": "2025-04-01T11:00:00+09:00",
        "body": "カード 4111 1111 1111 1111 で支払った請求の内訳を知りたいとのこと。"
        "担当の冨永が対応。",
        "language": "ja",
    },
    {
        "external_id": "Y1",
        "customer_external_id": "Y",
        "kind": "ticket",
        "occurred_at": "2025-03-10T11:00:00+00:00",
        "subject": "Late delivery",
        "body": "Ingrid Lindqvist called about a late delivery. Call back on (415) 555-0199 or "
        "ingrid.l@example.com.",
        "language": "en",
    },
    {
        "external_id": "Y2",
        "customer_external_id": "Y",
        "kind": "meeting_note",
        "occurred_at": "2025-04-02T11:00:00+00:00",
        "body": "Met Ms. Lindqvist at 742 Evergreen Terrace, Springfield. She asked for a refund "
        "to card 5500 0000 0000 0004.",
        "language": "en",
    },
]
# Every planted value, in every form the records write it.
PLANTED = [
    "榊原",
    "美咲",
    "サカキバラ",
    "misaki.sakakibara",
    "090-3456-7812",
    "０９０－３４５６－７８１２",
    "3456",
    "7812",
    "150-0041",
    "神南",
    "4111 1111 1111 1111",
    "冨永",
    "Ingrid",
    "Lindqvist",
    "ingrid.l@",
    "555-0199",
    "555 0199",
    "Evergreen",
    "5500 0000 0000 0004",
]


def _digits_only(text: str) -> str:
    return re.sub(r"\D", "", text)


@pytest.fixture
def masked_world(
    settings: Settings, sqlite_engine: Any
) -> Iterator[tuple[Assistant, Recorder, dict[str, int]]]:
    sessions = make_session_factory(sqlite_engine)
    settings.retrieval.collection = f"t{uuid.uuid4().hex[:12]}"
    settings.imports.progress = False
    for entity, records in (("customer", CUSTOMERS), ("interaction", INTERACTIONS)):
        report = import_records(
            sessions, records, source="test", entity=entity, settings=settings.imports
        )
        assert report.rejected == 0, report
    with sessions() as s:
        ids = {r.external_id: r.entity_id for r in s.query(SourceRecord).all()}
    retrieval = build_retrieval(settings.retrieval, sessions, embedder=FakeEmbedder())
    retrieval.index(progress=False)
    with recording_server() as recorder:
        settings.llm = settings.llm.model_copy(
            update={
                "mode": "openai",
                "openai_base_url": recorder.base_url,
                "mask_personal_data": "always",
                "timeout_s": 10.0,
            }
        )
        assistant = Assistant(settings, sessions, retrieval, build_llm(settings.llm))
        yield assistant, recorder, ids


def _assert_nothing_planted_sent(recorder: Recorder) -> None:
    sent = recorder.seen()
    assert recorder.bodies, "the model was never called"
    assert "⟦" in sent  # the prompts did carry placeholders
    leaked = [v for v in PLANTED if v in sent]
    assert leaked == [], leaked
    for number in ("09034567812", "4155550199", "4111111111111111", "5500000000000004"):
        assert number not in _digits_only(sent), number


def test_chat_stream_sends_placeholders_and_shows_real_values(masked_world: Any) -> None:
    assistant, recorder, ids = masked_world
    events = list(
        assistant.answer_stream("配送の遅れの件は？", customer_id=ids["X"], actor="agent-1")
    )
    result = events[-1].result
    assert result is not None and result.degraded is None
    _assert_nothing_planted_sent(recorder)
    # The server echoed a masked sentence; the user sees the customer's real name in it.
    assert "榊原" in result.text and "⟦" not in result.text
    assert any(c.record_id == f"interaction:{ids['X1']}" for c in result.citations)
    assert all(s.generated for s in result.sentences if s.citations)


def test_english_answer_is_restored(masked_world: Any) -> None:
    assistant, recorder, ids = masked_world
    result = assistant.answer(
        "What did she say about the late delivery?", customer_id=ids["Y"], actor="agent-1"
    )
    _assert_nothing_planted_sent(recorder)
    assert "Ingrid Lindqvist" in result.text and "⟦" not in result.text
    assert any(c.record_id == f"interaction:{ids['Y1']}" for c in result.citations)


def test_brief_and_drafts_send_no_planted_value(masked_world: Any) -> None:
    assistant, recorder, ids = masked_world
    brief = assistant.brief(ids["X"], actor="sales-1")
    calls_after_brief = len(recorder.bodies)
    drafts = [
        assistant.draft_email(ids[c], purpose=p, actor="sales-1")
        for c in ("X", "Y")
        for p in ("thank_you", "apology")
    ]
    assert len(recorder.bodies) > calls_after_brief > 0
    _assert_nothing_planted_sent(recorder)
    assert "⟦" not in brief.markdown
    for draft in drafts:
        assert "⟦" not in draft.subject + draft.body
    # The drafts still address the customer by name (filled in by code or restored).
    assert any("Lindqvist" in d.body or "Ingrid" in d.body for d in drafts[2:])


def test_known_names_follow_the_people_in_sql(settings: Settings, sqlite_engine: Any) -> None:
    from assistant.masking.known import KnownFromSQL
    from assistant.masking.masker import Masker

    sessions = make_session_factory(sqlite_engine)
    known = KnownFromSQL(sessions)
    note = "前回は綾瀬が訪問しました。"  # no honorific, no label, not a common surname
    assert Masker(known()).mask(note) == note
    person = {"external_id": "N", "kind": "person", "name": "綾瀬 ひかり", "phone": "0312345678"}
    report = import_records(
        sessions, [person], source="test", entity="customer", settings=settings.imports
    )
    assert report.inserted == 1
    masked = Masker(known()).mask(note + "電話は03 1234 5678。")
    assert "綾瀬" not in masked and "5678" not in masked, masked
