"""Where personal data sits in a text: e-mail addresses, phone numbers, card numbers, postal
codes, addresses and names, found by pattern (names known from SQL are added by the caller).

Every finder reads the *folded* text (fold_text): the same length as the original, with 全角
letters and digits made ASCII and every dash variant made '-', so one pattern covers
"090-1234-5678", "０９０－１２３４－５６７８" and "090‐1234‐5678", and a span found in the folded
text is the same span in the original.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import phonenumbers

KINDS = ("PERSON", "EMAIL", "PHONE", "POSTAL", "ADDRESS", "CARD")


def words(text: str) -> list[str]:
    """The words of a word list written as text (one long literal list reads badly)."""
    return text.split()


@dataclass(frozen=True)
class Span:
    """One piece of personal data: text[start:end] is of this kind."""

    start: int
    end: int
    kind: str


_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−－ｰ﹣"), "-")
_LONG_MARK_BETWEEN_DIGITS = re.compile(r"(?<=\d)ー(?=\d)")  # typed as a dash by Japanese IMEs


def fold_text(text: str) -> str:
    """The text with 全角 forms made ASCII and dashes made '-', character for character."""
    chars = []
    for c in text:
        folded = unicodedata.normalize("NFKC", c)
        chars.append(folded if len(folded) == 1 else c)
    out = "".join(chars).translate(_DASHES)
    return _LONG_MARK_BETWEEN_DIGITS.sub("-", out)


# --- e-mail, card, phone, postal code --------------------------------------------------------

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_CARD = re.compile(r"(?<![\d\-])\d(?:[ \-]?\d){12,18}(?![\d])")
# A number glued to letters, '=' or '/' is an id, a code or a path, not a phone.
_NOT_BEFORE = r"(?<![A-Za-z0-9+\-./=_#])"
_NOT_AFTER = r"(?![0-9]|-[0-9]|[A-Za-z])"
_SEP = r"[ \-.]?"
_PHONES = [
    # International: +81 90-1234-5678, +44 (0)20 7946 0958, +1 (415) 555-0132
    re.compile(
        _NOT_BEFORE + r"\+\d{1,3}" + _SEP + r"(?:\(0\)" + _SEP + r")?"
        r"(?:\(\d{1,4}\)|\d{1,4})(?:" + _SEP + r"\d{1,4}){1,4}" + _NOT_AFTER
    ),
    # National with a leading 0 (Japan, UK): 03-1234-5678, (03)1234-5678, 03(1234)5678,
    # 09012345678, 0120-123-456, 020 7946 0958
    re.compile(
        _NOT_BEFORE + r"\(?0\d{1,4}\)?" + r"[ \-.]?\(?\d{1,4}\)?" + _SEP + r"\d{3,4}" + _NOT_AFTER
    ),
    # North American: (415) 555-0132, 415-555-0132, 415.555.0132
    re.compile(_NOT_BEFORE + r"(?:\(\d{3}\) ?|\d{3}[\-.])\d{3}[\-. ]\d{4}" + _NOT_AFTER),
]
_PHONE_REGIONS = ("JP", "US", "GB")
_POSTAL_JP = re.compile(r"〒 ?\d{3}-?\d{4}(?!\d)")
_POSTAL_LABELLED = re.compile(
    r"(?:郵便番号|postal code|post code|postcode|zip(?: code)?)[ :：]*"
    r"(\d{3}-?\d{4}|\d{5}(?:-\d{4})?)",
    re.IGNORECASE,
)


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def luhn_ok(digits: str) -> bool:
    """Whether a digit string passes the Luhn check that card numbers carry."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _phone_ok(candidate: str) -> bool:
    n = len(_digits(candidate))
    if candidate.startswith("+"):
        return 8 <= n <= 15
    if candidate.lstrip("(").startswith("0"):
        return 10 <= n <= 11
    return n == 10


