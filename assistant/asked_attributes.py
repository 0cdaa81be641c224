"""What kind of value a question asks for, and whether a text could hold one.

"What is Sarah's home address?", "山崎様の誕生日はいつですか？", "Which courier delivered it?":
each asks for one attribute (an address, a birthday, a carrier's name). Records that share the
question's other words (Sarah, the parcel, the delivery) are found, the model writes around
them and the extractive fallback quotes them, but none of them can answer unless it holds a
value of that kind. The classic expected-answer-type check of question answering: when the
question asks for such an attribute and no record in the context holds one, the question is
declined before the model runs.

Only attributes whose values are recognisable in text are listed (patterns in both languages,
checked after NFKC). "When" and "how much" are not: every record is dated and most carry an
amount, so those questions are left to the answerability decision and the model.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Attribute:
    """An attribute a question can ask for: how it is asked, what a text holding it shows."""

    name: str
    asked: re.Pattern[str]
    held: re.Pattern[str]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_RELATIVES = (
    r"famil(?:y|ies)|wife|husband|spouse|\bsons?\b|daughters?|child(?:ren)?|\bkids?\b"
    r"|parents?|mother|father|家族|奥様|奥さん|ご主人|旦那|(?<!丈)夫(?!人)|(?<![一二三四五六七八九十百千万億])妻"
    r"|息子|娘|お子|子供|子ども|ご両親|両親|お母|お父|(?<![祖])母(?!国|体)|(?<![祖])父(?!兄)"
)
_CARRIERS = (
    r"yamato|kuroneko|sagawa|japan post|yu-?pack|seino|fukuyama|fedex|\bups\b|\bdhl\b|\busps\b"
    r"|royal mail|\btnt\b|ヤマト|クロネコ|佐川|日本郵便|ゆうパック|ゆうパケット|西濃|福山通運"
    r"|運輸|急便|通運|logistics|freight|\w+ express\b"
)
# Japanese colours end in 色 (茶色, 緑色) or are loanwords; a bare 茶 or 緑 is tea in a tea shop.
_COLOURS = (
    r"colou?r|shade|\bred\b|\bblue\b|green|yellow|white|black|pink|purple|orange|brown|gr[ae]y"
    r"|\bgold(?:en)?\b|silver|navy|beige|ivory|\bcream\b|色|赤い|青い|白い|黒い|ピンク|オレンジ"
    r"|グレー|ベージュ|ネイビー|ホワイト|ブラック|ゴールド|シルバー"
)
_ADDRESS_HELD = (
    r"住所|所在地|\baddress\b|〒|\b\d{3}-\d{4}\b"
    r"|(?:東京都|北海道|京都府|大阪府|[\u4e00-\u9fff]{2,3}県)[\u4e00-\u9fff]{1,6}[市区町村郡]"
    r"|\d+\s*(?:丁目|番地)|\b\d+\s+[a-z]+(?:\s+[a-z]+)?\s+"
    r"(?:street|st\.?|avenue|ave\.?|road|rd\.?|lane|ln\.?|boulevard|blvd\.?|drive|dr\.?|way|court)\b"
)

ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        "email",
        _rx(r"e-?mail address|mail address|メールアドレス|メアド"),
        _rx(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    ),
    Attribute(
        "phone",
        _rx(
            r"(?:tele)?phone number|mobile(?: phone)? number|cell(?: phone)? number|mobile phone"
            r"|contact number|電話番号|携帯番号|携帯電話の番号|\btel\b"
        ),
        _rx(r"\+?\d(?:[\s()-]*\d){9,}"),  # ten digits or more: not an order number or a date
    ),
    Attribute(
        "address",
        _rx(
            r"(?<!e-mail )(?<!email )(?<!mail )(?<!ip )\b(?:home|postal|mailing|street|shipping"
            r"|delivery|billing|office|business)?\s?address\b|where does (?:s?he|they) live"
            r"|住所|所在地|お住まい|どこに住"
        ),
        _rx(_ADDRESS_HELD),
    ),
    Attribute(
        "birthday",
        _rx(r"birthday|date of birth|\bborn\b|誕生日|生年月日|生まれ"),
        _rx(r"birthday|date of birth|\bborn\b|誕生日|生年月日|生まれ"),
    ),
    Attribute(
        "age",
        _rx(r"how old|\bage\b|年齢|何歳|おいくつ"),
        _rx(r"\d+\s*(?:歳|才|years? old)|年齢|\baged?\b|\d0代|\d0s\b"),
    ),
    Attribute("relatives", _rx(_RELATIVES), _rx(_RELATIVES)),
    Attribute(
        "headcount",
        _rx(
            r"how many (?:employees|staff|people work|workers)|headcount|number of"
            r" (?:employees|staff|workers)|従業員|社員数|社員は何|スタッフ数|職員数"
        ),
        _rx(
            r"従業員|社員数|職員数|(?:社員|スタッフ|職員)\s*\d+|\d+\s*(?:名|人)規模"
            r"|\d[\d,]*\s*(?:employees|staff|people|workers)|headcount|workforce"
        ),
    ),
    Attribute(
        "target",
        _rx(r"\btargets?\b|\bgoals?\b|quota|\bkpis?\b|目標|ノルマ"),
        _rx(r"\btargets?\b|\bgoals?\b|quota|\bkpis?\b|目標|ノルマ|見込"),
    ),
    Attribute(
        "revenue",
        _rx(r"annual (?:revenue|sales)|\brevenue\b|turnover|年商|売上高|売上規模"),
        _rx(r"revenue|turnover|年商|売上"),
    ),
    Attribute("colour", _rx(r"colou?r|何色|色は|カラー"), _rx(_COLOURS)),
    Attribute(
        "carrier",
        _rx(
            r"(?:courier|carrier|shipping|delivery|logistics|freight) (?:company|firm|service"
            r"|name)|which (?:courier|carrier)|配送業者|運送会社|宅配業者|配達業者|配送会社"
            r"|どの業者|どこの業者|どの運送|業者名"
        ),
        _rx(_CARRIERS),
    ),
    Attribute(
        "size",
        _rx(r"what size|which size|\bsizes?\b|サイズ|何号"),
        _rx(r"\bsizes?\b|サイズ|\b(?:XXS|XS|S|M|L|XL|XXL)\b|\d+(?:\.\d)?\s*(?:cm|号|インチ|inch)"),
    ),
    Attribute(
        "website",
        _rx(r"website|web site|homepage|\burl\b|ホームページ|ウェブサイト|サイトのURL"),
        _rx(r"https?://|www\.|\.(?:com|jp|co\.jp|net|org)\b|ホームページ|website|\burl\b"),
    ),
)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def asked_attributes(question: str) -> list[Attribute]:
    """The attributes the question asks for (usually none)."""
    q = _norm(question)
    return [a for a in ATTRIBUTES if a.asked.search(q)]


def holds(attribute: Attribute, text: str) -> bool:
    """Whether the text could hold a value of the attribute."""
    return bool(attribute.held.search(_norm(text)))


def unanswerable_by(question: str, texts: list[str]) -> Attribute | None:
    """The attribute the question asks for that none of the texts holds, if any: the records
    cannot answer it, whatever else they share with the question."""
    for attribute in asked_attributes(question):
        if not any(holds(attribute, t) for t in texts):
            return attribute
    return None
