"""A small bilingual company for API tests, in the canonical import form.

Both customers belong to the team "desk" (TEAM), the team of the harness's keys, so a key of
any role sees them (a sales key's default reach is its team's customers).
"""

from __future__ import annotations

from typing import Any

TEAM = "desk"

CUSTOMERS: list[dict[str, Any]] = [
    {
        "external_id": "C-1",
        "kind": "person",
        "name": "山田 太郎",
        "name_kana": "ヤマダ タロウ",
        "email": "taro.yamada@example.jp",
        "phone": "090-1234-5678",
        "language": "ja",
        "lifecycle_stage": "customer",
        "team": TEAM,
    },
    {
        "external_id": "C-2",
        "kind": "company",
        "name": "Acme Trading Ltd.",
        "email": "buyer@acme.example.com",
        "phone": "+1 415 555 0100",
        "country": "US",
        "language": "en",
        "email_opt_out": True,
        "team": TEAM,
    },
]

# Acme's people, the decision maker last in the input: the brief must put them first.
CONTACTS: list[dict[str, Any]] = [
    {
        "external_id": "P-1",
        "customer_external_id": "C-2",
        "name": "Jane Roe",
        "role": "Facilities manager",
        "email": "jane.roe@acme.example.com",
    },
    {
        "external_id": "P-2",
        "customer_external_id": "C-2",
        "name": "John Smith",
        "role": "CFO",
        "is_decision_maker": True,
    },
]

ORDERS: list[dict[str, Any]] = [
    {
        "external_id": "O-1",
        "customer_external_id": "C-1",
        "order_number": "A-1001",
        "ordered_at": "2025-01-10T10:00:00+09:00",
        "channel": "ec",
        "lines": [
            {
                "sku": "HUM-1",
                "product_name": "加湿器 ミストプラス",
                "category": "家電",
                "quantity": 1,
                "unit_price": 12800,
                "gross_margin": 5000,
            },
        ],
    },
    {
        "external_id": "O-2",
        "customer_external_id": "C-2",
        "order_number": "B-2001",
        "ordered_at": "2025-02-01T09:00:00+00:00",
        "channel": "sales",
        "lines": [
            {
                "sku": "FIL-9",
                "product_name": "Filter pack",
                "quantity": 10,
                "unit_price": 3000,
                "gross_margin": 12000,
            }
        ],
    },
]

INTERACTIONS: list[dict[str, Any]] = [
    {
        "external_id": "I-1",
        "customer_external_id": "C-1",
        "kind": "inquiry",
        "phase": "support",
        "occurred_at": "2025-01-20T11:00:00+09:00",
        "subject": "加湿器の異音",
        "body": "加湿器から異音がするとのお問い合わせ。フィルターの交換を案内しました。",
        "status": "resolved",
        "language": "ja",
    },
    {
        "external_id": "I-2",
        "customer_external_id": "C-1",
        "kind": "call",
        "phase": "support",
        "occurred_at": "2025-02-03T15:00:00+09:00",
        "subject": "再度の異音",
        "body": "再び加湿器の異音。交換品を来週発送すると約束しました。",
        "status": "open",
        "language": "ja",
    },
    {
        "external_id": "I-3",
        "customer_external_id": "C-2",
        "kind": "meeting_note",
        "phase": "sales",
        "occurred_at": "2025-02-10T10:00:00+00:00",
        "subject": "Renewal meeting",
        "body": "Discussed the annual filter contract renewal. We promised a quote by Friday.",
        "language": "en",
    },
]

ARTICLES: list[dict[str, Any]] = [
    {
        "external_id": "KB-1",
        "kind": "faq",
        "title": "加湿器のリセット方法",
        "body": "電源ボタンを10秒長押しすると加湿器がリセットされます。",
        "language": "ja",
        "tags": ["加湿器"],
    },
    {
        "external_id": "KB-2",
        "kind": "manual",
        "title": "How to reset the humidifier",
        "body": "Hold the power button for ten seconds to reset the humidifier.",
        "language": "en",
        "tags": ["humidifier"],
    },
]

SEED: list[tuple[str, str, list[dict[str, Any]]]] = [
    ("customer", "test-crm", CUSTOMERS),
    ("contact", "test-crm", CONTACTS),
    ("product", "test-crm", []),
    ("order", "test-crm", ORDERS),
    ("interaction", "test-crm", INTERACTIONS),
    ("article", "test-kb", ARTICLES),
]