def find_emails(folded: str) -> Iterator[Span]:
    for m in _EMAIL.finditer(folded):
        yield Span(m.start(), m.end(), "EMAIL")


def find_cards(folded: str) -> Iterator[Span]:
    for m in _CARD.finditer(folded):
        digits = _digits(m.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            yield Span(m.start(), m.end(), "CARD")


def find_phones(text: str, folded: str) -> Iterator[Span]:
    for pattern in _PHONES:
        for m in pattern.finditer(folded):
            if _phone_ok(m.group()):
                # "(090-1234-5678" took the bracket around the number: leave it to the text.
                start = m.start() + (m.group().startswith("(") and ")" not in m.group())
                yield Span(start, m.end(), "PHONE")
    # libphonenumber's matcher as a second reader: formats the patterns above do not know.
    for region in _PHONE_REGIONS:
        for match in phonenumbers.PhoneNumberMatcher(text, region, phonenumbers.Leniency.VALID):
            raw = folded[match.start : match.end]
            start = match.start + (raw.startswith("(") and ")" not in raw)
            yield Span(start, match.end, "PHONE")


def find_postal_codes(folded: str) -> Iterator[Span]:
    for m in _POSTAL_JP.finditer(folded):
        yield Span(m.start(), m.end(), "POSTAL")
    for m in _POSTAL_LABELLED.finditer(folded):
        yield Span(m.start(1), m.end(1), "POSTAL")


# --- addresses --------------------------------------------------------------------------------

_PREFECTURES = (
    "北海道|青森県|岩手県|宮城県|秋田県|山形県|福島県|茨城県|栃木県|群馬県|埼玉県|千葉県|東京都"
    "|神奈川県|新潟県|富山県|石川県|福井県|山梨県|長野県|岐阜県|静岡県|愛知県|三重県|滋賀県"
    "|京都府|大阪府|兵庫県|奈良県|和歌山県|鳥取県|島根県|岡山県|広島県|山口県|徳島県|香川県"
    "|愛媛県|高知県|福岡県|佐賀県|長崎県|熊本県|大分県|宮崎県|鹿児島県|沖縄県"
)
_KANJI = r"一-龥々〆ヶ"
_TOWN_CHARS = rf"[{_KANJI}ぁ-んァ-ヶー]"
# 1-2-3, 1丁目2番3号, 2丁目4番地の9, 123番地, 5-6-7 サンビル301号室
_BLOCK = r"\d+(?:丁目|番地|番|号|の|-)(?:\d+(?:丁目|番地|番|号|の|-)?)*"
# A building and its room: サンビル301号室, コーポ若葉 410, 5F
_BUILDING_CHARS = rf"[{_KANJI}ァ-ヶーA-Za-z]"
_BUILDING = (
    rf"(?: ?{_BUILDING_CHARS}{{1,15}}? ?\d+(?:号室|号|階|F)"
    rf"| ?{_BUILDING_CHARS}{{1,12}}?"
    r"(?:ビル|マンション|ハイツ|荘|タワー|レジデンス|ハウス|プラザ|ヒルズ))?"
)
_ADDRESS_JP = re.compile(
    rf"(?:(?:{_PREFECTURES}) ?{_TOWN_CHARS}{{1,20}}?{_BLOCK}"
    # Without the prefecture: a city or ward, kanji and katakana only, then a real block number.
    rf"|[{_KANJI}ァ-ヶー]{{1,8}}?[市区郡][{_KANJI}ァ-ヶー]{{0,12}}?\d+(?:丁目|番地?|-\d+)[\d\-丁目番地号]*)"
    + _BUILDING
)
_STREET_TYPES = (
    r"Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Ln\.?|Drive|Dr\.?|Court|Ct\.?"
    r"|Way|Place|Pl\.?|Terrace|Square|Sq\.?|Parkway|Pkwy\.?|Highway|Hwy\.?|Close|Crescent|Row"
)
_CAP = r"[A-Z][A-Za-z'\-]+"
_ADDRESS_EN = re.compile(
    rf"(?<![\w\-])\d{{1,5}}[A-Z]? (?:{_CAP} ){{1,3}}(?:{_STREET_TYPES})(?![A-Za-z])"
    r"(?:,? (?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|#) ?[\w\-]+)?"
    # The city, state and ZIP (or UK postcode) when they follow.
    rf"(?:, ?(?:{_CAP} ){{0,2}}{_CAP}(?:, ?[A-Z]{{2}})?(?: \d{{5}}(?:-\d{{4}})?)?)?"
    r"(?:,? [A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})?"
)
_UK_POSTCODE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}(?![A-Za-z0-9])")


