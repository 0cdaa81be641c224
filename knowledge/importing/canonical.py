"""The canonical import records (see docs/imports.md): field types, checks and conversion.

`validate(entity, record)` turns one canonical dict (as read from CSV, JSON or an API call)
into typed values ready for the database, or raises RowRejected naming the field.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from knowledge.errors import RowRejected
from knowledge.normalize import (
    canonical_email,
    canonical_phone,
    name_key,
    normalize_postal_code,
    normalize_text,
)
from knowledge.vocabulary import (
    ARTICLE_KINDS,
    CHANNELS,
    CUSTOMER_KINDS,
    ENTITIES,
    INTERACTION_KINDS,
    INTERACTION_STATUS,
    LANGUAGES,
    LIFECYCLE,
    PHASES,
)

LINE_FIELDS = (
    "sku", "product_name", "category", "brand", "taste", "quantity", "unit_price", "amount",
    "gross_margin",
)  # fmt: skip
_TRUE = {"true", "1", "yes", "y", "t", "on", "はい", "済", "○"}
_FALSE = {"false", "0", "no", "n", "f", "off", "いいえ", "×"}


def text(value: Any, field: str, *, required: bool = False, max_len: int = 255) -> str | None:
    """NFKC text, or None; RowRejected when required and missing or too long."""
    out = normalize_text(None if value is None else str(value))
    if out is None and required:
        raise RowRejected("required field is missing or empty", field=field)
    if out is not None and len(out) > max_len:
        raise RowRejected(f"longer than {max_len} characters", field=field)
    return out


def body_text(value: Any, field: str) -> str:
    """Long free text: width-normalised per line but line breaks kept; required."""
    if value is None or not str(value).strip():
        raise RowRejected("required field is missing or empty", field=field)
    return unicodedata.normalize("NFKC", str(value)).strip()


def choice(value: Any, field: str, options: tuple[str, ...], default: str | None = None) -> Any:
    """One of the allowed values (case and width folded)."""
    out = normalize_text(None if value is None else str(value))
    if out is None:
        if default is None and field in _REQUIRED_CHOICES:
            raise RowRejected("required field is missing or empty", field=field)
        return default
    out = out.lower().replace(" ", "_").replace("-", "_")
    if out not in options:
        raise RowRejected(f"{out!r} is not one of {', '.join(options)}", field=field)
    return out


_REQUIRED_CHOICES = {"kind"}


def decimal(value: Any, field: str, *, required: bool = False) -> Decimal | None:
    """A decimal amount (commas, ¥ and $ allowed); RowRejected when not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RowRejected("required field is missing or empty", field=field)
        return None
    if isinstance(value, bool):
        raise RowRejected(f"{value!r} is not a number", field=field)
    raw = normalize_text(str(value)) or ""
    cleaned = raw.replace(",", "").replace("¥", "").replace("$", "").replace("円", "").strip()
    try:
        out = Decimal(cleaned)
    except InvalidOperation as e:
        raise RowRejected(f"{raw!r} is not a number", field=field) from e
    if not out.is_finite():
        raise RowRejected(f"{raw!r} is not a finite number", field=field)
    return out.quantize(Decimal("0.01"))


def integer(value: Any, field: str, *, default: int | None = None) -> int | None:
    """A whole number; RowRejected when not one."""
    amount = decimal(value, field)
    if amount is None:
        return default
    if amount != amount.to_integral_value():
        raise RowRejected(f"{value!r} is not a whole number", field=field)
    return int(amount)


def boolean(value: Any, field: str, *, default: bool = False) -> bool:
    """true/false, 1/0, yes/no, はい/いいえ."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    out = (normalize_text(str(value)) or "").lower()
    if out in _TRUE:
        return True
    if out in _FALSE:
        return False
    raise RowRejected(f"{value!r} is not true/false", field=field)


def timestamp(value: Any, field: str, *, required: bool = False) -> datetime | None:
    """ISO 8601 date or date-time (also 2024/03/01); RowRejected when unreadable."""
    if isinstance(value, datetime):
        return _as_utc(value)
    out = normalize_text(None if value is None else str(value))
    if out is None:
        if required:
            raise RowRejected("required field is missing or empty", field=field)
        return None
    candidate = out.replace("/", "-").replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError as e:
        raise RowRejected(f"{out!r} is not an ISO 8601 date or date-time", field=field) from e
    return _as_utc(parsed)


def _as_utc(value: datetime) -> datetime:
    # Stored in UTC on every backend: SQLite keeps no offset, so a +09:00 time kept as is
    # would read back nine hours off. A time without an offset is taken as UTC already.
    return value if value.tzinfo is None else value.astimezone(UTC)


def mapping_value(value: Any, field: str) -> dict[str, Any]:
    """A dict, or a JSON object written as text (CSV)."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as e:
            raise RowRejected(f"not a JSON object: {e.msg}", field=field) from e
    if not isinstance(value, dict):
        raise RowRejected("must be an object (key: value)", field=field)
    return value


