"""What a draft's model paragraph may not say, removed sentence by sentence.

Code writes the greeting, the personal line and the sign-off; the model's paragraph comes after
the grounding check and then loses every sentence that: greets or signs off again, leaves a
template placeholder ("[Your Name]"), speaks as the customer or names the customer as if it were
the company, pastes a customer's own words, repeats itself, or makes an offer (discount, free,
refund) or gives a URL / address / phone number that no trusted source gives.
"""

from __future__ import annotations

import re
import unicodedata

from assistant.guards import scrub_unsafe, untrusted_offer
from assistant.similarity import split_sentences

_PLACEHOLDER = re.compile(
    r"\[(?!\d+\])[^\]\n]{2,40}\]|\{\{?[^}\n]{1,40}\}\}?|<[A-Za-z][A-Za-z _-]{1,30}>|\$[A-Za-z_]\w*"
    r"|【[^】]*(?:名|会社|氏名|日付|担当)[^】]*】|〇〇|○○|XXX+|\bTBD\b",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^(?:dear|hi|hello|greetings|good (?:morning|afternoon|evening))\b|^to whom"
    r"|お世話になっております|拝啓|前略|様[、,]?$|各位|^いつもお世話に"
    r"|(?:best|kind|warm) regards|sincerely|yours (?:truly|faithfully)|^regards\b|^cheers\b"
    r"|敬具|草々|以上、?よろしくお願い",
    re.IGNORECASE,
)
# The customer's side: requests and first-person statements a company does not write.
_CUSTOMER_VOICE = re.compile(
    r"\bI (?:would like to (?:request|order|ask)|am writing to (?:ask|request|inquire|complain)"
    r"|bought|ordered|purchased|received my)\b|\bplease send (?:me|us) (?:a|the) quote"
    r"|\bmy order\b|見積(?:も)?りをお願い|注文したいのですが|私は|わたくしは|私の注文|購入しました"
    r"|注文しました|と申します",
    re.IGNORECASE,
)
_THANKS_FROM = re.compile(r"on behalf of|from (?:all of us|everyone) at|一同", re.IGNORECASE)
# Codes (letters with digits) and long numbers: a voucher, a reference, an amount. The company
# writes one only when its own data has it; one that only a customer's text has was planted
# there as often as not ("use code KZ0150VIP", "a refund of 731446 yen").
_CODE = re.compile(
    r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[a-z])[a-z0-9][\w-]{4,}(?![\w-])|(?<![\d,.])\d{5,}(?![\d,.])",
    re.ASCII,
)


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def _grams(text: str, n: int = 4) -> set[str]:
    t = re.sub(r"\s+", " ", _norm(text))
    return {t[k : k + n] for k in range(max(len(t) - n + 1, 0))}


def _pasted(sentence: str, customer_grams: set[str]) -> bool:
    """Most of the sentence's 4-character pieces come from what the customer wrote."""
    grams = _grams(sentence)
    return len(grams) >= 6 and len(grams & customer_grams) / len(grams) >= 0.6


def _degenerate(sentence: str) -> bool:
    """A phrase of 3+ characters repeated 3+ times in a row, or a word 4+ times."""
    if re.search(r"(.{3,40}?)(?:\s*\1){2,}", sentence):
        return True
    words = re.findall(r"\w+", _norm(sentence))
    return any(words.count(w) >= 4 for w in set(words) if len(w) > 2)


def _customer_code(sentence: str, trusted: str, customer_text: str) -> str | None:
    """A code or long number of the sentence that the customer's records have and no trusted
    source has (both already normalised)."""
    for m in _CODE.finditer(_norm(sentence)):
        if m.group(0) in customer_text and m.group(0) not in trusted:
            return m.group(0)
    return None


def _why_not(
    sentence: str,
    trusted: str,
    frame_grams: set[str],
    names: list[str],
    customer: set[str],
    customer_text: str = "",
) -> str | None:
    """Why the sentence may not stand in the draft, or None."""
    if _PLACEHOLDER.search(sentence):
        return "placeholder"
    if _GREETING.search(sentence.strip()):
        return "greeting"
    if _CUSTOMER_VOICE.search(sentence):
        return "customer voice"
    if any(n and _norm(n) in _norm(sentence) for n in names) or _THANKS_FROM.search(sentence):
        return "names the customer as the writer or greets again"
    if _degenerate(sentence):
        return "repetition"
    if _pasted(sentence, customer):
        return "customer's own words"
    grams = _grams(sentence)
    if len(grams) >= 6 and len(grams & frame_grams) / len(grams) >= 0.7:
        return "repeats the frame"
    if untrusted_offer(sentence, trusted):
        return "offer from no trusted source"
    if _customer_code(sentence, _norm(trusted), customer_text):
        return "a code or number only the customer's text has"
    return None


def clean(
    paragraph: str,
    *,
    trusted: str,
    frame: str,
    customer_names: list[str],
    customer_texts: list[str],
) -> tuple[str, int]:
    """The paragraph without the sentences a draft may not carry; (text, how many dropped).
    URLs, e-mail addresses and phone numbers survive only when a trusted source has them."""
    paragraph, _ = scrub_unsafe(paragraph, trusted)
    customer = set().union(*(_grams(t) for t in customer_texts)) if customer_texts else set()
    customer_text = _norm("\n".join(customer_texts))
    frame_grams = _grams(frame)
    kept: list[str] = []
    seen: set[str] = set()
    dropped = 0
    for sentence in split_sentences(paragraph):
        key = re.sub(r"\W+", "", _norm(sentence))
        if not key:
            continue
        if key in seen or _why_not(
            sentence, trusted, frame_grams, customer_names, customer, customer_text
        ):
            dropped += 1
            continue
        seen.add(key)
        kept.append(sentence.strip())
    joiner = "" if kept and re.search(r"[。！？]$", kept[0]) else " "
    return joiner.join(kept), dropped