def find_addresses(folded: str) -> Iterator[Span]:
    for m in _ADDRESS_JP.finditer(folded):
        yield Span(m.start(), m.end(), "ADDRESS")
    for m in _ADDRESS_EN.finditer(folded):
        yield Span(m.start(), m.end(), "ADDRESS")
    for m in _UK_POSTCODE.finditer(folded):
        yield Span(m.start(), m.end(), "POSTAL")


# --- names ------------------------------------------------------------------------------------

_HONORIFICS = r"様|さま|さん|殿|氏|君|くん|ちゃん|先生"
# Words that stand before an honorific and are no one's name.
_NOT_NAMES = frozenset(
    words(
        """
        客 お客 皆 各位 奥 神 先方 担当 担当者 ご担当者 社長 部長 課長 係長 店長 院長 会長 主任
        息子 娘 母 父 兄 姉 弟 妹 子 旦那 主人 大家 業者 運転手 医者 看護師 学生 生徒 会員
        利用者 購入者 申込者 患者 皆々 御中 貴社 弊社 同僚 上司 部下 友人 知人 家族 配達員
        スタッフ ママ パパ ドライバー オーナー ユーザー ゲスト メンバー クライアント カスタマー
        お母 お父 お兄 お姉 お嬢 お子 奥さ 店員 職人 皆さ 営業 窓口 部署 部門 事務局 本人 当社
        各社 自社 全員 一同 代理店 販売店
        """
    )
)
# Words that end in an honorific's character and are no one's name: 仕様, 同様, 彼氏, 宮殿.
_HONORIFIC_WORDS = frozenset(
    words(
        """
    仕様 模様 同様 異様 多様 一様 王様 神様 皆様 奥様 殿様 貴様 左様 有様 文様 紋様 仏様 様様 同氏
    両氏 某氏 彼氏 諸氏 諸君 主君 暴君 細君 御殿 宮殿 神殿 拝殿 本殿
    """
    )
)
_ROLE_ENDINGS = tuple("者長員客屋師士官手主様方社業部課局室係店署")
_JA_NAME = (
    rf"[{_KANJI}][{_KANJI}ノ]{{0,3}}(?: [{_KANJI}]{{1,4}}| ?[ぁ-んァ-ヶー]{{2,5}})?"
    r"|[ァ-ヶー]{2,10}(?:[・ ][ァ-ヶー]{2,10})?"
)
_JA_NAME_BEFORE_HONORIFIC = re.compile(rf"({_JA_NAME})(?= ?(?:{_HONORIFICS}))")
_JA_LABEL = (
    r"(?:氏名|お名前|名前|担当者|担当|営業担当|差出人|送信者|ご依頼主|契約者|紹介者|同席者|窓口)"
)
# "氏名：山田太郎", "担当 山田": the name ends at punctuation, an honorific or a particle.
_JA_NAME_AFTER_LABEL = re.compile(
    rf"{_JA_LABEL}[ :：]*({_JA_NAME})"
    rf"(?=[ 、。,.)）」』\n:：/]|$|{_HONORIFICS}|が|は|に|の|と|より|から|です|へ|宛|で|も)"
)
# "担当の冨永が対応": after の only a subject or a sender ("担当者の質問に" names no one).
_JA_NAME_AFTER_LABEL_NO = re.compile(
    rf"{_JA_LABEL}の({_JA_NAME})(?=[、。]|{_HONORIFICS}|が|より|から)"
)
# Staff written with their role, as CRM notes do: "CS 田辺 涼", "担当(BA 早川)", "当社 伊東・森".
_JA_NAME_AFTER_ROLE = re.compile(
    r"(?:サポート|CS|営業|SE|BA|PM|CSM|AE|店長|店員|スタッフ|当社)[ 　]"
    rf"([{_KANJI}]{{1,4}}(?:[ ・][{_KANJI}]{{1,4}})*)"
    rf"(?=[ 、。,.)）」』\n:：/]|$|{_HONORIFICS}|が|は|に|の|と|より|から|です|へ|で|も)"
)
# Who introduces themselves: "伊東でございます", "田中と申します".
_JA_NAME_INTRODUCED = re.compile(rf"([{_KANJI}]{{1,4}})(?=でございます|と申します)")
# Nouns that follow 担当の / 担当者は and are no one's name.
_LABEL_NOUNS = frozenset(
    words(
        """
        質問 確認 対応 回答 連絡 判断 変更 手配 説明 了承 承認 意見 方針 不在 名前 情報 負担
        記録 案内 業務 範囲 交代 変更 割り当て 割当 不足 調整 決定 判断 指示 報告 都合 一覧 設定
        権限
        """
    )
)

