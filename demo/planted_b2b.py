"""Planted stories of software accounts (English and Japanese records) and questions about them."""

# ruff: noqa: E501 -- record texts are prose data; breaking them mid-sentence helps no reader.

from __future__ import annotations

from datetime import date

from demo.people import Cust
from demo.plan import Plan


def _account(plan: Plan, language: str, exclude: set[str]) -> Cust:
    c = plan.population.company(language=language)
    c.exclude_topics |= exclude
    return c


def _first(c: Cust) -> str:
    return c.contacts[0]["name"]


def invoice_errors(plan: Plan) -> None:
    c = _account(plan, "en", set())
    a = plan.note(
        c,
        "ticket",
        "support",
        "portal",
        date(2026, 3, 9),
        "Anna Fischer (Support)",
        "Invoice INV-2026-0312 shows wrong seat count",
        f"{_first(c)} reports that invoice INV-2026-0312 bills 120 Professional seats, but their "
        "contract is for 80. Billing confirmed the error (a seat change from another tenant was applied "
        "by mistake). Credit note CN-2026-0041 and a corrected invoice were sent on March 13.",
        language="en",
        status="resolved",
        contact=0,
    )
    b = plan.note(
        c,
        "ticket",
        "support",
        "portal",
        date(2026, 7, 14),
        "Ryo Tanabe (Support)",
        "Consumption tax charged twice on INV-2026-0705",
        f"{_first(c)} noticed that invoice INV-2026-0705 adds 10% consumption tax on top of an amount that "
        "already included tax, overcharging JPY 218,000. Finance re-issued the invoice on July 18 and "
        "apologised; root cause was a template change in the billing system.",
        language="en",
        status="resolved",
        contact=0,
    )
    plan.plant(
        "two-invoice-errors",
        c,
        "Two invoice errors in different months: wrong seat count in March "
        "2026 (INV-2026-0312) and tax charged twice in July 2026 (INV-2026-0705)",
        [a, b],
        {"invoices": ["INV-2026-0312", "INV-2026-0705"], "count": 2},
        ["請求書", "2件"],
        ["invoice", "INV-2026-0312", "INV-2026-0705"],
    )
    plan.ask(
        "en-invoices",
        "Have we made mistakes on this account's invoices before?",
        "en",
        "en",
        c,
        [a, b],
    )
    plan.ask(
        "en-invoice-july", "What went wrong with their billing in the summer?", "en", "en", c, [b]
    )
    plan.ask("x-invoices", "この会社の請求書の誤りについて教えてください", "ja", "cross", c, [a, b])
    plan.cannot("Which football team does their CFO support?", "en", c)


def quote_promise(plan: Plan) -> None:
    c = _account(plan, "en", {"meeting", "email"})
    a = plan.note(
        c,
        "meeting_note",
        "sales",
        "meeting",
        date(2026, 11, 18),
        "Ken Mori (AE)",
        "Expansion meeting - Singapore and Osaka teams",
        f"Attendees: {_first(c)} ({c.contacts[0]['role']}), Ken Mori.\n"
        "They want to move both support teams to Professional: 250 seats plus the SSO add-on, "
        "on a two-year term if the price works. Budget approval is in mid-December.\n"
        "Next steps: Ken to send the quote by 2026-12-05 (Professional x 250, SSO add-on, 10% off for a "
        "two-year commitment). Customer to confirm the start date.",
        language="en",
        contact=0,
    )
    plan.plant(
        "quote-due",
        c,
        "Promised in a meeting on 2026-11-18 to send a quote (250 Professional "
        "seats + SSO add-on) by 2026-12-05",
        [a],
        {"due_date": "2026-12-05", "seats": 250, "plan": "Professional"},
        ["見積", "2026-12-05"],
        ["quote", "2026-12-05", "250"],
    )
    plan.ask("en-quote", "What did we promise to send them, and by when?", "en", "en", c, [a])
    plan.ask(
        "en-quote-2", "When is the proposal for the Professional seats due?", "en", "en", c, [a]
    )
    plan.ask("x-quote", "見積書はいつまでに送ると約束していますか", "ja", "cross", c, [a])


