"""Compile a parsed audience condition into one SQL WHERE clause over customers.

The FROM is customers LEFT JOIN customer_metrics (stored analytics: a customer without a row
is a prospect with no orders); interaction facts are EXISTS / MAX subqueries on the indexed
(customer_id, occurred_at). Logic is two-valued: a rule on a missing value is false, so
``not`` of it is true ("favourite_category ne 'tea'" includes customers with no favourite).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from knowledge.audience_conditions import (
    CUSTOM_PREFIX,
    All,
    AnyOf,
    Condition,
    Not,
    Rule,
    field_spec,
)
from knowledge.models import Customer, CustomerMetrics, Interaction
from knowledge.vocabulary import OPEN_STATUSES

M = CustomerMetrics
# Interactions that are us talking with the customer (an exported campaign mail is an email).
CONTACT_KINDS = ("email", "call", "meeting_note")
COMPLAINT_INTENTS = ("complaint", "product_defect")


# Fields read from customer_metrics: a condition without them skips the join and the refresh.
METRICS_FIELDS = frozenset(
    {
        "segment", "r_score", "f_score", "m_score", "recency_days", "ltv", "total_spent",
        "order_count", "first_order_at", "last_order_at", "f2_status", "favourite_category",
        "favourite_taste", "favourite_brand",
    }
)  # fmt: skip


def column(name: str) -> ColumnElement[Any]:
    """The SQL expression of a (non-custom) field."""
    orders = func.coalesce(M.order_count, 0)
    columns: dict[str, Any] = {
        "segment": func.coalesce(M.segment, "prospect"),
        "r_score": M.r_score,
        "f_score": func.coalesce(M.f_score, 0),
        "m_score": func.coalesce(M.m_score, 0),
        "recency_days": M.recency_days,
        "ltv": func.coalesce(M.ltv, 0),
        "total_spent": func.coalesce(M.total_spent, 0),
        "order_count": orders,
        "first_order_at": M.first_order_at,
        "last_order_at": M.last_order_at,
        "favourite_category": M.favourite_category,
        "favourite_taste": M.favourite_taste,
        "favourite_brand": M.favourite_brand,
        "region": Customer.region,
        "country": Customer.country,
        "lifecycle_stage": Customer.lifecycle_stage,
        "kind": Customer.kind,
        "language": Customer.language,
        "owner": Customer.owner,
    }
    if name in columns:
        return columns[name]  # type: ignore[no-any-return]
    if name == "f2_status":
        return case(
            (orders == 0, literal("no_orders")),
            (orders == 1, literal("first_only")),
            else_=literal("converted"),
        )
    raise KeyError(name)


def flag(name: str) -> ColumnElement[bool]:
    """The SQL truth of a boolean field (never NULL)."""
    if name == "has_email":
        return and_(Customer.email.is_not(None), Customer.email != "")
    if name == "marketing_opt_in":
        return Customer.email_opt_out == false()
    open_ = [Interaction.customer_id == Customer.id, Interaction.status.in_(OPEN_STATUSES)]
    if name == "has_open_ticket":
        return exists().where(*open_)
    if name == "has_open_complaint":
        complaint = or_(
            Interaction.intent.in_(COMPLAINT_INTENTS), Interaction.sentiment == "negative"
        )
        return exists().where(*open_, complaint)
    raise KeyError(name)


def compile_condition(node: Condition, now: datetime) -> ColumnElement[bool]:
    """The WHERE clause of a parsed condition, relative dates measured from `now`."""
    if isinstance(node, All):
        return and_(*(compile_condition(n, now) for n in node.items))
    if isinstance(node, AnyOf):
        return or_(*(compile_condition(n, now) for n in node.items))
    if isinstance(node, Not):
        return not_(compile_condition(node.item, now))
    return _rule(node, _utc(now))


def _rule(rule: Rule, now: datetime) -> ColumnElement[bool]:
    spec = field_spec(rule.field)
    assert spec is not None  # parse_condition checked it
    op, value = rule.op, rule.value
    if spec.type == "bool":
        truth = flag(rule.field)
        return truth if value else not_(truth)
    if spec.type == "custom":
        return _custom(rule.field[len(CUSTOM_PREFIX) :], op, value)
    if rule.field == "last_contacted_at":
        return _last_contacted(op, value, now)
    col = column(rule.field)
    if op == "is_set":
        return col.is_not(None) if value else col.is_(None)
    date_field = spec.type == "date"
    pred = _date_predicate(col, op, value, now) if date_field else _compare(col, op, value)
    if op in ("ne", "not_in"):  # true on a missing value: already two-valued
        return pred
    return and_(col.is_not(None), pred)


def _compare(col: ColumnElement[Any], op: str, value: Any) -> ColumnElement[bool]:
    if op == "eq":
        return col == value
    if op == "ne":
        return not_(and_(col.is_not(None), col == value))
    if op == "in":
        return col.in_(value)
    if op == "not_in":
        return not_(and_(col.is_not(None), col.in_(value)))
    if op == "lt":
        return col < value
    if op == "lte":
        return col <= value
    if op == "gt":
        return col > value
    if op == "gte":
        return col >= value
    if op == "between":
        return col.between(value[0], value[1])
    raise ValueError(f"operator {op!r} has no SQL form")


Bound = Callable[[Any], ColumnElement[bool]]


def _date_bounds(op: str, value: Any, now: datetime) -> tuple[Bound | None, Bound | None]:
    """The lower and upper bound a date operator puts on a column (None: unbounded)."""
    if op == "before":
        return None, lambda c: c < _start(value)
    if op == "after":
        # After a day means from the next day on; after a moment means strictly later.
        if isinstance(value, datetime):
            return lambda c: c > _utc(value), None
        return lambda c: c >= _start(value, 1), None
    if op == "between":
        low, high = value
        if isinstance(high, datetime):
            return lambda c: c >= _start(low), lambda c: c <= _utc(high)
        return lambda c: c >= _start(low), lambda c: c < _start(high, 1)
    if op == "within_days":
        return lambda c: c >= now - timedelta(days=value), None
    if op == "more_than_days_ago":
        return None, lambda c: c < now - timedelta(days=value)
    raise ValueError(f"operator {op!r} has no SQL form for dates")


def _date_predicate(
    col: ColumnElement[Any], op: str, value: Any, now: datetime
) -> ColumnElement[bool]:
    lower, upper = _date_bounds(op, value, now)
    return and_(*(bound(col) for bound in (lower, upper) if bound is not None))


def _last_contacted(op: str, value: Any, now: datetime) -> ColumnElement[bool]:
    """A date rule on the latest contact, as EXISTS / NOT EXISTS (no per-customer MAX).

    max(t) is above a lower bound when some t is; it is below an upper bound when there is a
    t and none above it. Both planners turn these into (anti-)semi-joins on the index.
    """

    def contact(*where: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists().where(
            Interaction.customer_id == Customer.id, Interaction.kind.in_(CONTACT_KINDS), *where
        )

    at = Interaction.occurred_at
    if op == "is_set":
        return contact() if value else not_(contact())
    lower, upper = _date_bounds(op, value, now)
    found = contact(*([lower(at)] if lower is not None else []))
    if upper is None:
        return found
    return and_(found, not_(contact(not_(upper(at)))))


def _custom(key: str, op: str, value: Any) -> ColumnElement[bool]:
    attrs = Customer.custom_attributes
    if op == "is_set":
        present = json_scalar(attrs, key, "any").is_not(None)
        return present if value else not_(present)
    values = value if isinstance(value, list) else [value]
    if op in ("eq", "in", "ne", "not_in"):
        typed = [(json_scalar(attrs, key, _json_kind(v)), v) for v in values]
        matches = or_(*(and_(x.is_not(None), x == v) for x, v in typed))
        return not_(matches) if op in ("ne", "not_in") else matches
    number = json_scalar(attrs, key, "number")
    return and_(number.is_not(None), _compare(number, op, value))


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    return "number" if isinstance(value, int | float) else "string"


class json_scalar(FunctionElement[Any]):
    """A top-level JSON attribute as SQL, NULL unless it has the JSON type asked for.

    Typed so that comparing "plan" = 5 never matches the string "5", and a number comparison
    never casts a string (PostgreSQL would raise).
    """

    # The key and kind are not part of SQLAlchemy's cache key: statements with it are not cached.
    inherit_cache = False

    def __init__(self, col: Any, key: str, kind: str) -> None:
        self.json_key, self.kind = key, kind
        super().__init__(col)
        if kind == "number":
            self.type = Float()
        elif kind == "boolean":
            self.type = Boolean()


@compiles(json_scalar, "sqlite")
def _json_scalar_sqlite(element: json_scalar, compiler: SQLCompiler, **kw: Any) -> str:
    (col,) = element.clauses
    path = literal('$."' + element.json_key.replace('"', "") + '"')
    types = {
        "number": ("integer", "real"),
        "string": ("text",),
        "boolean": ("true", "false"),
        "any": ("integer", "real", "text", "true", "false", "array", "object"),
    }[element.kind]
    expr = case((func.json_type(col, path).in_(types), func.json_extract(col, path)), else_=None)
    return compiler.process(expr, **kw)


@compiles(json_scalar, "postgresql")
def _json_scalar_pg(element: json_scalar, compiler: SQLCompiler, **kw: Any) -> str:
    (col,) = element.clauses
    key = literal(element.json_key)
    node = col.op("->")(key)
    text = col.op("->>")(key)
    types = {
        "number": ("number",),
        "string": ("string",),
        "boolean": ("boolean",),
        "any": ("number", "string", "boolean", "array", "object"),
    }[element.kind]
    value: Any = text
    if element.kind == "number":
        value = cast(text, Float)
    elif element.kind == "boolean":
        value = cast(text, Boolean)
    expr = case((func.json_typeof(node).in_(types), value), else_=None)
    return compiler.process(expr, **kw)


def _start(day: date | datetime, plus_days: int = 0) -> datetime:
    """The UTC start of a day (a date-time stands for itself)."""
    if isinstance(day, datetime):
        return _utc(day) + timedelta(days=plus_days)
    return datetime.combine(day + timedelta(days=plus_days), time(0), tzinfo=UTC)


def _utc(moment: datetime) -> datetime:
    """Aware UTC (naive values are taken as UTC, as stored)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
