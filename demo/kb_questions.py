"""Labelled knowledge-base questions and the questions no record can answer."""

from __future__ import annotations

from demo.common import Ref
from demo.plan import Plan

# (question id, query, language, category, article keys that answer it)
KB_QUESTIONS: list[tuple[str, str, str, str, list[str]]] = [
    (
        "kb-ja-skip",
        "定期便を一回だけ休みたいときは、いつまでに手続きすればいいですか",
        "ja",
        "ja",
        ["kb-sub-skip"],
    ),
    (
        "kb-ja-guarantee",
        "使ってみて肌に合わなかった化粧品でもお金は戻ってきますか",
        "ja",
        "ja",
        ["kb-skin-guarantee"],
    ),
    ("kb-ja-shipping", "いくら以上買えば送料がかからなくなりますか", "ja", "ja", ["kb-shipping"]),
    (
        "kb-ja-expiry",
        "開けた化粧水はどのくらいの期間で使い切るべきですか",
        "ja",
        "ja",
        ["kb-expiry"],
    ),
    (
        "kb-ja-incident",
        "システム障害が起きたとき、お客様への最初の連絡は何分以内ですか",
        "ja",
        "ja",
        ["kb-incident"],
    ),
    (
        "kb-ja-macro",
        "よく使う返信文をテンプレートとして登録する方法は？",
        "ja",
        "ja",
        ["kb-macros"],
    ),
    ("kb-ja-pump", "ポンプを押しても中身が出てこないときの対処法は", "ja", "ja", ["kb-pump"]),
    (
        "kb-en-okta",
        "How do I connect Okta so staff can log in with their company account?",
        "en",
        "en",
        ["kb-sso-okta"],
    ),
    (
        "kb-en-429",
        "A customer's script keeps getting 'too many requests' errors. What is the limit?",
        "en",
        "en",
        ["kb-api-limits"],
    ),
    (
        "kb-en-credit",
        "What compensation is a customer owed when availability drops below the promised level?",
        "en",
        "en",
        ["kb-sla"],
    ),
    (
        "kb-en-retention",
        "How long do we keep a customer's data after their contract ends?",
        "en",
        "en",
        ["kb-retention"],
    ),
    (
        "kb-en-invoicefix",
        "The seat count on an invoice is wrong; how does the customer get it corrected?",
        "en",
        "en",
        ["kb-invoice-fix"],
    ),
    (
        "kb-en-renewal",
        "How much notice must a customer give if they do not want to renew?",
        "en",
        "en",
        ["kb-renewal"],
    ),
    (
        "kb-en-vegan",
        "Does the brand test on animals, and which items are not vegan?",
        "en",
        "en",
        ["kb-vegan"],
    ),
    (
        "kb-en-excel",
        "Exported tickets show garbled Japanese in Excel. What should they choose?",
        "en",
        "en",
        ["kb-csv-export"],
    ),
    (
        "kb-en-midterm",
        "Can a customer add licences before their term ends, and how are they charged?",
        "en",
        "en",
        ["kb-seats-midterm"],
    ),
    (
        "kb-en-maint",
        "When is the monthly planned maintenance window?",
        "en",
        "en",
        ["kb-maintenance"],
    ),
    (
        "kb-x-cancel",
        "How can a customer cancel the skincare subscription box?",
        "en",
        "cross",
        ["kb-sub-cancel"],
    ),
    ("kb-x-points", "How long do loyalty points stay valid?", "en", "cross", ["kb-points"]),
    (
        "kb-x-noshi",
        "Can we add a noshi or a message card to a gift order?",
        "en",
        "cross",
        ["kb-gift"],
    ),
    ("kb-x-2fa", "How do users turn on two-factor authentication?", "en", "cross", ["kb-2fa"]),
    (
        "kb-x-bulk",
        "What roles are accepted when uploading users from a CSV file?",
        "en",
        "cross",
        ["kb-bulk-users"],
    ),
    ("kb-x-intl", "海外への配送は何日くらいかかりますか", "ja", "cross", ["kb-intl-shipping"]),
    (
        "kb-x-scim",
        "IdPからユーザーを自動で作成・無効化するにはどうすればいいですか",
        "ja",
        "cross",
        ["kb-scim"],
    ),
    (
        "kb-x-region",
        "お客様のデータはどこのデータセンターに保存されていますか",
        "ja",
        "cross",
        ["kb-residency"],
    ),
    (
        "kb-x-sfdc",
        "Salesforce連携で選択リストの値が空になるのはなぜですか",
        "ja",
        "cross",
        ["kb-sfdc-mapping"],
    ),
]

KB_UNANSWERABLE: list[tuple[str, str]] = [
    ("ペット用のシャンプーは販売していますか？", "ja"),
    ("What is the price of an on-premises licence of SoranoDesk?", "en"),
    ("来年の春に発売される新製品は何ですか？", "ja"),
]


def ask_kb(plan: Plan) -> None:
    """Add the knowledge-base questions and the unanswerable ones to the plan."""
    for qid, query, language, category, keys in KB_QUESTIONS:
        plan.ask(qid, query, language, category, None, [Ref("article", "demo-kb", k) for k in keys])
    for query, language in KB_UNANSWERABLE:
        plan.cannot(query, language, None)