def sso_recurring(plan: Plan) -> None:
    c = _account(plan, "ja", {"ticket", "call"})
    a = plan.note(
        c,
        "ticket",
        "support",
        "portal",
        date(2026, 2, 17),
        "サポート 浅野",
        "SSOでログインできない",
        f"{_first(c)}様より、Entra IDのシングルサインオンでログインすると「assertion expired」と表示され全員ログインできないと報告。"
        "原因は先方IdPサーバーの時刻ずれ(約7分)。時刻同期の設定後に解消。",
        language="ja",
        status="resolved",
        contact=0,
    )
    b = plan.note(
        c,
        "ticket",
        "support",
        "portal",
        date(2026, 6, 8),
        "サポート 浅野",
        "SSOエラー(invalid signature)",
        "証明書の自動更新後、SSOログインで「invalid signature」エラー。新しいメタデータXMLを再アップロードして復旧。"
        "約2時間、ローカル管理者アカウントのみ利用可能だった。",
        language="ja",
        status="resolved",
        contact=0,
    )
    d = plan.note(
        c,
        "call",
        "support",
        "phone",
        date(2026, 10, 27),
        "CS 田辺 涼",
        "SSO障害の再発について",
        f"{c.contacts[0]['name']}様より入電。またSSOでログインできなくなった、今年3回目とのこと。部長から恒久対策を求められている。"
        "証明書更新の30日前に事前通知する運用と、設定手順書の改訂版を11月30日までに提供すると約束。",
        language="ja",
        contact=0,
    )
    plan.plant(
        "recurring-sso-failure",
        c,
        "Single sign-on broke three times in 2026 (clock skew, certificate "
        "rotation, again in October); promised a revised setup guide and advance notice by 2026-11-30",
        [a, b, d],
        {"occurrences": 3, "promise_due": "2026-11-30"},
        ["SSO", "3回", "11月30日"],
        ["SSO", "three times", "2026-11-30"],
    )
    plan.ask("ja-sso", "シングルサインオンの問題は以前にも起きていますか", "ja", "ja", c, [a, b, d])
    plan.ask(
        "x-sso",
        "How many times has SSO login broken for this account, and why?",
        "en",
        "cross",
        c,
        [a, b, d],
    )
    plan.cannot("先方の社長の趣味は何ですか？", "ja", c)


def migration_plan(plan: Plan) -> None:
    c = _account(plan, "ja", {"meeting"})
    a = plan.note(
        c,
        "meeting_note",
        "sales",
        "meeting",
        date(2026, 11, 12),
        "SE 伊東 大介",
        "移行プロジェクト キックオフ",
        f"出席: {_first(c)}様、当社 伊東・森。\n現行のヘルプデスク製品からSoranoDeskへ移行したい。対象は過去5年分・約48万件のチケット。"
        "添付ファイルも移行必須。\n次のアクション: 当社より移行計画書(スケジュール・データ項目の対応表)を2026年12月10日までに提出する。",
        language="ja",
        contact=0,
    )
    plan.plant(
        "migration-plan-due",
        c,
        "Promised to deliver a migration plan (about 480,000 tickets) by 2026-12-10",
        [a],
        {"due_date": "2026-12-10", "tickets": 480000},
        ["移行計画書", "12月10日"],
        ["migration plan", "2026-12-10"],
    )
    plan.ask("ja-migration", "移行計画書の提出期限はいつと約束しましたか", "ja", "ja", c, [a])
    plan.ask(
        "x-migration", "When did we commit to deliver the migration plan?", "en", "cross", c, [a]
    )


