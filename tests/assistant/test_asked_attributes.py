"""The expected-attribute check: which questions ask for an address, a birthday, a carrier...,
and which texts could hold one (assistant/asked_attributes.py)."""

from __future__ import annotations

import pytest

from assistant.asked_attributes import ATTRIBUTES, asked_attributes, holds, unanswerable_by

ASKS = [
    ("What is Sarah Chen's home address?", "address"),
    ("Where does she live?", "address"),
    ("この方の住所を教えてください", "address"),
    ("請求書の送付先住所は変更になりましたか", "address"),
    ("What's Tom Baker's mobile phone number?", "phone"),
    ("田中様の電話番号は？", "phone"),
    ("携帯番号を教えて", "phone"),
    ("What is her e-mail address?", "email"),
    ("メールアドレスは何ですか", "email"),
    ("山崎様の誕生日はいつですか？", "birthday"),
    ("When was she born?", "birthday"),
    ("How old is the customer?", "age"),
    ("この方は何歳ですか", "age"),
    ("小林様のご家族は玉露が好きですか？", "relatives"),
    ("Does her husband drink sencha too?", "relatives"),
    ("Do her kids like the matcha?", "relatives"),
    ("みどり会計事務所の従業員数は何名ですか？", "headcount"),
    ("How many employees does Northwind have?", "headcount"),
    ("田中精機の来期の売上目標はいくらですか？", "target"),
    ("What is their sales target for next year?", "target"),
    ("What is the company's annual revenue?", "revenue"),
    ("年商はどのくらいですか", "revenue"),
    ("What colour was the gift box Maria received?", "colour"),
    ("ギフトボックスは何色でしたか", "colour"),
    ("Which courier company delivered her matcha kit?", "carrier"),
    ("どの配送業者が届けましたか", "carrier"),
    ("What size does she wear?", "size"),
    ("What is their website?", "website"),
]

ASKS_NOTHING = [
    "What did she complain about?",
    "Did she e-mail us about the refund?",
    "When did she last phone us?",
    "How many times has the pump broken?",
    "配送が遅れた件はどうなりましたか",
    "返金はいくらでしたか",
    "この方の約束事は何ですか",
    "What did we promise to send them, and by when?",
    "How much is their average order?",
    "Which products did they order?",
    "ミーティングで何が決まりましたか",
    "Is the customer happy with the delivery?",
    "What is the page count of the manual they asked for?",
    "大丈夫と言っていましたか",
    "What message did she leave?",
]


@pytest.mark.parametrize(("question", "name"), ASKS)
def test_recognises_the_attribute_asked_for(question: str, name: str) -> None:
    assert name in [a.name for a in asked_attributes(question)]


@pytest.mark.parametrize("question", ASKS_NOTHING)
def test_ordinary_questions_ask_for_no_attribute(question: str) -> None:
    assert asked_attributes(question) == []


HELD = [
    ("address", "Ship to 221 Baker Street, London."),
    ("address", "送付先は〒150-0001 東京都渋谷区神宮前1丁目です。"),
    ("address", "大阪府大阪市北区の店舗で購入。"),
    ("phone", "Call back on +81 90-1234-5678."),
    ("phone", "電話番号は０３－１２３４－５６７８です。"),  # full-width digits (NFKC)
    ("email", "Reply to tom.baker@northwind.example"),
    ("birthday", "お誕生日のプレゼント用にラッピング希望。"),
    ("relatives", "奥様へのプレゼントとして購入。"),
    ("headcount", "従業員は約40名。"),
    ("headcount", "A firm of 120 employees."),
    ("target", "来期の目標は売上1.2億円。"),
    ("colour", "The box was navy with a gold ribbon."),
    ("colour", "包装紙は紺色を希望。"),
    ("carrier", "ヤマト運輸の配達が2日遅れた。"),
    ("carrier", "Delivered by FedEx on Tuesday."),
    ("size", "サイズはMで交換。"),
]

NOT_HELD = [
    ("address", "Sarah asked about the renewal pricing."),
    ("phone", "Order 2024-0012 shipped."),
    ("birthday", "山崎様より返金の確認のお電話。"),
    ("relatives", "玉露の甘みがとても好きです。"),
    ("relatives", "大丈夫です、と回答。"),
    ("headcount", "出席者: 田中社長、鈴木課長、当社 高橋。"),
    ("target", "4月10日に研修を実施することが決まった。"),
    ("colour", "抹茶と緑茶の詰め合わせを注文。"),
    ("carrier", "the courier lost track of the parcel"),
]


@pytest.mark.parametrize(("name", "text"), HELD)
def test_a_text_holding_a_value(name: str, text: str) -> None:
    attribute = next(a for a in ATTRIBUTES if a.name == name)
    assert holds(attribute, text)


@pytest.mark.parametrize(("name", "text"), NOT_HELD)
def test_a_text_without_one(name: str, text: str) -> None:
    attribute = next(a for a in ATTRIBUTES if a.name == name)
    assert not holds(attribute, text)


def test_unanswerable_when_no_record_holds_the_attribute() -> None:
    records = ["the courier lost track of the parcel", "The matcha kit is excellent."]
    missing = unanswerable_by("Which courier company delivered her matcha kit?", records)
    assert missing is not None and missing.name == "carrier"
    assert unanswerable_by("Which courier company delivered it?", ["Sent with Yamato."]) is None
    assert unanswerable_by("What did she say about the matcha kit?", records) is None
