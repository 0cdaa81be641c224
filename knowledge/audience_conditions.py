"""The audience condition language: JSON data, checked into a typed tree.

A condition is a rule or a combination of conditions::

    {"all": [c, ...]}   every one holds        {"any": [c, ...]}   at least one holds
    {"not": c}          c does not hold        {"field": F, "op": O, "value": V}   a rule

Each field has a type, and each type its operators (FIELDS and OPS below; docs/campaigns.md
lists them). Custom attributes are fields named ``custom.<key>``. `parse_condition` checks the
whole tree and raises `InvalidCondition` listing every problem with its JSON path, e.g.
``condition.all[1].op: 'between' is not valid for field 'segment'``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from knowledge.errors import InvalidCondition
from knowledge.vocabulary import CUSTOMER_KINDS, LANGUAGES, LIFECYCLE, SEGMENTS

FieldType = Literal["enum", "text", "number", "date", "bool", "custom"]

# F2: has the customer come back for a second purchase (knowledge/analytics/f2.py)?
F2_STATUSES: tuple[str, ...] = ("no_orders", "first_only", "converted")


@dataclass(frozen=True)
class FieldSpec:
    type: FieldType
    description: str
    values: tuple[str, ...] = ()  # enum fields: the allowed values


FIELDS: dict[str, FieldSpec] = {
    "segment": FieldSpec("enum", "RFM segment", SEGMENTS),
    "r_score": FieldSpec("number", "RFM recency score (1 worst .. rfm_bins best)"),
    "f_score": FieldSpec("number", "RFM frequency score"),
    "m_score": FieldSpec("number", "RFM monetary score"),
    "recency_days": FieldSpec("number", "days from the last order to the RFM reference date"),
    "ltv": FieldSpec("number", "lifetime value (docs/analytics.md)"),
    "total_spent": FieldSpec("number", "sum of counted orders"),
    "order_count": FieldSpec("number", "counted orders"),
    "first_order_at": FieldSpec("date", "first dated order"),
    "last_order_at": FieldSpec("date", "latest dated order"),
    "f2_status": FieldSpec("enum", "no_orders | first_only | converted", F2_STATUSES),
    "favourite_category": FieldSpec("text", "CTB: category with the largest spend"),
    "favourite_taste": FieldSpec("text", "CTB: taste with the largest spend"),
    "favourite_brand": FieldSpec("text", "CTB: brand with the largest spend"),
    "region": FieldSpec("text", "prefecture / state"),
    "country": FieldSpec("text", "ISO 3166-1 alpha-2"),
    "lifecycle_stage": FieldSpec("enum", "lifecycle stage", LIFECYCLE),
    "kind": FieldSpec("enum", "person or company", CUSTOMER_KINDS),
    "language": FieldSpec("enum", "preferred language", LANGUAGES),
    "owner": FieldSpec("text", "account owner"),
    "has_email": FieldSpec("bool", "an e-mail address is on file"),
    "marketing_opt_in": FieldSpec("bool", "consent: not opted out of marketing e-mail"),
    "has_open_ticket": FieldSpec("bool", "an interaction still open or pending"),
    "has_open_complaint": FieldSpec(
        "bool", "an open or pending complaint (intent complaint/product_defect or negative)"
    ),
    "last_contacted_at": FieldSpec("date", "latest e-mail, call or meeting with the customer"),
}
CUSTOM_PREFIX = "custom."
_CUSTOM_KEY = re.compile(r"^[\w\-]{1,64}$")

# Operator -> the kind of value it takes.
OPS: dict[FieldType, tuple[str, ...]] = {
    "enum": ("eq", "ne", "in", "not_in"),
    "text": ("eq", "ne", "in", "not_in", "is_set"),
    "number": ("eq", "ne", "lt", "lte", "gt", "gte", "between", "is_set"),
    "date": ("before", "after", "between", "within_days", "more_than_days_ago", "is_set"),
    "bool": ("is",),
    "custom": ("eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "is_set"),
}
MAX_DEPTH = 8
MAX_RULES = 100

Scalar = str | int | float | bool
_DATE = TypeAdapter(date | datetime)
_DAYS = TypeAdapter(int)


@dataclass(frozen=True)
class Rule:
    field: str
    op: str
    value: Any  # typed by parse: list for in/between, date/datetime for dates, int for days


@dataclass(frozen=True)
class All:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


Condition = Rule | All | AnyOf | Not


def field_spec(name: str) -> FieldSpec | None:
    """The spec of a field name (custom.<key> included), None when unknown."""
    if name.startswith(CUSTOM_PREFIX):
        key = name[len(CUSTOM_PREFIX) :]
        return FieldSpec("custom", "custom attribute") if _CUSTOM_KEY.match(key) else None
    return FIELDS.get(name)


def parse_condition(data: object, path: str = "condition") -> Condition:
    """The typed tree of a JSON condition, or InvalidCondition naming every bad path."""
    problems: list[str] = []
    counter = [0]
    node = _parse(data, path, problems, 0, counter)
    if problems or node is None:
        raise InvalidCondition(problems or [f"{path}: empty condition"])
    return node


def to_json(node: Condition) -> dict[str, Any]:
    """The JSON form of a parsed condition (dates as ISO strings)."""
    if isinstance(node, All):
        return {"all": [to_json(n) for n in node.items]}
    if isinstance(node, AnyOf):
        return {"any": [to_json(n) for n in node.items]}
    if isinstance(node, Not):
        return {"not": to_json(node.item)}
    return {"field": node.field, "op": node.op, "value": _json_value(node.value)}


def fields_used(node: Condition) -> set[str]:
    """Every field name a condition reads."""
    if isinstance(node, All | AnyOf):
        return set().union(*(fields_used(n) for n in node.items))
    if isinstance(node, Not):
        return fields_used(node.item)
    return {node.field}


def _json_value(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, date):  # datetime too
        return value.isoformat()
    return value


def _parse(
    data: object, path: str, problems: list[str], depth: int, counter: list[int]
) -> Condition | None:
    if depth > MAX_DEPTH:
        problems.append(f"{path}: nested deeper than {MAX_DEPTH} levels")
        return None
    if not isinstance(data, dict):
        problems.append(f"{path}: expected an object, got {type(data).__name__}")
        return None
    keys = set(data)
    if keys & {"all", "any", "not"}:
        if len(keys) != 1:
            problems.append(f"{path}: a combination has exactly one key, got {sorted(keys)}")
            return None
        (key,) = keys
        if key == "not":
            inner = _parse(data["not"], f"{path}.not", problems, depth + 1, counter)
            return Not(inner) if inner is not None else None
        items = data[key]
        if not isinstance(items, list) or not items:
            problems.append(f"{path}.{key}: expected a non-empty list of conditions")
            return None
        parsed = [
            _parse(item, f"{path}.{key}[{i}]", problems, depth + 1, counter)
            for i, item in enumerate(items)
        ]
        if any(p is None for p in parsed):
            return None
        nodes = tuple(p for p in parsed if p is not None)
        return All(nodes) if key == "all" else AnyOf(nodes)
    counter[0] += 1
    if counter[0] > MAX_RULES:
        if counter[0] == MAX_RULES + 1:
            problems.append(f"{path}: more than {MAX_RULES} rules")
        return None
    return _parse_rule(data, path, problems)


def _parse_rule(data: dict[str, Any], path: str, problems: list[str]) -> Rule | None:
    extra = set(data) - {"field", "op", "value"}
    if extra:
        problems.append(
            f"{path}: unknown key(s) {sorted(extra)}; a rule has field, op, value "
            "and a combination all, any or not"
        )
        return None
    name = data.get("field")
    if not isinstance(name, str):
        problems.append(f"{path}.field: required, a field name")
        return None
    spec = field_spec(name)
    if spec is None:
        problems.append(f"{path}.field: unknown field {name!r}")
        return None
    op = data.get("op")
    if not isinstance(op, str):
        problems.append(f"{path}.op: required, one of {', '.join(OPS[spec.type])}")
        return None
    if op not in OPS[spec.type]:
        problems.append(
            f"{path}.op: {op!r} is not valid for field {name!r} "
            f"(valid: {', '.join(OPS[spec.type])})"
        )
        return None
    if "value" not in data:
        problems.append(f"{path}.value: required for op {op!r}")
        return None
    try:
        value = _check_value(spec, op, data["value"])
    except ValueError as e:
        problems.append(f"{path}.value: {e}")
        return None
    return Rule(name, op, value)


def _check_value(spec: FieldSpec, op: str, value: Any) -> Any:
    """The value typed for the field's type and the operator; ValueError says what is wrong."""
    if op in ("is", "is_set"):
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false for {op!r}")
        return value
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise ValueError(f"expected a non-empty list for {op!r}")
        return [_scalar(spec, v, op) for v in value]
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise ValueError("expected a list of two values [from, to]")
        low, high = (_scalar(spec, v, op) for v in value)
        if low > high:
            raise ValueError(f"'from' {value[0]!r} is after 'to' {value[1]!r}")
        return [low, high]
    if op in ("within_days", "more_than_days_ago"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"expected a whole number of days >= 0 for {op!r}")
        return _DAYS.validate_python(value)
    return _scalar(spec, value, op)


def _scalar(spec: FieldSpec, value: Any, op: str) -> Any:
    if spec.type == "enum":
        if value not in spec.values:
            raise ValueError(f"{value!r} is not one of {', '.join(spec.values)}")
        return value
    if spec.type == "text":
        if not isinstance(value, str):
            raise ValueError(f"expected text, got {value!r}")
        return value
    if spec.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"expected a number, got {value!r}")
        return value
    if spec.type == "date":
        if not isinstance(value, str):
            raise ValueError(f"expected an ISO date or date-time string, got {value!r}")
        try:
            return _DATE.validate_python(value)
        except ValidationError:
            raise ValueError(f"{value!r} is not an ISO date (2025-01-31) or date-time") from None
    # custom attributes: JSON scalars; ordering operators need numbers.
    if op in ("lt", "lte", "gt", "gte", "between"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{op!r} on a custom attribute compares numbers, got {value!r}")
        return value
    if not isinstance(value, Scalar):
        raise ValueError(f"expected a string, number or boolean, got {value!r}")
    return value