def outage_credit(plan: Plan) -> None:
    c = _account(plan, "en", set())
    a = plan.note(
        c,
        "ticket",
        "support",
        "portal",
        date(2026, 9, 2),
        "Ryo Tanabe (Support)",
        "Outage: SoranoDesk unavailable",
        f"{_first(c)} reports agents cannot open any tickets since 09:40 JST. Confirmed platform-wide "
        "incident in the Tokyo region (database failover). Service restored at 12:50 JST, about 3 hours "
        "10 minutes of downtime.",
        language="en",
        status="resolved",
        contact=0,
    )
    b = plan.note(
        c,
        "email",
        "success",
        "email",
        date(2026, 9, 9),
        "Julia Park (CSM)",
        "Incident report and service credit",
        f"Hi {_first(c).split()[0]}, attached is the root-cause report for the September 2 incident. "
        "Availability for September fell to 99.56%, so under the SLA you receive a service credit of 10% "
        "of the monthly fee (JPY 25,000), applied to your October invoice. Apologies again.",
        language="en",
        status="resolved",
        contact=0,
    )
    plan.plant(
        "outage-service-credit",
        c,
        "Platform outage on 2026-09-02 (about 3 h); root-cause report sent "
        "and a 10% service credit (JPY 25,000) applied to the October invoice",
        [a, b],
        {"outage_date": "2026-09-02", "credit_jpy": 25000, "credit_pct": 10},
        ["障害", "サービスクレジット"],
        ["outage", "service credit", "25,000"],
    )
    plan.ask(
        "en-outage",
        "Did they get any compensation for the downtime in September?",
        "en",
        "en",
        c,
        [b, a],
    )
    plan.ask("x-outage", "9月の障害のあと、どんな補償をしましたか", "ja", "cross", c, [b, a])
    plan.cannot("Did they attend our 2025 user conference in Yokohama?", "en", c)


def renewal_discount(plan: Plan) -> None:
    c = _account(plan, "ja", {"meeting", "call"})
    a = plan.note(
        c,
        "meeting_note",
        "sales",
        "meeting",
        date(2026, 10, 20),
        "営業 北川",
        "契約更新の打ち合わせ",
        f"出席: {_first(c)}様、当社 北川。\n契約満了は2027年1月31日。更新にあたり10%の値引きを希望。"
        "他社の見積もりも取得済みとのこと。決裁は経営企画室長。\n次のアクション: 値引き可否を社内で確認し11月中に回答。",
        language="ja",
        contact=0,
    )
    plan.plant(
        "renewal-discount",
        c,
        "Contract ends 2027-01-31; customer asked for a 10% renewal discount "
        "and has a competing quote",
        [a],
        {"contract_end": "2027-01-31", "discount_pct": 10},
        ["値引き", "10%"],
        ["discount", "10%", "renewal"],
    )
    plan.ask("ja-renewal", "更新にあたって先方から何か条件の要望はありましたか", "ja", "ja", c, [a])
    plan.ask(
        "x-renewal", "Are they asking for a price reduction when they renew?", "en", "cross", c, [a]
    )


def kintone_sync(plan: Plan) -> None:
    c = _account(plan, "ja", {"ticket"})
    c.connector = "kintone"
    a = plan.note(
        c,
        "ticket",
        "support",
        "portal",
        date(2026, 8, 5),
        "サポート 浅野",
        "kintoneの項目が同期されない",
        "kintoneアプリの「取引先名」(ルックアップ項目)がSoranoDeskに連携されないとの問い合わせ。ルックアップ項目は仕様上同期対象外と回答し、"
        "文字列項目にコピーするkintone側のプラグインを回避策として案内。",
        language="ja",
        status="resolved",
        contact=0,
    )
    plan.ask("ja-kintone", "kintone連携ではどんな問題がありましたか", "ja", "ja", c, [a])
    plan.ask("x-kintone", "What was wrong with their kintone sync?", "en", "cross", c, [a])


