"""The personal-data masker: what it finds, what it leaves, how answers come back."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from assistant.llm.fake import FakeChatModel
from assistant.llm.masked import MaskedChatModel, masking_wanted
from assistant.masking.known import compile_known
from assistant.masking.masker import Masker
from knowledge.settings import LLMSettings
from tests.assistant.personal_corpus import corpus

PROMPTS = Path(__file__).resolve().parents[2] / "prompts"


def masked_values(text: str, masker: Masker | None = None) -> list[str]:
    masker = masker or Masker()
    return [text[s.start : s.end] for s in masker.spans(text)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("電話 090-1234-5678 まで", "090-1234-5678"),
        ("電話 09012345678 まで", "09012345678"),
        ("電話０９０－１２３４－５６７８まで", "０９０－１２３４－５６７８"),
        ("電話 090‐1234‐5678 まで", "090‐1234‐5678"),
        ("電話 090ー1234ー5678 まで", "090ー1234ー5678"),
        ("TEL:(03)1234-5678", "(03)1234-5678"),
        ("TEL 03(1234)5678。", "03(1234)5678"),
        ("フリーダイヤル 0120-123-456", "0120-123-456"),
        ("call +81 90-1234-5678 now", "+81 90-1234-5678"),
        ("call +1 (415) 555-0132 now", "+1 (415) 555-0132"),
        ("call (415) 555-0132 now", "(415) 555-0132"),
        ("call 415.555.0132 now", "415.555.0132"),
        ("call +44 20 7946 0958 now", "+44 20 7946 0958"),
    ],
)
def test_phone_formats(text: str, value: str) -> None:
    assert value in masked_values(text)


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("mail: Taro.Yamada+shop@example.co.jp.", "Taro.Yamada+shop@example.co.jp", "EMAIL"),
        ("メール ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ まで", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "EMAIL"),
        ("〒150-0041 にお送りください", "〒150-0041", "POSTAL"),
        ("〒１５０００４１", "〒１５０００４１", "POSTAL"),
        ("postcode SW1A 1AA.", "SW1A 1AA", "POSTAL"),
        ("送付先：東京都渋谷区神南1-2-3。", "東京都渋谷区神南1-2-3", "ADDRESS"),
        (
            "大阪府大阪市北区梅田2丁目4番9号 サンビル301号室へ",
            "大阪府大阪市北区梅田2丁目4番9号 サンビル301号室",
            "ADDRESS",
        ),
        ("札幌市中央区北一条西2-1 まで", "札幌市中央区北一条西2-1", "ADDRESS"),
        (
            "Ship to 742 Evergreen Terrace, Springfield.",
            "742 Evergreen Terrace, Springfield",
            "ADDRESS",
        ),
        ("card 4111 1111 1111 1111 ok", "4111 1111 1111 1111", "CARD"),
        ("card 3782-822463-10005 ok", "3782-822463-10005", "CARD"),
        ("田中 太郎様よりお電話", "田中 太郎", "PERSON"),
        ("担当の冨永が対応しました", "冨永", "PERSON"),
        ("氏名：綾瀬はるか", "綾瀬はるか", "PERSON"),
        ("スミスさんから", "スミス", "PERSON"),
        ("Escalated to Ms. Okafor today", "Okafor", "PERSON"),
        ("Dear Priya, thanks", "Priya", "PERSON"),
        ("spoke with Rafael Castellanos from purchasing", "Rafael Castellanos", "PERSON"),
        ("Best regards,\nSiobhan Whitfield", "Siobhan Whitfield", "PERSON"),
        ("Next steps: Maya Chen to check the quote", "Maya Chen", "PERSON"),
        ("担当(BA 早川): 確認いたします", "早川", "PERSON"),
        ("当社 CS 田辺 涼。議題", "田辺 涼", "PERSON"),
        ("お世話になっております。伊東でございます。", "伊東", "PERSON"),
    ],
)
def test_other_kinds(text: str, value: str, kind: str) -> None:
    masker = Masker()
    found = {text[s.start : s.end]: s.kind for s in masker.spans(text)}
    assert found.get(value) == kind, found


@pytest.mark.parametrize(
    "text",
    [
        "Order ORD-2024-00123 on 2024-05-01, total ¥12,345, 3 items at 10:30.",
        "<<<RECORD 1 id=interaction:12:0 kind=review date=2024-05-01 title='配送'>>>",
        "お客様と皆様へ。店長さんとご担当者様に確認します。担当者の質問に答えます。",
        "ルックアップ項目は仕様上同期対象外です。同様に、名前は入れずにお願いします。",
        "We moved to SoranoDesk Enterprise with Northgate Media Pty and the Procurement Lead.",
        "山口県の店舗、中野区の倉庫、福島駅から発送。2025年3月10日、50%オフ。",
        "Dear Customer, thanks. Best regards, Kizuna Support. The REST API returns 429.",
        "追跡番号 1234-5678-9012、型番 AB-1234-567、請求書 INV-2025-0042。",
        "Invoice 4111 1111 1111 1112 is not a card (the check digit is wrong).",
    ],
)
def test_clean_text_is_left_alone(text: str) -> None:
    assert masked_values(text) == []


def test_prompt_templates_come_out_unchanged() -> None:
    # The fixed parts of every prompt (system rules, e-mail frames) must reach the model as written.
    files = [p for p in PROMPTS.rglob("*") if p.is_file()]
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert masked_values(text) == [], path


def test_known_names_are_found_in_every_spelling() -> None:
    known = compile_known(
        ["山田 花子", "ヤマダ ハナコ", "Mary Jones"],
        [("PHONE", "+819011112222"), ("POSTAL", "1500041"), ("ADDRESS", "東京都渋谷区神南1-2-3")],
    )
    masker = Masker(known)
    text = (
        "山田花子さん、山田　花子、山田から。花子より。ヤマダ ハナコ。Jones called; "
        "JONES MARY wrote; mary jones agreed. 090 1111 2222 に電話。"
        "150 0041 宛、東京都 渋谷区神南 1-2-3"
    )
    masked = masker.mask(text)
    for value in ("山田", "花子", "ヤマダ", "Jones", "JONES", "mary", "1111", "0041", "渋谷区"):
        assert value not in masked, (value, masked)
    # One person, one placeholder: spellings that differ only in spaces come back as the first.
    assert masker.restore(masked) == text.replace("山田　花子", "山田花子")


def test_same_value_same_placeholder_and_round_trip() -> None:
    masker = Masker()
    text = "a@example.com と a@example.com、b@example.com"
    masked = masker.mask(text)
    assert masked == "⟦EMAIL_1⟧ と ⟦EMAIL_1⟧、⟦EMAIL_2⟧"
    assert masker.restore(masked) == text
    # A model may drop or swap the brackets; it may also invent a placeholder (kept as written).
    assert (
        masker.restore("[EMAIL_2] / EMAIL_1 / ⟦EMAIL_9⟧")
        == "b@example.com / a@example.com / ⟦EMAIL_9⟧"
    )


def test_articles_in_the_records_block_are_not_masked() -> None:
    text = (
        "<<<RECORD 1 id=article:3 kind=faq date=>>>\nお電話(0120-000-870)で承ります。\n"
        "<<<END RECORD 1>>>\n<<<RECORD 2 id=interaction:4 kind=call date=2025-01-01>>>\n"
        "折り返しは 090-1234-5678 へ。\n<<<END RECORD 2>>>"
    )
    masked = Masker().mask(text)
    assert "0120-000-870" in masked and "090-1234-5678" not in masked


def test_stream_restorer_joins_placeholders_cut_between_pieces() -> None:
    masker = Masker()
    masker.mask("連絡先 a@example.com と 090-1234-5678")
    restorer = masker.restorer()
    pieces = ["メールは ⟦EM", "AIL_", "1⟧、電話は PHO", "NE_1", "⟧ です"]
    out = "".join(restorer.feed(p) for p in pieces) + restorer.flush()
    assert out == "メールは a@example.com、電話は 090-1234-5678 です"


def test_recall_on_a_sample_of_the_synthetic_set() -> None:
    # The benchmark's full run is benchmarks/bench_masking.py; this sample keeps the floor.
    planted, clean = corpus(n=200, clean=60, seed=7)
    hits: dict[str, list[int]] = {}
    for record in planted:
        masker = Masker(compile_known([record.customer], []))
        covered = {i for s in masker.spans(record.text) for i in range(s.start, s.end)}
        for p in record.planted:
            ok = all(i in covered for i in range(p.start, p.end))
            hits.setdefault(p.kind, [0, 0])
            hits[p.kind][0] += ok
            hits[p.kind][1] += 1
    recall = {k: ok / n for k, (ok, n) in hits.items()}
    assert recall["EMAIL"] >= 0.99 and recall["PHONE"] >= 0.99, recall
    assert recall["PERSON"] >= 0.95 and recall["ADDRESS"] >= 0.95, recall
    assert sum(bool(Masker().spans(r.text)) for r in clean) == 0


@pytest.mark.parametrize(
    ("settings", "wanted"),
    [
        ({"mode": "openai", "openai_base_url": "https://api.example.com/v1"}, True),
        ({"mode": "openai", "openai_base_url": "http://127.0.0.1:8080/v1"}, False),
        ({"mode": "openai", "openai_base_url": "http://localhost:8080/v1"}, False),
        ({"mode": "openai", "openai_base_url": "http://[::1]:8080/v1"}, False),
        ({"mode": "openai", "openai_base_url": "http://10.0.0.5:8080/v1"}, True),
        ({"mode": "local"}, False),
        ({"mode": "local", "mask_personal_data": "always"}, True),
        (
            {
                "mode": "openai",
                "openai_base_url": "https://x.example/v1",
                "mask_personal_data": "never",
            },
            False,
        ),
    ],
)
def test_masking_wanted(settings: dict[str, str], wanted: bool) -> None:
    assert masking_wanted(LLMSettings(**settings)) is wanted  # type: ignore[arg-type]


def _masked_fake(replies: list[str | AIMessage]) -> tuple[MaskedChatModel, FakeChatModel]:
    fake = FakeChatModel(replies=replies)
    known = compile_known(["山田 花子"], [])
    return MaskedChatModel(inner=fake, known=lambda: known), fake


def test_masked_model_masks_every_message_and_restores_the_reply() -> None:
    model, fake = _masked_fake(["⟦PERSON_1⟧様には ⟦EMAIL_1⟧ でご連絡します [1]."])
    messages = [
        SystemMessage("ルール"),
        HumanMessage("山田 花子様 (hanako@example.jp) について"),
        AIMessage("", tool_calls=[{"name": "find", "args": {"q": "山田 花子"}, "id": "c1"}]),
        ToolMessage("hanako@example.jp の記録", tool_call_id="c1"),
    ]
    reply = model.invoke(messages)
    call = fake.calls[0][2]
    assert isinstance(call, AIMessage)
    sent = " ".join(str(m.content) for m in fake.calls[0]) + str(call.tool_calls)
    assert "山田" not in sent and "hanako" not in sent
    assert reply.content == "山田 花子様には hanako@example.jp でご連絡します [1]."


def test_masked_model_streams_restored_text_and_restores_tool_calls() -> None:
    call = AIMessage(
        "", tool_calls=[{"name": "find", "args": {"q": "⟦PERSON_1⟧の注文"}, "id": "c1"}]
    )
    model, _ = _masked_fake(["⟦PERSON_1⟧様 [1].", call])
    streamed = "".join(str(c.content) for c in model.stream([HumanMessage("山田 花子様")]))
    assert streamed == "山田 花子様 [1]."
    bound = model.bind_tools([])
    merged = None
    for chunk in bound.stream([HumanMessage("山田 花子様の注文は？")]):
        merged = chunk if merged is None else merged + chunk
    assert merged is not None and merged.tool_calls[0]["args"] == {"q": "山田 花子の注文"}
