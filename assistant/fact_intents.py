# ruff: noqa: E501  (pattern tables read best one pattern a line)
"""Which profile facts a question asks for: keyword families per fact (ja/en), then the embedder.

A question is matched against families of patterns, one family per fact, in both languages
(paraphrases are covered by word families and word order, not by listing questions). What the
patterns leave over decides whether the question also asks the records ("what did she buy last
and did she like it?"). A question no family matches is compared with a few described
examples per fact and of record questions (nearest neighbour with the embedder); it counts as
a fact question only when the nearest example is a fact's, close, and clearly closer than any
record question. tests/assistant/test_fact_intents.py measures both on a labelled set.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from retrieval.tokenize import tokenize

# Fact keys, in the order their sentences are shown.
FACTS: tuple[str, ...] = (
    "total_spent",
    "order_count",
    "last_order",
    "first_order",
    "segment",
    "ltv",
    "open_tickets",
    "ctb",
    "consent",
    "contacts",
    "owner",
    "region",
    "lifecycle",
    "f2",
    "products",
)
OVERVIEW = "overview"  # the customer's interactions, listed by code
PROMISES = "promises"  # our commitments to the customer, listed by code

_BUY_EN = r"(?:order(?:s|ed)?|purchas(?:e|es|ed)|b(?:uy|ought)|shopp?(?:ed|ing)?)"
_BUY_JA = r"(?:注文|購入|買|お買い?上げ|発注|オーダー)"
_TICKET_EN = (
    r"(?:tickets?|issues?|cases?|inquir(?:y|ies)|enquir(?:y|ies)|requests?|complaints?|problems?)"
)
_TICKET_JA = r"(?:問い?合わ?せ|お問い合わせ|チケット|案件|課題|クレーム|苦情|不具合|トラブル|対応)"
_WHO_EN = r"(?:she|he|they|it|the (?:customer|client|company)|this (?:customer|client|company))"

_FAMILIES: dict[str, list[str]] = {
    "total_spent": [
        rf"\b(?:total|lifetime|overall|altogether|cumulative|combined|all[- ]time)\b[^?.]*?\b(?:spen[dt]|spending|purchases?|revenue|sales|paid|amount|value of (?:all )?(?:their |her |his )?{_BUY_EN})",
        rf"\bhow much\b[^?.]*?\b(?:spen[dt]|paid|pay|{_BUY_EN}|worth of)\b",
        r"\bhow much\b[^?.]{0,10}\b(?:in total|overall|altogether|so far|to date)\b",
        r"\b(?:spen[dt]|spending)\b[^?.]*?\b(?:in total|so far|overall|altogether|with us|to date|ever)\b",
        r"\btotal (?:spend|spent|spending|revenue|sales)\b",
        r"\bamount (?:spent|paid)\b",
        rf"\bvalue of (?:everything|all (?:that|the \w+|of it)?|what(?:ever)?)\b[^?.]*?\b{_BUY_EN}",
        # Kizuna keeps orders, not contracts: a customer's "contract value" (年間契約額, ACV) is
        # what they have ordered from us, the lifetime order total, and the sentence says so
        # ("... has spent X in total across N orders"), so no one reads it as something else.
        r"\b(?:(?:annual|yearly|total|overall) )?(?:contract|account) (?:value|size|amount|worth)\b|\b(?:acv|tcv)\b",
        r"\b(?:how much|what) is (?:the|their|its|his|her|this|that) (?:\w+ )?(?:contract|account) worth\b",
        r"\bvalue of (?:the|their|its|his|her|this|that) (?:\w+ )?contracts?\b",
        r"(?:累計|合計|総額|トータル|総購入|購入総額|生涯購入)[^？?。]*?(?:購入|金額|額|売上|支払|使)",
        r"(?:累計|合計|総)(?:購入|利用|売上|支払)(?:額|金額)?",
        r"(?:購入|利用|お買い?上げ|支払|売上)(?:金額|額)",
        r"(?:年間)?(?:契約|取引)(?:の)?(?:総?金額|総?額|規模|価値)|(?:契約|取引)[^？?。]{0,6}?(?:いくら|どれくらい|どのくらい)",
        rf"(?:いくら|どれくらい|どのくらい|どれだけ)[^？?。]*?(?:使|支払|払|お金|{_BUY_JA})",
        rf"(?:{_BUY_JA}|使|支払|払)[^？?。]*?(?:いくら|金額は|総額)",
    ],
    "order_count": [
        rf"\bhow many (?:times\b[^?.]*?\b{_BUY_EN}|{_BUY_EN}|separate {_BUY_EN})",
        rf"\b(?:number|count|total number) of {_BUY_EN}",
        rf"\bhow (?:often|frequently)\b[^?.]*?\b{_BUY_EN}",
        rf"\b{_BUY_EN} count\b",
        rf"(?:{_BUY_JA})(?:回数|件数|数|頻度)",
        rf"(?:何回|何度|何件|どれくらいの頻度|どのくらいの頻度|何回目)[^？?。]*?{_BUY_JA}",
        rf"{_BUY_JA}[^？?。]*?(?:何回|何度|何件|回数)",
    ],
    "last_order": [
        rf"\b(?:last|latest|most recent|recent|previous|newest)\b[^?.]*?\b{_BUY_EN}",
        rf"\b{_BUY_EN}\b[^?.]{{0,25}}\b(?:last|most recently|latest|recently)\b",
        rf"\bwhen did {_WHO_EN}\b[^?.]*?\b{_BUY_EN}",
        rf"\bwhen (?:was|is) (?:the|her|his|their|its) (?:last |latest |most recent )?{_BUY_EN}",
        rf"\b(?:days|long|time) since\b[^?.]*?\b{_BUY_EN}",
        rf"(?:最後|最終|最近|前回|直近|この前|一番新しい|最新)[^？?。]{{0,12}}?{_BUY_JA}",
        rf"{_BUY_JA}[^？?。]{{0,12}}?(?:最後|最終|直近|最新)",
        rf"(?:いつ)[^？?。]{{0,12}}?{_BUY_JA}",
        rf"{_BUY_JA}[^？?。]{{0,12}}?(?:いつ|日付|日時)",
    ],
    "first_order": [
        rf"\b(?:first|earliest|initial|very first)\b[^?.]*?\b{_BUY_EN}",
        rf"\b{_BUY_EN}\b[^?.]{{0,25}}\b(?:for )?(?:the )?(?:very )?first(?: time)?\b",
        r"\b(?:customer|client|buying from us|ordering from us|with us) since\b",
        r"\bhow long has\b[^?.]*?\b(?:customer|client|been buying|been ordering|with us)\b",
        r"\bwhen did\b[^?.]*?\bstart (?:buying|ordering|purchasing|shopping)\b",
        rf"(?:初回|初めて|はじめて|最初|一番最初|一番古い)[^？?。]{{0,12}}?{_BUY_JA}",
        rf"{_BUY_JA}[^？?。]{{0,12}}?(?:初回|初めて|最初)",
        r"いつから[^？?。]{0,12}?(?:顧客|お客|取引|購入|注文|買|利用)",
    ],
    "products": [
        rf"\b(?:which|what) (?:products?|items?|goods|things)\b[^?.]*?\b{_BUY_EN}",
        rf"\b(?:list|everything|every (?:product|item))\b[^?.]*?\b{_BUY_EN}",
        rf"\ball (?:the |of the )?(?:products?|items?|goods|things)\b[^?.]*?\b{_BUY_EN}",
        rf"\bwhat (?:has|have) {_WHO_EN} (?:ever )?(?:bought|ordered|purchased)\b",
        r"\b(?:purchase|order|buying) history\b",
        rf"(?:{_BUY_JA})[^？?。]{{0,6}}?(?:商品|品物|もの|物)[^？?。]*?(?:一覧|すべて|全て|全部|何|どれ|教え)",
        rf"(?:すべて|全て|全部|これまで|今まで)[^？?。]*?(?:{_BUY_JA})[^？?。]*?(?:商品|品物|もの|物)",
        r"購入履歴|注文履歴|お買い?物履歴|購買履歴",
    ],
    "segment": [
        r"\b(?:rfm|segments?|segmented|tiers?)\b",
        r"\b(?:loyal|loyalty|vip|champion|at[- ]risk|churn(?:ed|ing)?|dormant|lapsed)\b",
        r"\bwhat (?:kind|type) of customer\b",
        r"セグメント|rfm|ランク|顧客層|どの層|優良顧客|ロイヤル|離反|休眠|顧客区分|顧客分類|どんな顧客|どういう顧客",
    ],
    "ltv": [
        r"\bltv\b|\bclv\b|\blifetime value\b|\bcustomer value\b|\bvalue of (?:this|the) customer\b",
        r"\bhow valuable\b|\bworth to us\b|\bexpected (?:value|revenue)\b",
        r"ltv|生涯価値|顧客生涯|ライフタイムバリュー|顧客価値|見込み(?:収益|売上)",
    ],
    "open_tickets": [
        rf"\b(?:open|unresolved|outstanding|pending|unanswered|active|ongoing)\b[^?.]{{0,15}}\b{_TICKET_EN}",
        rf"\b{_TICKET_EN}\b[^?.]{{0,25}}\b(?:still open|open|unresolved|outstanding|pending|not (?:yet )?(?:resolved|closed))\b",
        r"\banything (?:still )?(?:open|unresolved|outstanding|pending)\b",
        r"\bstill waiting\b[^?.]*?\b(?:on us|for us|for an answer|for a reply)\b",
        rf"(?:未解決|未対応|未完了|対応中|保留|オープン|未回答|解決していない|終わっていない|片付いていない)[^？?。]{{0,10}}?{_TICKET_JA}?",
        rf"{_TICKET_JA}[^？?。]{{0,10}}?(?:残って|開いて|未解決|解決していない|終わっていない|対応中)",
    ],
    "ctb": [
        # "favourite"/"prefer" only about what they buy: "favourite football team" is not CTB.
        r"\bfavou?rites?\b(?: \w+)?? (?:products?|items?|categor(?:y|ies)|brands?|flavou?rs?"
        r"|tastes?|teas?|purchases?|lines?|ranges?|goods)\b",
        r"\b(?:product|taste|flavou?r|brand|category|purchase|buying) preferences?\b",
        r"\bprefer(?:s|red)? (?:to (?:buy|order)|buying|ordering)\b",
        r"\bwhat (?:is|'s) (?:her|his|their|the customer's|this customer's) favou?rite\s*\??$",
        rf"\b(?:most (?:often|frequently|commonly)|usually|typically|normally|often|regularly)\b[^?.]{{0,15}}\b{_BUY_EN}",
        r"\bwhat (?:flavou?rs?|tastes?|brands?|categor(?:y|ies)|products?|kinds? of \w+)\b[^?.]*?\b(?:like|prefer|love|enjoy|buy|order)",
        r"\bwhat (?:kind|kinds|type|types|sort|sorts) of (?:products?|items?|things|goods|tea|flavou?rs?|tastes?)\b",
        r"\bwhich (?:categor(?:y|ies)|brands?|flavou?rs?|tastes?|products?)\b[^?.]*?\b(?:like|buy|bought|order|prefer|favou?r)",
        r"\bwhat does (?:she|he|they|the customer|this customer) (?:like|enjoy|love)\b",
        r"\b(?:taste|flavou?r|brand|category) (?:preference|profile)\b",
        r"(?:好み|好き|お気に入り)の?(?:商品|もの|味|ブランド|カテゴリ|フレーバー|お茶|ジャンル|傾向)"
        r"|(?:商品|味|ブランド|カテゴリ|フレーバー)の好み|気に入って(?:いる|る)(?:商品|もの|カテゴリ|ブランド|味)",
        rf"よく{_BUY_JA}|いつも{_BUY_JA}|主に{_BUY_JA}",
        rf"(?:どんな|どの|どういう|何の)(?:商品|もの|味|ブランド|カテゴリ|フレーバー|ジャンル)(?:が好き|を好|を{_BUY_JA}|が多い)",
        r"(?:カテゴリ|ブランド|味|フレーバー)(?:の傾向|の好み|は何|はどれ)",
    ],
    "consent": [
        r"\bopt(?:ed|s)?[- ]?(?:out|in)\b|\bunsubscrib",
        r"\bconsent\b|\bpermission\b|\bnewsletters?\b|\bgdpr\b",
        r"\b(?:marketing|promotional?|campaign) (?:e-?mails?|mails?|messages?|communications?)\b",
        r"\b(?:can|may|could|should) (?:we|i)\b[^?.]{0,20}\b(?:e-?mail|market to|send (?:her|him|them) (?:marketing|promotions|offers|campaigns|newsletters))",
        r"\b(?:allowed|ok|okay|fine) to (?:e-?mail|market|send (?:marketing|promotions|offers))",
        r"\bdo not (?:e-?mail|contact|market)\b",
        r"(?:メール|配信)[^？?。]{0,6}?(?:停止|拒否|解除|止め)",
        r"配信停止|配信拒否|配信可|オプトアウト|オプトイン|同意|メルマガ|メールマガジン|許諾|マーケティング",
        r"(?:メール|案内|dm|販促|キャンペーン|宣伝)[^？?。]{0,10}?(?:送って|送れ|送信し|配信し|送っても|出して)(?:も|て)?(?:いい|よい|良い|大丈夫|問題|可能|でき|構わ)",
    ],
    "contacts": [
        r"\bdecision[- ]?makers?\b|\bwho (?:decides|makes (?:the )?decisions?|signs|approves|has (?:the )?(?:final )?say)\b",
        r"\bcontacts\b|\bcontact (?:person|people|persons|details)\b|\b(?:main|primary|key|point of) contact\b",
        r"\bkey (?:people|persons?)\b|\bstakeholders?\b|\bpeople (?:at|in|from) (?:the|this|that|their)\b",
        r"\bwho (?:should|do|can) (?:we|i) (?:talk|speak|reach out|deal|write)\b",
        r"\bwho (?:is|are) (?:our|the) (?:counterpart|contact)s?\b|\bwho works (?:there|at)\b",
        r"決裁者|決済者|意思決定者|決定権|キーマン|キーパーソン|窓口|連絡先|先方の担当|お客様側の担当|相手の担当|担当窓口",
        r"誰(?:が|と)(?:決め|決裁|判断|話|連絡|やり取り|交渉)|(?:先方|相手|お客様側|会社側)は誰",
    ],
    "owner": [
        r"\b(?:account|relationship) (?:owner|manager|lead|rep|representative)\b",
        r"\bwho (?:owns|handles|manages|looks after|covers|is responsible for|is in charge of|takes care of)\b",
        r"\b(?:sales ?rep|our (?:rep|person|side)|assigned (?:rep|salesperson|to)|in charge)\b",
        r"\bowner\b",
        r"(?:当社|弊社|うち|こちら|社内|営業)の?担当|担当(?:者|営業|の営業)(?:は|を|って|が)|誰が担当|担当しているの|担当は誰|受け持|アカウントオーナー|オーナー",
    ],
    "region": [
        r"\bregion\b|\blocation\b|\bprefecture\b",
        r"\bwhere (?:is|are|does|do)\b[^?.]{0,30}\b(?:based|located|live|from|situated)\b",
        r"\bwhich (?:city|area|country|state|part of (?:the )?(?:country|japan))\b",
        r"\bwhere\b[^?.]{0,20}\b(?:she|he|they|the customer|this customer|the company)\b[^?.]{0,10}\b(?:live|based|located)\b",
        r"地域|エリア|都道府県|所在地|拠点|住んで|お住まい|住まい|どこの(?:会社|方|人|お客)|どちらの方|どこにある|どの地方|地方|出身",
    ],
    "lifecycle": [
        r"\blife[- ]?cycle\b|\b(?:customer|sales|funnel|pipeline|relationship) stage\b",
        # "this prospect" only names the customer; the stage is asked by "is it a prospect?".
        r"\b(?:is|are|was) (?:she|he|they|it|this|that|the \w+|this \w+)(?: still| already| now)?"
        r" (?:just |only )?(?:a |an )?(?:prospect|lead|existing customer|paying customer|customer yet)\b",
        r"\b(?:prospect|lead) or (?:a |an )?(?:customer|client)\b|\bcustomer status\b"
        r"|\b(?:customer|client) or (?:a |an )?(?:prospect|lead)\b",
        r"\bwhat stage\b[^?.]{0,25}\b(?:customer|relationship|account|she|he|they)\b",
        r"ライフサイクル|ステージ|顧客ステータス|どの段階|段階は"
        r"|(?:見込み客|見込客|見込み顧客|リード|既存顧客|プロスペクト)(?:です|でしょう|か|なの|のまま)",
    ],
    "f2": [
        rf"\bsecond (?:{_BUY_EN}|time)\b|\bf2\b|\brepeat (?:{_BUY_EN}|customer|buyer)\b",
        r"\b(?:come|came|coming) back\b|\b(?:bought|buy|ordered|order|purchased?) again\b|\breturning customer\b",
        r"\bone[- ]time (?:buyer|customer|purchase)\b|\brepurchas",
        rf"2回目|二回目|2度目|二度目|リピート|リピーター|再購入|再注文|また{_BUY_JA}|再び{_BUY_JA}|継続購入|f2",
    ],
    PROMISES: [
        r"\bpromis(?:e|es|ed|ing)\b|\bcommitments?\b|\b(?:we|did we|have we) (?:agreed?|committed) to\b"
        r"|\bowe (?:them|her|him)\b",
        r"\bwhat did we (?:say|tell (?:them|her|him)) we(?:'d| would)\b",
        r"約束|確約|コミット",
    ],
    OVERVIEW: [
        r"\bwhat (?:has|have|did) (?:this |the |our )?(?:customer|client|company|she|he|they)\b[^?.]{0,20}\b(?:contact(?:ed)? us|ask(?:ed)?|inquired?|enquired?|reach(?:ed)? out|written|wrote|call(?:ed)?|talked to us|been in touch)\b[^?.]{0,10}\babout\b",
        r"\b(?:history|summary|list|overview|log|record) of (?:all )?(?:(?:our|their|her|his|the) )?(?:interactions|contacts|inquiries|enquiries|tickets|conversations|communications|requests|exchanges|touchpoints)\b",
        r"\b(?:past|previous|earlier|prior|all|recent) (?:interactions|inquiries|enquiries|tickets|conversations|communications|requests|contacts|exchanges|touchpoints)\b",
        r"\b(?:interaction|contact|communication|support|ticket|inquiry) history\b",
        r"\bwhy (?:has|have|did) (?:this |the )?(?:customer|client|company|she|he|they) (?:contact|call|write|reach out)",
        r"\bwhat (?:have we|did we) (?:talked?|discussed?|spoken?) (?:about )?with\b",
        r"(?:これまで|今まで|過去|以前|最近)の(?:問い合わせ|お問い合わせ|やり取り|やりとり|対応|連絡|履歴|接触|相談|チケット)",
        r"(?:問い合わせ|お問い合わせ|対応|やり取り|やりとり|接触|連絡|サポート)(?:の)?(?:履歴|一覧|内容一覧|まとめ|歴)",
        r"(?:どんな|どのような|どういった|どういう)(?:問い合わせ|お問い合わせ|やり取り|やりとり|連絡|相談|ご用件|用件)",
        r"(?:何|なに)(?:について|を|の件で)(?:問い合わせ|お問い合わせ|問合せ|連絡|相談)",
    ],
}
_COMPILED = {key: [re.compile(p) for p in patterns] for key, patterns in _FAMILIES.items()}

# Words a fact question has besides the fact's own pattern (the fact's domain, and words any
# question about a customer has). A word outside them is a part the facts do not answer.
_NOT_REST_EN = """
    customer client company account person people she her he him they them it this that these
    those what when where which who whom how much many tell show give list know see find
    please is are was were be been did does do has have had the a an of to in on for with by
    from at us we our me my you your so far ever yet any and or now currently right still
    exactly date dates day amount value one ones there here about again all get got just also
    before previously until since total overall altogether money spend spent paid pay placed
    place make made order orders ordered purchase purchases purchased buy bought time times
    something anything thing things item items product products category categories brand
    brands flavor flavour taste stage mail email newsletter subscribed assigned estimated
    side record records detail details info information status off there usual usually
    kind sort type everything whatever contract contracts annual yearly worth prospect lead