def list_value(value: Any, field: str) -> list[Any]:
    """A list, a JSON list written as text, or comma-separated text."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                value = json.loads(stripped)
            except json.JSONDecodeError as e:
                raise RowRejected(f"not a JSON list: {e.msg}", field=field) from e
        else:
            return [t for t in (normalize_text(p) for p in stripped.split(",")) if t]
    if not isinstance(value, list):
        raise RowRejected("must be a list", field=field)
    return value


def _check_fields(record: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(k for k in record if k not in allowed)
    if unknown:
        raise RowRejected(
            f"unknown field(s) {', '.join(unknown)}; expected some of {', '.join(sorted(allowed))}",
            field=unknown[0],
        )


def _customer(r: dict[str, Any]) -> dict[str, Any]:
    name = text(r.get("name"), "name", required=True)
    kana = text(r.get("name_kana"), "name_kana")
    country = text(r.get("country"), "country", max_len=2)
    country = country.upper() if country else None
    return {
        "kind": choice(r.get("kind"), "kind", CUSTOMER_KINDS, "person"),
        "name": name,
        "name_kana": kana,
        "name_key": name_key(name or "", kana),
        "email": canonical_email(r.get("email")),
        "phone": canonical_phone(r.get("phone"), country or "JP"),
        "postal_code": normalize_postal_code(r.get("postal_code")),
        "address": text(r.get("address"), "address", max_len=500),
        "region": text(r.get("region"), "region", max_len=100),
        "country": country,
        "language": choice(r.get("language"), "language", LANGUAGES, "ja"),
        "age_band": text(r.get("age_band"), "age_band", max_len=16),
        "gender": text(r.get("gender"), "gender", max_len=16),
        "industry": text(r.get("industry"), "industry", max_len=100),
        "company_size": text(r.get("company_size"), "company_size", max_len=32),
        "annual_revenue": decimal(r.get("annual_revenue"), "annual_revenue"),
        "lifecycle_stage": choice(
            r.get("lifecycle_stage"), "lifecycle_stage", LIFECYCLE, "customer"
        ),
        "owner": text(r.get("owner"), "owner", max_len=100),
        "email_opt_out": boolean(r.get("email_opt_out"), "email_opt_out"),
        "custom_attributes": mapping_value(r.get("custom_attributes"), "custom_attributes"),
    }


def _contact(r: dict[str, Any]) -> dict[str, Any]:
    name = text(r.get("name"), "name", required=True)
    return {
        "customer_external_id": text(
            r.get("customer_external_id"), "customer_external_id", required=True
        ),
        "name": name,
        "name_kana": text(r.get("name_kana"), "name_kana"),
        "role": text(r.get("role"), "role", max_len=100),
        "email": canonical_email(r.get("email")),
        "phone": canonical_phone(r.get("phone")),
        "is_decision_maker": boolean(r.get("is_decision_maker"), "is_decision_maker"),
    }


def _product(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "sku": text(r.get("external_id"), "external_id", required=True, max_len=64),
        "name": text(r.get("name"), "name", required=True),
        "category": text(r.get("category"), "category", max_len=100),
        "brand": text(r.get("brand"), "brand", max_len=100),
        "taste": text(r.get("taste"), "taste", max_len=100),
        "unit_price": decimal(r.get("unit_price"), "unit_price"),
        "unit_cost": decimal(r.get("unit_cost"), "unit_cost"),
        "attributes": mapping_value(r.get("attributes"), "attributes"),
    }


def _line(r: Any, n: int) -> dict[str, Any]:
    where = f"lines[{n}]"
    if not isinstance(r, dict):
        raise RowRejected("an order line must be an object", field=where)
    _check_fields(r, set(LINE_FIELDS))
    quantity = integer(r.get("quantity"), f"{where}.quantity", default=1) or 0
    unit_price = decimal(r.get("unit_price"), f"{where}.unit_price")
    amount = decimal(r.get("amount"), f"{where}.amount")
    if unit_price is None and amount is None:
        raise RowRejected("a line needs unit_price or amount", field=f"{where}.unit_price")
    if amount is None:
        amount = (unit_price or Decimal(0)) * quantity
    if unit_price is None:
        unit_price = (amount / quantity).quantize(Decimal("0.01")) if quantity else amount
    sku = text(r.get("sku"), f"{where}.sku", max_len=64)
    name = text(r.get("product_name"), f"{where}.product_name")
    if sku is None and name is None:
        raise RowRejected("a line needs sku or product_name", field=f"{where}.product_name")
    return {
        "sku": sku,
        "product_name": name,
        "category": text(r.get("category"), f"{where}.category", max_len=100),
        "brand": text(r.get("brand"), f"{where}.brand", max_len=100),
        "taste": text(r.get("taste"), f"{where}.taste", max_len=100),
        "quantity": quantity,
        "unit_price": unit_price,
        "amount": amount,
        "gross_margin": decimal(r.get("gross_margin"), f"{where}.gross_margin"),
    }


def _order(r: dict[str, Any]) -> dict[str, Any]:
    raw_lines = r.get("lines")
    if raw_lines in (None, "") and any(r.get(k) not in (None, "") for k in LINE_FIELDS):
        # A flat row (CSV) with line columns is a one-line order.
        raw_lines = [{k: r[k] for k in LINE_FIELDS if k in r}]
    if isinstance(raw_lines, str):
        raw_lines = list_value(raw_lines, "lines")
    lines = [_line(x, n) for n, x in enumerate(raw_lines or [])]
    total = decimal(r.get("total_amount"), "total_amount")
    margin = decimal(r.get("gross_margin"), "gross_margin")
    if total is None:
        total = sum((x["amount"] for x in lines), Decimal("0.00"))
    if margin is None and lines and all(x["gross_margin"] is not None for x in lines):
        margin = sum((x["gross_margin"] for x in lines), Decimal("0.00"))
    currency = text(r.get("currency"), "currency", max_len=3)
    return {
        "customer_external_id": text(
            r.get("customer_external_id"), "customer_external_id", required=True
        ),
        "order_number": text(r.get("order_number"), "order_number", max_len=64),
        "ordered_at": timestamp(r.get("ordered_at"), "ordered_at"),
        "channel": choice(r.get("channel"), "channel", CHANNELS),
        "status": text(r.get("status"), "status", max_len=32),
        "currency": (currency or "JPY").upper(),
        "total_amount": total,
        "gross_margin": margin,
        "lines": lines,
    }


def _interaction(r: dict[str, Any]) -> dict[str, Any]:
    rating = integer(r.get("rating"), "rating")
    return {
        "customer_external_id": text(
            r.get("customer_external_id"), "customer_external_id", required=True
        ),
        "contact_external_id": text(r.get("contact_external_id"), "contact_external_id"),
        "kind": choice(r.get("kind"), "kind", INTERACTION_KINDS),
        "phase": choice(r.get("phase"), "phase", PHASES),
        "channel": text(r.get("channel"), "channel", max_len=32),
        "occurred_at": timestamp(r.get("occurred_at"), "occurred_at", required=True),
        "author": text(r.get("author"), "author"),
        "subject": text(r.get("subject"), "subject", max_len=500),
        "body": body_text(r.get("body"), "body"),
        "rating": rating,
        "status": choice(r.get("status"), "status", INTERACTION_STATUS),
        "language": choice(r.get("language"), "language", LANGUAGES),
    }


def _article(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": choice(r.get("kind"), "kind", ARTICLE_KINDS),
        "title": text(r.get("title"), "title", required=True, max_len=500),
        "body": body_text(r.get("body"), "body"),
        "language": choice(r.get("language"), "language", LANGUAGES),
        "tags": [str(t) for t in list_value(r.get("tags"), "tags")],
    }


_VALIDATORS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "customer": _customer,
    "contact": _contact,
    "product": _product,
    "order": _order,
    "interaction": _interaction,
    "article": _article,
}
_ALLOWED = {
    "customer": {
        "external_id", "kind", "name", "name_kana", "email", "phone", "postal_code", "address",
        "region", "country", "language", "age_band", "gender", "industry", "company_size",
        "annual_revenue", "lifecycle_stage", "owner", "email_opt_out", "custom_attributes",
    },
    "contact": {
        "external_id", "customer_external_id", "name", "name_kana", "role", "email", "phone",
        "is_decision_maker",
    },
    "product": {
        "external_id", "name", "category", "brand", "taste", "unit_price", "unit_cost",
        "attributes",
    },
    "order": {
        "external_id", "customer_external_id", "order_number", "ordered_at", "channel", "status",
        "currency", "total_amount", "gross_margin", "lines", *LINE_FIELDS,
    },
    "interaction": {
        "external_id", "customer_external_id", "contact_external_id", "kind", "phase", "channel",
        "occurred_at", "author", "subject", "body", "rating", "status", "language",
    },
    "article": {"external_id", "kind", "title", "body", "language", "tags"},
}  # fmt: skip


def external_id(record: dict[str, Any]) -> str:
    """The record's id in its source system (required, any scalar)."""
    value = record.get("external_id")
    out = normalize_text(None if value is None else str(value))
    if out is None:
        raise RowRejected("required field is missing or empty", field="external_id")
    if len(out) > 255:
        raise RowRejected("longer than 255 characters", field="external_id")
    return out


def validate(entity: str, record: dict[str, Any]) -> dict[str, Any]:
    """Typed values of one canonical record; RowRejected names the first bad field."""
    if entity not in _VALIDATORS:
        raise ValueError(f"unknown entity {entity!r}; expected one of {', '.join(ENTITIES)}")
    _check_fields(record, _ALLOWED[entity])
    return _VALIDATORS[entity](record)