# The most common Japanese surnames: found without an honorific, with the given name after.
_SURNAMES = words(
    """
    佐藤 鈴木 高橋 田中 伊藤 渡辺 渡部 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村
    斎藤 斉藤 清水 山崎 森田 池田 橋本 阿部 石川 山下 中島 石井 小川 前田 岡田 長谷川 藤田 後藤
    近藤 村上 遠藤 青木 坂本 福田 太田 西村 藤井 金子 岡本 藤原 中野 三浦 原田 中川 松田 竹内
    小野 田村 中山 和田 石田 森 上田 原 内田 柴田 酒井 宮崎 横山 高木 安藤 宮本 大野 小島 工藤
    谷口 今井 高田 丸山 増田 杉山 村田 大塚 小山 平野 藤本 河野 上野 野口 武田 松井 千葉 岩崎
    菅原 木下 久保 佐野 野村 松尾 市川 菊地 杉本 古川 大西 島田 水野 桜井 高野 渡邊 吉川 山内
    西田 飯田 菅野 服部 川口 福島 辻 秋山 北村 五十嵐 小松 永井 松岡 田口 中西 関 荒木 平田
    """
)
_SURNAME_RE = "|".join(sorted((s for s in _SURNAMES if len(s) > 1), key=len, reverse=True))
_JA_SURNAME = re.compile(
    # A surname that names a place (山口県, 中野区, 福島駅) is a place.
    rf"(?:{_SURNAME_RE})(?![県市区町村郡駅府都寺])"
    # then the given name: kanji up to an honorific or a non-kanji, or kana before an honorific
    rf"(?: ?[{_KANJI}]{{1,3}}?(?=様|殿|氏|君|先生|[^{_KANJI}]|$)"
    rf"| ?[ぁ-んァ-ヶー]{{2,4}}(?= ?(?:{_HONORIFICS})))?"
)
# Two capitalised words inside a sentence (after a lower-case word or a comma) are most often a
# name: "spoke with Rafael Miller", "cc Ingrid Johnson".
# Acronyms (REST API, ACS URL) are not: each word has a lower-case letter.
_LATIN_WORD = r"[A-Z][a-z][A-Za-z'\-]*"
_LATIN_MID_SENTENCE = re.compile(rf"(?<=[a-z,] )({_LATIN_WORD} {_LATIN_WORD})(?![A-Za-z])")
# Two capitalised words before a verb of reporting: "Ken Mori to check", "Maya Chen said".
_LATIN_SUBJECT = re.compile(
    rf"({_LATIN_WORD} {_LATIN_WORD})(?= (?:to|will|said|says|asked|called|wrote|reports|reported"
    r"|confirmed|noticed|agreed|requested|mentioned|sent|joined|emailed|phoned|visited)\b)"
)
_LATIN_TITLE = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.? ({_CAP}(?: {_CAP})?)")
_LATIN_SALUTATION = re.compile(rf"\b(?:Dear|Hi|Hello|Attn:?|Attention:?) ({_CAP}(?: {_CAP})?)")
_LATIN_LABEL = re.compile(
    rf"\b(?:Name|Contact|Customer|From|Signed|Caller|Requested by|Contact person)[ \t]*[:：][ \t]*"
    rf"({_CAP}(?: [A-Z]\.)?(?: {_CAP}){{0,2}})"
)
_SIGN_OFF = re.compile(
    rf"\b(?:Best regards|Kind regards|Regards|Best|Thanks|Thank you|Sincerely|Cheers|Yours),?"
    rf"[ \t]*\n?[ \t]*-?[ \t]*(?!(?:Regards|Wishes|Thanks)\b)({_CAP}(?: {_CAP})?)(?![A-Za-z])"
)
_FIRST_NAMES = words(
    """
    James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel
    Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy
    Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin
    Scott Brandon Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry
    Tyler Aaron Jose Adam Henry Nathan Douglas Zachary Peter Kyle Walter Ethan Jeremy Harold
    Keith Christian Roger Noah Gerald Carl Terry Sean Austin Arthur Lawrence Jesse Dylan Bryan
    Joe Jordan Billy Bruce Albert Willie Gabriel Logan Alan Juan Wayne Roy Ralph Randy Eugene
    Vincent Russell Elijah Louis Bobby Philip Johnny Oliver Harry Liam Lucas Mason Leo Hugo Tom
    Ben Sam Max Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa
    Nancy Betty Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy
    Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna
    Brenda Pamela Emma Nicole Helen Samantha Katherine Christine Debra Rachel Carolyn Janet
    Catherine Maria Heather Diane Ruth Julie Olivia Joyce Virginia Victoria Kelly Lauren
    Christina Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline Martha Gloria Teresa Ann
    Sara Madison Frances Kathryn Janice Jean Abigail Alice Judy Sophia Grace Denise Amber Doris
    Marilyn Danielle Beverly Isabella Theresa Diana Natalie Brittany Charlotte Marie Kayla
    Alexis Lori Chloe Sophie Lucy Ava Mia Ella Zoe Lily Claire Anne Julia Laura Hiroshi Takashi
    Yuki Kenji Akira Haruto Sakura Yuko Naoko Keiko Kenta Daisuke Shota Yui Aoi Hina Ren Sota
    Taro Hanako Ichiro Satoshi
    """
)
_LATIN_FIRST_LAST = re.compile(
    rf"\b(?:{'|'.join(_FIRST_NAMES)})(?: [A-Z]\.)? {_CAP}(?: {_CAP})?(?![A-Za-z])"
)
# Capitalised words that follow a first name or title and are not a surname.
_NOT_SURNAMES = frozenset(
    words(
        """
        The And For From With About Team Support Customer Sales Order Orders Service Thanks
        Thank Regards Hello Hi Dear Please We I It This That Our Your Monday Tuesday Wednesday
        Thursday Friday Saturday Sunday January February March April May June July August
        September October November December Kizuna Inc Ltd Co Sir Madam Valued All Everyone
        Friend Friends Colleague Colleagues Member Members Client Clients Manager Staff Regards
        Wishes
        """
    )
)