"""
_NOT_REST_JA = """
    お客様 お客さん 顧客 客 様 さん 方 人 社 会社 企業 当社 弊社 こちら 彼女 彼 今 今回 現在
    これまで 今まで 全部 全て すべて 何 誰 いつ どこ いくら いくつ どなた 教える 知る 見せる
    分かる わかる 確認 一覧 履歴 状況 情報 詳細 状態 ステータス 内容 日 回 目 件 数 額 金額
    合計 商品 もの 買う 使う 購入 注文 契約 年間 取引 規模 問い合わせ 問合せ 案件 問題 課題 残る 味 ブランド 配信
    営業 担当 見込み 見込み客 見込客 リード 前 後 最後 最初 以前 過去 まだ もう 先方 相手 ある いる 頂く 下さる くださる ください
"""


def _not_rest() -> frozenset[str]:
    words = set(_NOT_REST_JA.split())
    for word in _NOT_REST_EN.split():
        words.add(word)
        words.update(tokenize(word))  # the keyword tokeniser's stem of it ("purchas")
    return frozenset(words)


_NOT_REST = _not_rest()
_LATIN_CHAR = re.compile(r"[a-z0-9]")
_ONE_KANA = re.compile(r"[\u3040-\u30ff]")


def normalise(question: str) -> str:
    """NFKC, lower case, one space between words."""
    return " ".join(unicodedata.normalize("NFKC", question).lower().split())


@dataclass(frozen=True)
class Intent:
    """What a question asks of the profile: facts, an overview, and whether more remains."""

    facts: tuple[str, ...] = ()
    overview: bool = False
    promises: bool = False  # "what did we promise?": the commitments, listed by code
    rest: bool = True  # part of the question is for the records (True when nothing matched)
    by: str = "none"  # "keywords", "embedding" or "none"

    @property
    def any(self) -> bool:
        return bool(self.facts) or self.overview or self.promises


def keyword_intent(question: str, names: list[str] | None = None) -> Intent:
    """The facts whose keyword families match, and whether anything else is asked."""
    text = normalise(question)
    hits: dict[str, list[tuple[int, int]]] = {}
    for key, patterns in _COMPILED.items():
        spans = [m.span() for p in patterns for m in p.finditer(text) if m.end() > m.start()]
        if spans:
            hits[key] = spans
    # "lifetime value" is the LTV, not the total spent; "when did she first buy" is the first
    # order, not the last.
    if "ltv" in hits and "total_spent" in hits and _within(hits["total_spent"], hits["ltv"]):
        del hits["total_spent"]
    if (
        "first_order" in hits
        and "last_order" in hits
        and _within(hits["last_order"], hits["first_order"])
    ):
        del hits["last_order"]
    # "What did she buy last?" is the last order, not everything she bought.
    if "products" in hits and ("last_order" in hits or "first_order" in hits):
        del hits["products"]
    # "The total value of everything they bought" is the total, not the list.
    if "products" in hits and "total_spent" in hits:
        del hits["products"]
    # "Which products did they order?" is what they bought, not what they like best.
    if "products" in hits and "ctb" in hits and _within(hits["ctb"], hits["products"]):
        del hits["ctb"]
    if not hits:
        return Intent()
    rest = _has_rest(text, [span for spans in hits.values() for span in spans], names or [])
    facts = tuple(k for k in FACTS if k in hits)
    overview = OVERVIEW in hits
    if PROMISES in hits and not facts:
        # The rest of the question ("…to send them, and by when?") ranks the commitments.
        return Intent(promises=True, rest=False, by="keywords")
    if overview and rest and not facts:
        # "これまでの問い合わせで返金の話は？" asks the records something specific.
        return Intent(rest=True, by="keywords")
    return Intent(facts=facts, overview=overview and not facts, rest=rest, by="keywords")


def _within(spans: list[tuple[int, int]], others: list[tuple[int, int]]) -> bool:
    """Whether every span overlaps one of the others."""
    return all(any(s < oe and os < e for os, oe in others) for s, e in spans)


def _has_rest(text: str, spans: list[tuple[int, int]], names: list[str]) -> bool:
    """Whether the question says more than its matched fact words, the customer's name and
    the words any fact question has."""
    chars = list(text)
    for start, end in spans:
        # A match ending inside a word ("purchase|s", "contact|ed") takes the whole word.
        while start > 0 and _LATIN_CHAR.match(text[start - 1]):
            start -= 1
        while end < len(text) and _LATIN_CHAR.match(text[end]):
            end += 1
        for i in range(start, end):
            chars[i] = " "
    left = "".join(chars)
    for name in names:
        for part in [normalise(name), *normalise(name).split()]:
            if len(part) >= 2:
                left = left.replace(part, " ")
    return any(
        t not in _NOT_REST and len(t) > 1 and not t.isdigit() and not _ONE_KANA.fullmatch(t)
        for t in tokenize(left)
    )


@dataclass
class _Examples:
    labels: list[str]
    vectors: np.ndarray


@dataclass
class FactRecogniser:
    """Keyword families first; for a question none matches, the nearest described example.

    min_cosine and margin are calibrated for the multilingual USE embedder (benchmark
    benchmarks/bench_fact_intents.py); with the fake embedder of unit tests the bar is only
    cleared by near-identical wording.
    """

    embedder: Any | None = None  # the fake embedder of unit tests has no meaning: leave None
    min_cosine: float = 0.62
    margin: float = 0.08
    _examples: _Examples | None = field(default=None, init=False, repr=False)

    def recognise(self, question: str, names: list[str] | None = None) -> Intent:
        """The question's intent (facts, overview, rest); names: the customer's names."""
        found = keyword_intent(question, names)
        if found.any or found.by == "keywords" or self.embedder is None:
            return found
        return self._nearest(question)

    def _nearest(self, question: str) -> Intent:
        examples = self._load()
        vector = self.embedder.embed([normalise(question)])[0]  # type: ignore[union-attr]
        cosines = examples.vectors @ vector
        best: dict[str, float] = {}
        for label, cos in zip(examples.labels, cosines, strict=True):
            best[label] = max(best.get(label, -1.0), float(cos))
        records = best.pop("records", -1.0)
        if not best:
            return Intent()
        label, cos = max(best.items(), key=lambda x: x[1])
        if cos < self.min_cosine or cos - records < self.margin:
            return Intent()
        if label == OVERVIEW:
            return Intent(overview=True, rest=False, by="embedding")
        if label == PROMISES:
            return Intent(promises=True, rest=False, by="embedding")
        return Intent(facts=(label,), rest=False, by="embedding")

    def _load(self) -> _Examples:
        if self._examples is None:
            labels = [label for label, texts in EXAMPLES.items() for _ in texts]
            texts = [normalise(t) for ts in EXAMPLES.values() for t in ts]
            self._examples = _Examples(labels, self.embedder.embed(texts))  # type: ignore[union-attr]
        return self._examples


# Described examples for the embedding side: what each fact is, in both languages, and
# questions the records answer (the "records" class the margin is measured against).
EXAMPLES: dict[str, list[str]] = {
    "total_spent": [
        "How much money has this customer spent with us in total?",
        "この顧客の累計購入金額はいくらですか",
    ],
    "order_count": ["How many orders has the customer placed?", "注文した回数は何回ですか"],
    "last_order": [
        "When was the customer's most recent purchase and what was it?",
        "最後に購入したのはいつで、何を買いましたか",
    ],
    "first_order": ["When did the customer buy for the first time?", "初めての購入はいつですか"],
    "segment": ["Which RFM segment is the customer in?", "この顧客はどのセグメントですか"],
    "ltv": ["What is the customer's lifetime value?", "顧客生涯価値はいくらですか"],
    "open_tickets": [
        "Does the customer have unresolved support tickets?",
        "未解決の問い合わせはありますか",
    ],
    "ctb": [
        "Which product category, taste and brand does the customer like best?",
        "よく買うカテゴリや好みの味は何ですか",
    ],
    "consent": [
        "Can we send marketing e-mail to this customer?",
        "メール配信を停止していますか",
    ],
    "contacts": [
        "Who are the contact people and decision makers at this company?",
        "先方の決裁者は誰ですか",
    ],
    "owner": ["Who is the account owner for this customer?", "この顧客の担当者は誰ですか"],
    "region": ["Where is the customer located?", "この顧客の地域はどこですか"],
    "lifecycle": [
        "Is this a prospect or an existing customer?",
        "ライフサイクルステージは何ですか",
    ],
    "f2": ["Has the customer made a second purchase?", "2回目の購入はありましたか"],
    "products": [
        "Which products has the customer bought from us?",
        "これまでに購入した商品を教えてください",
    ],
    PROMISES: [
        "What have we promised to do for this customer, and by when?",
        "この顧客に何を約束していますか",
    ],
    OVERVIEW: [
        "What has this customer contacted us about?",
        "これまでの問い合わせを一覧で教えてください",
    ],
    "records": [
        "Why was the delivery late?",
        "What did the customer complain about?",
        "Did we promise anything in the last call?",
        "What did they say about the product quality?",
        "Was the refund processed?",
        "配送が遅れた理由は何ですか",
        "商品の不具合について何と言っていましたか",
        "前回の打ち合わせで何を約束しましたか",
        "返品の手続きはどうなりましたか",
        "レビューでは何と書いていましたか",
        "How do I reset the device?",
        "返品ポリシーを教えてください",
        "Where did we meet them?",
        "どこで知り合いましたか",
    ],
}
