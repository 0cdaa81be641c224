"""The import contract (knowledge/importing/canonical.py): what each record accepts and how a
refused value is reported (field, reason), the words the import report has always used."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from knowledge.errors import RowRejected
from knowledge.importing.canonical import RECORDS, external_id, parse, validate

NOTE = {
    "external_id": "N1",
    "customer_external_id": "C1",
    "kind": "meeting_note",
    "occurred_at": "2024-05-01T09:30:00+09:00",
    "body": "見積もりは5/10まで。",
}
ORDER = {"external_id": "O1", "customer_external_id": "C1"}


def _rejected(entity: str, record: dict[str, Any]) -> tuple[str | None, str]:
    with pytest.raises(RowRejected) as caught:
        parse(entity, record)
    return caught.value.field, caught.value.reason


@pytest.mark.parametrize(
    ("entity", "record", "field", "reason"),
    [
        ("customer", {"name": "x"}, "external_id", "required field is missing or empty"),
        ("customer", {"external_id": " ", "name": "x"}, "external_id",
         "required field is missing or empty"),
        ("customer", {"external_id": "c", "name": ""}, "name",
         "required field is missing or empty"),
        ("customer", {"external_id": "c", "name": "x", "email": "not-an-email"}, "email",
         "malformed e-mail address 'not-an-email'"),
        ("customer", {"external_id": "c", "name": "x", "annual_revenue": "abc"},
         "annual_revenue", "'abc' is not a number"),
        ("customer", {"external_id": "c", "name": "x", "language": "FR"}, "language",
         "'fr' is not one of ja, en"),
        ("customer", {"external_id": "c", "name": "x", "country": "JPN"}, "country",
         "longer than 2 characters"),
        ("customer", {"external_id": "c", "name": "x", "email_opt_out": "maybe"},
         "email_opt_out", "'maybe' is not true/false"),
        ("customer", {"external_id": "c", "name": "x", "custom_attributes": "[1]"},
         "custom_attributes", "must be an object (key: value)"),
        ("customer", {"external_id": "c", "name": "x", "favourite": "red"}, "favourite",
         "unknown field(s) favourite; expected some of address, age_band, annual_revenue, "
         "company_size, country, custom_attributes, email, email_opt_out, external_id, gender, "
         "industry, kind, language, lifecycle_stage, name, name_kana, owner, phone, "
         "postal_code, region, team"),
        ("interaction", {**NOTE, "kind": "fax"}, "kind",
         "'fax' is not one of inquiry, ticket, review, meeting_note, call, email, chat, "
         "survey, store_visit"),
        ("interaction", {**NOTE, "kind": ""}, "kind", "required field is missing or empty"),
        ("interaction", {**NOTE, "occurred_at": "yesterday"}, "occurred_at",
         "'yesterday' is not an ISO 8601 date or date-time"),
        ("interaction", {**NOTE, "body": "  "}, "body", "required field is missing or empty"),
        ("interaction", {**NOTE, "rating": "4.5"}, "rating", "'4.5' is not a whole number"),
        ("order", {**ORDER, "lines": [{"sku": "A"}]}, "lines[0].unit_price",
         "a line needs unit_price or amount"),
        ("order", {**ORDER, "lines": [{"sku": "A", "amount": 1}, {"unit_price": 5}]},
         "lines[1].product_name", "a line needs sku or product_name"),
        ("order", {**ORDER, "lines": [{"sku": "A", "amount": "x"}]}, "lines[0].amount",
         "'x' is not a number"),
        ("order", {**ORDER, "lines": ["A"]}, "lines[0]", "an order line must be an object"),
        ("order", {**ORDER, "lines": [{"sku": "A", "amount": 1, "colour": "red"}]}, "colour",
         "unknown field(s) colour; expected some of amount, brand, category, gross_margin, "
         "product_name, quantity, sku, taste, unit_price"),
        ("order", {**ORDER, "lines": "[1,"}, "lines", "not a JSON list: Expecting value"),
        # A bad line is named before another bad field of its order.
        ("order", {"external_id": "O1", "lines": [{"sku": "A"}]}, "lines[0].unit_price",
         "a line needs unit_price or amount"),
        ("article", {"external_id": "a", "kind": "blog", "title": "t", "body": "b"}, "kind",
         "'blog' is not one of faq, manual, policy"),
    ],
)  # fmt: skip
def test_a_refused_value_is_reported_with_field_and_reason(
    entity: str, record: dict[str, Any], field: str, reason: str
) -> None:
    assert _rejected(entity, record) == (field, reason)


def test_values_are_normalised_as_the_writers_store_them() -> None:
    customer = validate(
        "customer",
        {"external_id": 7, "name": "ＴＡＲＯ　山田", "email": " Taro@Example.JP ",
         "phone": "090-1111-2222", "postal_code": "〒150-0001", "country": "jp",
         "kind": "Company", "email_opt_out": "はい", "annual_revenue": "¥1,500",
         "custom_attributes": '{"rank": "gold"}'},
    )  # fmt: skip
    assert customer["name"] == "TARO 山田"
    assert customer["email"] == "taro@example.jp"
    assert customer["phone"] == "+819011112222"
    assert (customer["postal_code"], customer["country"]) == ("1500001", "JP")
    assert (customer["kind"], customer["language"], customer["lifecycle_stage"]) == (
        "company", "ja", "customer",
    )  # fmt: skip
    assert customer["email_opt_out"] is True
    assert customer["annual_revenue"] == Decimal("1500.00")
    assert customer["custom_attributes"] == {"rank": "gold"}
    assert customer["name_key"] and "external_id" not in customer

    ext, note = parse("interaction", {**NOTE, "kind": "Meeting Note", "rating": "4"})
    assert ext == "N1"
    assert note["kind"] == "meeting_note" and note["rating"] == 4
    assert note["occurred_at"] == datetime(2024, 5, 1, 0, 30, tzinfo=UTC)


def test_a_flat_csv_order_row_is_a_one_line_order_with_totals_from_its_line() -> None:
    order = validate(
        "order",
        {**ORDER, "sku": "S1", "quantity": "2", "unit_price": "¥1,000", "gross_margin": "300",
         "lines": "", "currency": "usd"},
    )  # fmt: skip
    assert order["lines"] == [
        {"sku": "S1", "product_name": None, "category": None, "brand": None, "taste": None,
         "quantity": 2, "unit_price": Decimal("1000.00"), "amount": Decimal("2000.00"),
         "gross_margin": Decimal("300.00")},
    ]  # fmt: skip
    assert (order["total_amount"], order["gross_margin"], order["currency"]) == (
        Decimal("2000.00"), Decimal("300.00"), "USD",
    )  # fmt: skip
    empty = validate("order", {**ORDER, "sku": "", "quantity": "", "lines": ""})
    assert (empty["lines"], empty["total_amount"], empty["currency"]) == (
        [],
        Decimal("0.00"),
        "JPY",
    )


def test_external_id_alone_and_every_entity_has_a_model() -> None:
    assert external_id({"external_id": " Ｘ１ "}) == "X1"
    with pytest.raises(RowRejected, match="longer than 255 characters"):
        external_id({"external_id": "x" * 256})
    assert set(RECORDS) == {"customer", "contact", "product", "order", "interaction", "article"}
    with pytest.raises(ValueError, match="unknown entity"):
        validate("invoice", {})