_STREET_END = re.compile(rf"(?:{_STREET_TYPES})$")
_ORGANISATION_WORDS = frozenset(
    words(
        """
    Foods Food Company Corporation Group Holdings Bank Store Shop Market Hotel University
    School Hospital Center Centre Park Station Airport City Box Latte Tea Coffee Microsoft
    Google Apple Amazon Salesforce Slack Teams Zoom Office Windows United States Kingdom New
    North South East West Street Road Online Cloud Desk Pro Plus Premium Edition Enterprise
    Professional Standard Basic Starter Business Plan Suite Pty Pte GmbH AG Ltd LLC Inc Corp
    Co KK BV SA Labs Lab Robotics Media Insurance Energy Health Retail Systems Solutions
    Services Technologies Partners Logistics Lead Analyst Manager Director Officer Engineer
    Specialist Head Executive Coordinator Administrator Consultant President Procurement
    Operations Finance Marketing Legal Security Success Account Product Project
    """
    )
)
# A capital inside a word (SoranoDesk, iPhone) marks a product, not a person (Mc/Mac/O' aside).
_INNER_CAPITAL = re.compile(r"(?<!^Mc)(?<!^Mac)(?<!^O')(?<=[a-z])[A-Z]")


def _name_spans(pattern: re.Pattern[str], folded: str, group: int) -> Iterator[Span]:
    for m in pattern.finditer(folded):
        start, end = m.span(group)
        words = m.group(group).split(" ")
        while words and words[-1] in _NOT_SURNAMES:  # "Dear John Thanks" -> "John"
            end -= len(words.pop()) + 1
        if words and words[0] not in _NOT_SURNAMES:
            yield Span(start, end, "PERSON")


