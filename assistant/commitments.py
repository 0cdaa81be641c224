"""Commitments, not phrases: who will do what (and by when), told apart from courtesy by rules.

"送付いたします", "3月3日までにご連絡します", "we will send the revised quote by March 3",
"Next step: send proposal" are commitments: an owner, an action that delivers something, and
usually a date. "確認いたしますので少々お待ちください", "we'll look into it", "we will keep you
posted" are courtesy: no deliverable, no date. A commitment is open until a later record says
its action was done (送付しました, "sent", "received").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Actions that deliver something, by class: a later record doing the same class fulfils it.
_ACTIONS: dict[str, tuple[str, str, str]] = {
    # class: (Japanese stems, English verbs, what a later record says when it was done)
    "send": (
        r"送付|お送り|送(?:る|り|っ)|送信|発送|返送|郵送|発行|お届け|納品|提出|共有|ご?提示|出荷|配送",
        r"send|ship|deliver|submit|share|e-?mail|mail|forward|post|dispatch|provide|issue",
        r"送付(?:しました|いたしました|済)|お?送り(?:しました|いたしました)|送信(?:しました|済)"
        r"|発送(?:しました|いたしました|済|完了)|お届け(?:しました|済)|納品(?:しました|済|完了)"
        r"|提出(?:しました|済)|共有(?:しました|済)|届きました|受け取り|受領"
        r"|\b(?:sent|shipped|delivered|submitted|shared|e-?mailed|mailed|forwarded|dispatched"
        r"|provided|issued|received)\b",
    ),
    "contact": (
        r"ご連絡|連絡|お電話|電話|ご回答|回答|ご返信|返信|折り返し|ご報告|報告",
        r"call|phone|get back|reply|respond|contact|follow up|report back|let you know|confirm",
        r"(?:ご?連絡|お?電話|ご?回答|ご?返信|折り返し|ご?報告)(?:しました|いたしました|済)"
        r"|\b(?:called|phoned|replied|responded|contacted|got back|followed up|confirmed)\b",
    ),
    "refund": (
        r"返金|ご返金|払い戻し|返品受付|振り?込",
        r"refund|credit|reimburse",
        r"返金(?:しました|いたしました|済|完了)|振り?込み?(?:が|を)?(?:完了|済|しました|いたしました)"
        r"|\b(?:refunded|credited|reimbursed)\b",
    ),
    "replace": (
        r"交換|代替品|代品|再送|修理",
        r"replace|exchange|repair|resend|re-send",
        r"(?:交換|再送|修理)(?:しました|いたしました|済|完了)|代替品.{0,10}(?:発送|送付)(?:しました|済)"
        r"|\b(?:replaced|exchanged|repaired|resent|re-sent)\b",
    ),
    "visit": (
        r"訪問|伺い|伺います|お伺い|デモ|ご説明|来店|測定|カウンセリング",
        r"visit|come by|stop by|demo|present",
        r"訪問(?:しました|いたしました|済)|伺いました|ご来店|測定(?:しました|済|結果)"
        r"|\b(?:visited|demoed|presented)\b",
    ),
    "prepare": (
        r"ご用意|用意|準備|作成|手配|設定|見積|お見積",
        r"prepare|draft|arrange|schedule|set up|book|quote|organi[sz]e",
        r"(?:用意|準備|作成|手配|設定|案内)(?:しました|いたしました|済|完了)"
        r"|\b(?:prepared|drafted|arranged|scheduled|booked|quoted|organi[sz]ed)\b",
    ),
}
_JA_ACTION = "|".join(f"(?:{stems})" for stems, _, _ in _ACTIONS.values())
_EN_ACTION = "|".join(f"(?:{verbs})" for _, verbs, _ in _ACTIONS.values())

# Japanese: the action in a committing form (humble future, plan, promise reported, action item).
_JA_COMMIT = re.compile(
    rf"(?:{_JA_ACTION})[^。、]{{0,6}}?(?:いたします|致します|します|させていただきます|申し上げます"
    rf"|いたす予定|する予定|予定です|予定(?:。|$)|いたしますので|しますので)"
    rf"|(?:{_JA_ACTION})[^。]{{0,12}}(?:と|を)(?:お?約束|確約)"
    rf"|(?:{_JA_ACTION})(?:する|すること)(?:。|$)"
    rf"|(?:までに|中に|以内に)[^。]{{0,20}}(?:{_JA_ACTION})"
    rf"|(?:{_JA_ACTION})[^。]{{0,4}}(?:の|を)お?約束"
)
# A request in the committing words ("返信を希望します", "お送りいただけますか"): the other side's.
_REQUEST = re.compile(
    r"希望|お願い|願い|ください|ほしい|欲しい|(?<!させて)いただ|くださ"
    r"|\b(?:please|could you|can you|would you)\b",
    re.IGNORECASE,
)
# English: an owner (we, I, a named person, "our team") and will / promised / agreed + action,
# or an action item / next step line.
_EN_COMMIT = re.compile(
    rf"\b(?:we|i|our (?:team|rep|engineer|technician|courier|staff)|[A-Z][a-z]+(?: \([a-z ]+\))?)"
    rf"(?:'ll| will| shall| are going to| am going to| is going to| promised to| agreed to"
    rf"| committed to| undertook to| offered to)\s+(?:\w+ly\s+)?(?:[\w']+\s+){{0,5}}?(?:and\s+)?"
    rf"(?:{_EN_ACTION})\b"
    rf"|\b(?:promised|agreed|committed|undertook|offered) to (?:\w+ly\s+)?(?:{_EN_ACTION})\b"
    rf"|\b(?:action item|next step|to do|todo|follow-up)s?\s*[:：-]\s*(?:\w+\s+)?(?:{_EN_ACTION})"
    rf"|^\s*(?:[A-Z][a-z]+|we) to (?:{_EN_ACTION})\b",
    re.IGNORECASE | re.MULTILINE,
)
_JA_ITEM = re.compile(r"(?:次のアクション|アクション|宿題|対応事項|ToDo|TODO)\s*[:：]")
# Courtesy: waiting, thanking, apologising, or a vague "we'll look into it" without a date.
_COURTESY = re.compile(
    r"少々お待ち|お待ちください|お待ちいただけ|お待ちしております|ありがとうございま|申し訳ございませ"
    r"|よろしくお願い|失礼いたします|承知いたしました|かしこまりました"
    r"|\b(?:look into|looking into|check on|have a look|take a look"
    r"|keep you (?:posted|informed|updated)|do our best|happy to|glad to|if useful|if helpful"
    r"|let me check|bear with|hold on|one moment"
    r"|get back to you|let you know|be in touch|reach out)\b",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_JA_CLAUSE = re.compile(r"(?<=、)")


def without_courtesy(sentence: str) -> str:
    """The sentence without its Japanese courtesy clauses: "少々お待ちくださいとお伝えして保留し、
    2月5日に振込が完了…" keeps what it reports and loses the formula, so a quote of the record
    never reads as a promise; '' when nothing but courtesy is left. English is left as it is: a
    clause there cannot be cut out safely."""
    if not _COURTESY.search(sentence) or not _CJK.search(sentence):
        return sentence
    kept = [c for c in _JA_CLAUSE.split(sentence) if c and not _COURTESY.search(c)]
    return "".join(kept).strip()


_VAGUE_JA = re.compile(
    r"(?:確認|検討|調査|対応|案内|説明)(?:いたします|致します|します|させていただきます)"
)
_DATE = re.compile(
    r"\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?|\d{1,2}月\d{1,2}日|\d{1,2}/\d{1,2}"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:, ?\d{4})?"
    r"|\d{1,2} (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*(?: \d{4})?"
    r"|(?:next|this) (?:week|month|monday|tuesday|wednesday|thursday|friday)"
    r"|\b(?:by|before|on|until) (?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\btomorrow\b"
    r"|end of (?:the )?(?:week|month|day)|来週|今週|月末|今月中|来月|明日|本日中|週明け"
    r"|次回(?:の(?:打ち合わせ|会議|訪問|定例|ご来店))?"
    r"|[月火水木金土日]曜(?:日)?",
    re.IGNORECASE,
)
# A standing policy or an offer on condition, not a commitment to this customer.
_POLICY = re.compile(
    r"(?:までの|以上の)ご注文|場合(?:は|に|には)|であれば|\bif (?:you|needed|required)\b"
    r"|\borders? (?:placed|over)\b|\bwe can\b|\bcan be\b",
    re.IGNORECASE,
)
# Who commits: the customer ("the customer will send the PO", "お客様が…送付") is not us.
_CUSTOMER_OWNER = re.compile(
    r"\b(?:the )?(?:customer|client|they|she|he)(?:'ll| will| promised| agreed| are going to"
    r"| is going to)|^(?:customer|client)\s+to\b|(?:お客様|先方|顧客)(?:が|は|より|から)[^。]{0,30}"
    r"|て(?:いただく|いただける|くださる|くれる)|くださる"
    # "3月中に回答するとのことでした": what the other side said it would do.
    r"|とのこと|とおっしゃ|と言われ",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Commitment:
    """A sentence that commits someone to an action: who, which action class, due as written."""

    sentence: str
    owner: str  # "us" | "customer"
    action: str  # a key of _ACTIONS
    due: str | None


def _action_of(sentence: str) -> str | None:
    for action, (stems, verbs, _) in _ACTIONS.items():
        if re.search(stems, sentence) or re.search(rf"\b(?:{verbs})", sentence, re.IGNORECASE):
            return action
    return None


def commitment(sentence: str) -> Commitment | None:
    """The commitment this sentence makes, or None (courtesy, a question, a plain statement)."""
    s = unicodedata.normalize("NFKC", sentence).strip()
    if not s or s.endswith(("?", "？", "か。", "か")):
        return None
    due = _DATE.search(s)
    committed = _JA_COMMIT.search(s) or _EN_COMMIT.search(s) or _JA_ITEM.search(s)
    if not committed or _POLICY.search(s) or _REQUEST.search(committed.group(0)):
        return None
    # Courtesy and vague promises ("確認いたします", "we'll look into it") need a date to count.
    vague = _COURTESY.search(s) or (_VAGUE_JA.search(s) and not _deliverable_ja(s))
    if vague and not due:
        return None
    action = _action_of(s[committed.start() :]) or _action_of(s)
    # "送付済み", "sent": reported as done, nothing left to promise.
    if action is None or re.search(_ACTIONS[action][2], s, re.IGNORECASE):
        return None
    owner = "customer" if _CUSTOMER_OWNER.search(s) else "us"
    return Commitment(s[:240], owner, action, due.group(0) if due else None)


def _deliverable_ja(s: str) -> bool:
    """A Japanese sentence that names a concrete deliverable besides checking or considering."""
    rest = _VAGUE_JA.sub("", s)
    return bool(re.search(rf"(?:{_JA_ACTION})[^。]{{0,6}}?(?:いたします|致します|します)", rest))


def fulfilled(c: Commitment, later_texts: list[str]) -> bool:
    """Whether a later record says the commitment's action was done."""
    done = re.compile(_ACTIONS[c.action][2], re.IGNORECASE)
    return any(done.search(unicodedata.normalize("NFKC", t)) for t in later_texts)