def training_booked(plan: Plan) -> None:
    c = _account(plan, "en", {"email", "meeting"})
    a = plan.note(
        c,
        "email",
        "success",
        "email",
        date(2026, 10, 8),
        "Julia Park (CSM)",
        "On-site admin training",
        f"Hi {_first(c).split()[0]}, confirming the on-site admin training at your Singapore office on "
        "November 26, 2026, 10:00-16:00, for 12 administrators. We will cover routing rules, SLA "
        "policies and the report builder. Please book a room with a projector.",
        language="en",
        contact=0,
    )
    plan.ask(
        "en-training", "Is there an onsite workshop planned for their admins?", "en", "en", c, [a]
    )
    plan.ask("x-training", "この会社向けの研修はいつ予定されていますか", "ja", "cross", c, [a])


def api_raise(plan: Plan) -> None:
    c = _account(plan, "en", {"ticket"})
    a = plan.note(
        c,
        "ticket",
        "support",
        "portal",
        date(2026, 6, 20),
        "Anna Fischer (Support)",
        "Temporary API limit increase for migration",
        f"{_first(c)} asked to raise the API rate limit from 600 to 2,000 requests per minute for their "
        "data migration weekend of June 27-28. Approved by engineering for 48 hours; limit returns to "
        "normal on June 29 at 09:00 JST.",
        language="en",
        status="resolved",
        contact=0,
    )
    plan.ask(
        "en-api", "Did we agree to lift their request limits for the data move?", "en", "en", c, [a]
    )
    plan.ask(
        "x-api", "APIの上限を上げてほしいという依頼にはどう対応しましたか", "ja", "cross", c, [a]
    )


def seat_expansion(plan: Plan) -> None:
    c = _account(plan, "en", {"call", "meeting"})
    a = plan.note(
        c,
        "call",
        "sales",
        "phone",
        date(2026, 11, 10),
        "Maya Chen (AE)",
        "Expansion call",
        f"Call with {_first(c)}. They are opening a support team in Manila in January and are considering "
        "40 more seats. They want pricing before November 28 for their budget meeting.",
        language="en",
        contact=0,
    )
    plan.ask(
        "en-seats", "How many additional licences are they thinking of buying?", "en", "en", c, [a]
    )
    plan.ask(
        "en-seats-date",
        "By what date do they need our pricing for the new team?",
        "en",
        "en",
        c,
        [a],
    )
    plan.ask("x-seats", "追加ライセンスは何席くらいを検討していますか", "ja", "cross", c, [a])


def data_residency(plan: Plan) -> None:
    c = _account(plan, "en", {"email"})
    a = plan.note(
        c,
        "email",
        "sales",
        "email",
        date(2026, 4, 15),
        _first(c),
        "Security review questions",
        "Our security team needs to know in which country our ticket data would be hosted and whether "
        "backups leave Japan. They also ask for your SOC 2 report. Can you send it?",
        language="en",
        contact=0,
    )
    plan.ask(
        "en-residency", "Did they ask us where their data would be stored?", "en", "en", c, [a]
    )
    plan.ask(
        "x-residency", "データの保管場所について問い合わせはありましたか", "ja", "cross", c, [a]
    )


def payment_switch(plan: Plan) -> None:
    c = _account(plan, "ja", {"call"})
    a = plan.note(
        c,
        "call",
        "success",
        "phone",
        date(2026, 5, 19),
        "CS 水野",
        "支払方法の変更",
        f"{_first(c)}様より、経理の方針変更で請求書払い(銀行振込)から口座振替に切り替えたいとのご連絡。"
        "6月請求分からの適用で手続き書類を郵送。",
        language="ja",
        contact=0,
    )
    plan.ask("ja-payment", "支払い方法を変えたいという相談はありましたか", "ja", "ja", c, [a])
    plan.ask("x-payment", "Which payment method do they want to move to?", "en", "cross", c, [a])


SCENARIOS = [
    invoice_errors,
    quote_promise,
    sso_recurring,
    migration_plan,
    outage_credit,
    renewal_discount,
    kintone_sync,
    training_booked,
    api_raise,
    seat_expansion,
    data_residency,
    payment_switch,
]