def _ja_name_ok(name: str, folded: str, start: int) -> bool:
    bare = name.replace(" ", "")
    if bare[0] in "様殿氏君" or bare in _NOT_NAMES or bare.endswith(_ROLE_ENDINGS):
        return False
    # お客様, ご主人様: an honorific prefix makes the word a role, not a name.
    return not (start > 0 and folded[start - 1] in "おご御")


def find_names(folded: str) -> Iterator[Span]:
    for m in _JA_NAME_BEFORE_HONORIFIC.finditer(folded):
        word = folded[m.end(1) - 1 : m.end(1) + 1]
        if word not in _HONORIFIC_WORDS and _ja_name_ok(m.group(1), folded, m.start(1)):
            yield Span(m.start(1), m.end(1), "PERSON")
    for pattern in (
        _JA_NAME_AFTER_LABEL,
        _JA_NAME_AFTER_LABEL_NO,
        _JA_NAME_AFTER_ROLE,
        _JA_NAME_INTRODUCED,
    ):
        for m in pattern.finditer(folded):
            name = m.group(1)
            if name not in _LABEL_NOUNS and _ja_name_ok(name, folded, m.start(1)):
                yield Span(m.start(1), m.end(1), "PERSON")
    for m in _JA_SURNAME.finditer(folded):
        yield Span(m.start(), m.end(), "PERSON")
    yield from _name_spans(_LATIN_TITLE, folded, 1)
    yield from _name_spans(_LATIN_SALUTATION, folded, 1)
    yield from _name_spans(_LATIN_LABEL, folded, 1)
    yield from _name_spans(_SIGN_OFF, folded, 1)
    yield from _name_spans(_LATIN_FIRST_LAST, folded, 0)
    for m in (*_LATIN_MID_SENTENCE.finditer(folded), *_LATIN_SUBJECT.finditer(folded)):
        first, last = m.group(1).split(" ")
        skip = _NOT_SURNAMES | _ORGANISATION_WORDS
        if not (
            first in skip
            or last in skip
            or _STREET_END.match(last)
            or _INNER_CAPITAL.search(first)
            or _INNER_CAPITAL.search(last)
        ):
            yield Span(m.start(1), m.end(1), "PERSON")


def find_patterns(text: str) -> list[Span]:
    """Every span of personal data the patterns see in text (they may overlap)."""
    folded = fold_text(text)
    spans: list[Span] = []
    spans += find_emails(folded)
    spans += find_cards(folded)
    spans += find_phones(text, folded)
    spans += find_postal_codes(folded)
    spans += find_addresses(folded)
    spans += find_names(folded)
    return spans
