"""Synthetic CRM texts in Japanese and English with planted personal data and its labels.

Used by benchmarks/bench_masking.py (recall per kind, false masks on clean text) and by the
masking tests. Deterministic for a seed. The name lists here are deliberately wider than the
masker's own lists (rare surnames, first names it does not know), so that recall measures the
patterns and not a shared list.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from assistant.masking.patterns import words

JA_SURNAMES = words(
    """
    山田 佐藤 鈴木 高橋 田中 伊藤 渡辺 中村 小林 加藤 吉田 山口 松本 井上 木村 清水 林 森 池田
    橋本 石川 前田 藤田 岡田 後藤 長谷川 村上 近藤 石井 坂本 遠藤 青木 藤井 西村 福田 太田 三浦
    藤原 岡本 松田 中川 中野 原田 小野 田村 竹内 金子 和田 中山 石田 上田 森田 原 柴田 酒井 工藤
    横山 宮崎 宮本 内田 高木 安藤 谷口 大野 丸山 今井 河野 藤本 村田 武田 上野 杉山 増田 平野
    芦田 冨永 榊原 東海林 綾瀬 一ノ瀬 如月 神楽坂 宍戸 鬼塚 猪狩 百瀬 真壁 久我 御手洗 秋元
    """
)
JA_GIVEN = words(
    """
    太郎 花子 健 美咲 翔太 陽菜 大輔 由美 誠 恵子 直樹 さくら 健一 愛 拓也 真由美 隆 明美 一郎
    ゆかり 翼 結衣 蓮 葵 悠真 凛 大和 芽依 颯 莉子 聡 智子 浩二 裕子 和也 舞 亮 彩 涼子 みどり
    はるか ケン リナ 紬 湊 陽翔 澪 樹 楓
    """
)
EN_FIRST = words(
    """
    James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Susan Emily
    Daniel Sarah Thomas Karen Olivia Liam Sophia Noah Emma Priya Mateo Aiden Siobhan Ngozi
    Dmitri Ingrid Rafael Chen Aisha Bjorn Fiona Kwame Leila Oscar Greta Tobias Nadia Hamish
    """
)
EN_LAST = words(
    """
    Smith Johnson Williams Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Wilson
    Anderson Thomas Taylor Moore Jackson Martin Thompson White Harris Clark Lewis Walker Hall
    Okafor Kowalski Nakamura Fitzgerald Ivanova Lindqvist Abernathy Castellanos Oyelaran
    Whitfield
    """
)
PREFS = (
    ("東京都", ["渋谷区神南", "新宿区西新宿", "港区芝公園", "世田谷区三軒茶屋", "台東区浅草"]),
    ("大阪府", ["大阪市北区梅田", "大阪市中央区心斎橋筋", "堺市堺区南瓦町", "豊中市新千里東町"]),
    ("神奈川県", ["横浜市中区山下町", "川崎市幸区堀川町", "相模原市緑区橋本"]),
    ("北海道", ["札幌市中央区北一条西", "旭川市宮下通", "函館市若松町"]),
    ("愛知県", ["名古屋市中村区名駅", "豊田市西町", "岡崎市康生通西"]),
    ("福岡県", ["福岡市博多区博多駅前", "北九州市小倉北区浅野", "久留米市城南町"]),
    ("京都府", ["京都市下京区烏丸通", "宇治市宇治"]),
    ("宮城県", ["仙台市青葉区一番町", "石巻市中央"]),
    ("沖縄県", ["那覇市久茂地", "浦添市港川"]),
    ("静岡県", ["静岡市葵区追手町", "浜松市中区板屋町"]),
)
BUILDINGS = ("サンシャインビル", "グランドハイツ", "コーポ若葉", "パークタワー", "メゾン青葉")
EN_STREETS = (
    "Evergreen Terrace",
    "Baker Street",
    "Queen St",
    "Maple Avenue",
    "Oak Lane",
    "Sunset Blvd",
    "High Street",
    "Elm Road",
    "Pine Drive",
    "Harbour Way",
    "Station Road",
    "Church Lane",
    "Amphitheatre Parkway",
    "King's Road",
    "Cedar Court",
)
EN_CITIES = (
    ("Springfield", "IL"),
    ("Mountain View", "CA"),
    ("Austin", "TX"),
    ("Portland", "OR"),
    ("Boston", "MA"),
    ("Seattle", "WA"),
)
UK_POSTCODES = ("SW1A 1AA", "NW1 6XE", "EC1A 1BB", "M1 1AE", "B33 8TH", "CR2 6XH")
DOMAINS = ("example.com", "example.co.jp", "mail.example.net", "example.jp", "corp.example.org")
FULLWIDTH = str.maketrans(
    "0123456789-@.abcdefghijklmnopqrstuvwxyz",
    "０１２３４５６７８９－＠．ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ",
)
ROMAJI = ("yamada", "sato", "suzuki", "tanaka", "k.ito", "m_watanabe", "hana", "taro.n", "yumi88")


@dataclass
class Planted:
    """One planted value: text[start:end] == value."""

    kind: str  # PERSON, EMAIL, PHONE, POSTAL, ADDRESS, CARD
    value: str
    start: int
    end: int
    known: bool = False  # a name SQL knows (the record's customer)


@dataclass
class Record:
    """One synthetic text with the customer SQL knows and what was planted in it."""

    language: str
    customer: str  # the customer's name, as SQL holds it
    text: str = ""
    planted: list[Planted] = field(default_factory=list)


class _Builder:
    def __init__(self, record: Record) -> None:
        self.record = record
        self.parts: list[str] = []
        self.pos = 0

    def add(self, text: str, kind: str | None = None, known: bool = False) -> None:
        if kind:
            self.record.planted.append(Planted(kind, text, self.pos, self.pos + len(text), known))
        self.parts.append(text)
        self.pos += len(text)

    def done(self) -> Record:
        self.record.text = "".join(self.parts)
        return self.record


# --- value generators -------------------------------------------------------------------------


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def ja_phone(rng: random.Random) -> str:
    mobile = rng.choice(["090", "080", "070"]) + _digits(rng, 8)
    land = "03" + _digits(rng, 8)
    osaka = "06" + _digits(rng, 8)
    free = "0120" + _digits(rng, 6)
    form = rng.randrange(10)
    if form == 0:
        return mobile
    if form == 1:
        return f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"
    if form == 2:
        return f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}".translate(FULLWIDTH)
    if form == 3:
        dash = rng.choice(["‐", "−", "ー", "–", "―"])
        return f"{mobile[:3]}{dash}{mobile[3:7]}{dash}{mobile[7:]}"
    if form == 4:
        return f"{land[:2]}-{land[2:6]}-{land[6:]}"
    if form == 5:
        return f"({land[:2]}){land[2:6]}-{land[6:]}"
    if form == 6:
        return f"{osaka[:2]} {osaka[2:6]} {osaka[6:]}"
    if form == 7:
        return f"{free[:4]}-{free[4:7]}-{free[7:]}"
    if form == 8:
        return f"+81 {mobile[1:3]}-{mobile[3:7]}-{mobile[7:]}"
    return f"+81-{land[1]}-{land[2:6]}-{land[6:]}"


def en_phone(rng: random.Random) -> str:
    area, mid, last = str(rng.randint(201, 989)), str(rng.randint(200, 999)), _digits(rng, 4)
    uk = "20" + _digits(rng, 8)
    form = rng.randrange(8)
    if form == 0:
        return f"+1 ({area}) {mid}-{last}"
    if form == 1:
        return f"({area}) {mid}-{last}"
    if form == 2:
        return f"{area}-{mid}-{last}"
    if form == 3:
        return f"{area}.{mid}.{last}"
    if form == 4:
        return f"+1 {area} {mid} {last}"
    if form == 5:
        return f"+44 {uk[:2]} {uk[2:6]} {uk[6:]}"
    if form == 6:
        return f"0{uk[:2]} {uk[2:6]} {uk[6:]}"
    return f"+49 30 {_digits(rng, 8)}"


def email(rng: random.Random, local: str | None = None) -> str:
    local = local or rng.choice(ROMAJI) + rng.choice(["", str(rng.randint(1, 99)), "+shop"])
    value = f"{local}@{rng.choice(DOMAINS)}"
    form = rng.randrange(6)
    if form == 0:
        return value.upper()
    if form == 1:
        return value.translate(FULLWIDTH)
    return value


def luhn_complete(digits: str) -> str:
    """digits plus the check digit that makes the whole pass the Luhn check."""
    for check in "0123456789":
        total = 0
        for i, c in enumerate(reversed(digits + check)):
            d = int(c)
            if i % 2:
                d = d * 2 - 9 if d > 4 else d * 2
            total += d
        if total % 10 == 0:
            return digits + check
    raise AssertionError("unreachable")


def card(rng: random.Random) -> str:
    if rng.random() < 0.2:
        number = luhn_complete("37" + _digits(rng, 12))
        return f"{number[:4]} {number[4:10]} {number[10:]}"
    number = luhn_complete(rng.choice("45") + _digits(rng, 14))
    sep = rng.choice([" ", "-", ""])
    return sep.join(number[i : i + 4] for i in range(0, 16, 4))


def ja_postal(rng: random.Random) -> str:
    code = _digits(rng, 7)
    form = rng.randrange(4)
    if form == 0:
        return f"〒{code[:3]}-{code[3:]}"
    if form == 1:
        return f"〒{code}"
    if form == 2:
        return f"〒{code[:3]}-{code[3:]}".translate(FULLWIDTH)
    return f"〒 {code[:3]}-{code[3:]}"


def ja_address(rng: random.Random) -> str:
    pref, towns = rng.choice(PREFS)
    town = rng.choice(towns)
    a, b, c = rng.randint(1, 9), rng.randint(1, 30), rng.randint(1, 40)
    form = rng.randrange(6)
    if form == 0:
        block = f"{a}-{b}-{c}"
    elif form == 1:
        block = f"{a}丁目{b}番{c}号"
    elif form == 2:
        block = f"{a}丁目{b}-{c}"
    elif form == 3:
        block = f"{a}{b}{c}番地"
    elif form == 4:
        block = f"{a}-{b}-{c}".translate(FULLWIDTH)
    else:
        block = f"{a}-{b}-{c} {rng.choice(BUILDINGS)}{rng.randint(101, 1205)}号室"
    head = pref + town if rng.random() < 0.85 else town
    return head + block


def en_address(rng: random.Random) -> str:
    street = f"{rng.randint(1, 9999)} {rng.choice(EN_STREETS)}"
    city, state = rng.choice(EN_CITIES)
    form = rng.randrange(5)
    if form == 0:
        return street
    if form == 1:
        return f"{street}, Apt {rng.randint(1, 40)}{rng.choice('ABCD')}"
    if form == 2:
        return f"{street}, {city}, {state} {rng.randint(10000, 99999)}"
    if form == 3:
        return f"{street}, London {rng.choice(UK_POSTCODES)}"
    return f"{street}, {city}"


# --- records ----------------------------------------------------------------------------------


def _ja_name(rng: random.Random) -> tuple[str, str, str]:
    sur, given = rng.choice(JA_SURNAMES), rng.choice(JA_GIVEN)
    return f"{sur} {given}", sur, given


def _en_name(rng: random.Random) -> tuple[str, str, str]:
    first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
    return f"{first} {last}", first, last


def ja_record(rng: random.Random) -> Record:
    full, sur, _ = _ja_name(rng)
    record = Record("ja", full)
    b = _Builder(record)
    shown = rng.choice([full, full.replace(" ", ""), sur, full.replace(" ", "　")])
    b.add(rng.choice(["【問い合わせ】", "【レビュー】", "【商談メモ】", "【電話】", ""]))
    b.add(shown, "PERSON", known=True)
    b.add(rng.choice(["様より", "さんから", "様から", "様の件:", "氏より"]))
    b.add(
        rng.choice(
            [
                "配送の遅れについて連絡がありました。",
                "商品の返品を希望されています。",
                "抹茶ラテの定期便を追加したいとのこと。",
                "請求書の宛名変更の依頼。",
            ]
        )
    )
    slots = rng.sample(["other", "email", "phone", "postal_address", "card", "phone2"], 3)
    for slot in slots:
        if slot == "other":
            ofull, osur, _ = _ja_name(rng)
            form = rng.randrange(5)
            if form == 0:
                b.add("担当の")
                b.add(osur, "PERSON")
                b.add("が折り返し対応します。")
            elif form == 1:
                b.add("ご家族の")
                b.add(ofull, "PERSON")
                b.add("様も同席。")
            elif form == 2:
                b.add("紹介者：")
                b.add(ofull.replace(" ", ""), "PERSON")
                b.add("。")
            elif form == 3:
                b.add("営業の")
                b.add(ofull, "PERSON")
                b.add("さんに引き継ぎ。")
            else:
                b.add("前回は")
                b.add(osur, "PERSON")
                b.add("が訪問しました。")
        elif slot == "email":
            b.add(rng.choice(["メール: ", "連絡先は", "返信先 "]))
            b.add(email(rng), "EMAIL")
            b.add(rng.choice(["。", " まで。", "（携帯）。"]))
        elif slot in ("phone", "phone2"):
            b.add(rng.choice(["電話番号は", "TEL:", "携帯 ", "折り返し先："]))
            b.add(ja_phone(rng), "PHONE")
            b.add(rng.choice(["です。", "。", "（平日のみ）。"]))
        elif slot == "postal_address":
            b.add("送付先：")
            if rng.random() < 0.7:
                b.add(ja_postal(rng), "POSTAL")
                b.add(rng.choice([" ", "　", ""]))
            b.add(ja_address(rng), "ADDRESS")
            b.add("。")
        else:
            b.add("カード番号")
            b.add(card(rng), "CARD")
            b.add("で決済したとのこと。")
    b.add(rng.choice(["2025年3月10日に注文(A-1001)。", "合計 ¥12,800（税込）。", ""]))
    return b.done()


def en_record(rng: random.Random) -> Record:
    full, first, last = _en_name(rng)
    record = Record("en", full)
    b = _Builder(record)
    form = rng.randrange(4)
    if form == 0:
        b.add("Dear ")
        b.add(first, "PERSON", known=True)
        b.add(", thank you for your message. ")
    elif form == 1:
        b.add(rng.choice(["Mr. ", "Ms. ", "Dr. "]))
        b.add(last, "PERSON", known=True)
        b.add(" reported a late delivery. ")
    elif form == 2:
        b.add(full, "PERSON", known=True)
        b.add(" called about a refund. ")
    else:
        b.add("Customer: ")
        b.add(full, "PERSON", known=True)
        b.add(". Asked to change the billing address. ")
    slots = rng.sample(["other", "email", "phone", "address", "card", "postal"], 3)
    for slot in slots:
        if slot == "other":
            ofull, _, olast = _en_name(rng)
            form = rng.randrange(4)
            if form == 0:
                b.add("Spoke with ")
                b.add(ofull, "PERSON")
                b.add(" from purchasing. ")
            elif form == 1:
                b.add("Escalated to Ms. ")
                b.add(olast, "PERSON")
                b.add(". ")
            elif form == 2:
                b.add("Contact: ")
                b.add(ofull, "PERSON")
                b.add(". ")
            else:
                b.add("Best regards,\n")
                b.add(ofull, "PERSON")
                b.add("\n")
        elif slot == "email":
            b.add(rng.choice(["Email: ", "Reply to ", "reach me at "]))
            b.add(email(rng, f"{first}.{last}".lower() if rng.random() < 0.5 else None), "EMAIL")
            b.add(". ")
        elif slot == "phone":
            b.add(rng.choice(["Phone: ", "Call back on ", "mobile "]))
            b.add(en_phone(rng), "PHONE")
            b.add(". ")
        elif slot == "address":
            b.add(rng.choice(["Ship to ", "New address: ", "Lives at "]))
            b.add(en_address(rng), "ADDRESS")
            b.add(". ")
        elif slot == "postal":
            b.add(rng.choice(["Postcode ", "ZIP code "]))
            b.add(
                rng.choice(UK_POSTCODES) if rng.random() < 0.5 else str(rng.randint(10000, 99999)),
                "POSTAL",
            )
            b.add(". ")
        else:
            b.add("Paid with card ")
            b.add(card(rng), "CARD")
            b.add(". ")
    b.add(rng.choice(["Order A-1001 on 2025-03-10.", "Total $128.00.", ""]))
    return b.done()


CLEAN_JA = (
    "2025年3月10日に注文した抹茶ラテ2個が届きません。注文番号A-1001、合計¥3,000です。",
    "お客様より、配送が遅れているとのお問い合わせ。担当者様へ確認をお願いします。",
    "東京都内の店舗で購入したギフトボックスの返品について。レシート番号 2025-0310-0042。",
    "皆様へ：4月1日より送料が550円に変わります。詳しくは会員ページをご覧ください。",
    "商品コード TEA-2、在庫 15 個。大阪府の倉庫から3営業日で出荷予定。",
    "店長さんに確認したところ、10時30分に入荷するとのこと。50%オフのクーポンを利用。",
    "ご主人様から、定期便を月2回に変更したいとのご要望がありました。",
    "神奈川県の配送センターで遅延が発生。追跡番号 1234-5678-9012 で確認できます。",
    "ほうじ茶が美味しかったです。また購入します！★★★★★",
    "請求書の金額が12,800円になっていますが、クーポン分の1,000円が引かれていません。",
)
CLEAN_EN = (
    "Order A-1001 placed on 2025-03-10 has not arrived. Total was $128.00 for 3 items.",
    "Dear Customer, thank you for your review. Best regards, Kizuna Support",
    "The gift box (SKU BOX-9) was damaged in transit; tracking number 1Z 999 AA1 0123 4567 84.",
    "Please refund 20% of invoice INV-2025-0042 dated March 10, 2025.",
    "Delivered to the Osaka warehouse at 10:30; 15 units in stock, reorder at 5.",
    "Hi Team, the matcha latte subscription renews every 30 days. Thanks!",
    "Customer asked whether the store in Tokyo is open on Sunday. Version 2.4.1 of the app.",
    "Meeting notes: budget 1,200,000 JPY, decision by Q3 2025, 12 stores in scope.",
    "Review: great taste, fast shipping, 5 stars. Would buy again.",
    "The coupon code SPRING25 did not apply to order 100245; amount charged $45.90.",
)


def corpus(n: int = 1200, clean: int = 300, seed: int = 13) -> tuple[list[Record], list[Record]]:
    """n records with planted personal data (half Japanese) and `clean` records without any."""
    rng = random.Random(seed)
    planted = [ja_record(rng) if i % 2 == 0 else en_record(rng) for i in range(n)]
    clean_records = []
    for i in range(clean):
        text = rng.choice(CLEAN_JA if i % 2 == 0 else CLEAN_EN)
        clean_records.append(Record("ja" if i % 2 == 0 else "en", "", text))
    return planted, clean_records
