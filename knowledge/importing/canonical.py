"""The import contract (docs/imports.md): one pydantic model per canonical record.

The importer validates every record with these models and the HTTP API declares its request
bodies with them (api/schemas.py), so both accept the same records. `validate(entity, record)`
turns one canonical dict (as read from CSV, JSON or an API call) into typed values ready for
the database, or raises RowRejected naming the field, as the import report shows it.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from knowledge.errors import RowRejected
from knowledge.importing.coerce import (
    Amount,
    Body,
    Choice,
    Email,
    Flag,
    JsonObject,
    PostalCode,
    Tags,
    Text,
    When,
    Whole,
    refuse,
    to_list,
)
from knowledge.normalize import canonical_phone, name_key
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
    ArticleKind,
    CustomerKind,
    Entity,
    InteractionKind,
    InteractionStatus,
    Language,
    LifecycleStage,
    OrderChannel,
    Phase,
)

# The value lists are knowledge/vocabulary.py's; importers of this module find them here too.
__all__ = [
    "ARTICLE_KINDS", "CHANNELS", "CUSTOMER_KINDS", "ENTITIES", "INTERACTION_KINDS",
    "INTERACTION_STATUS", "LANGUAGES", "LIFECYCLE", "LINE_FIELDS", "PHASES", "RECORDS",
    "CanonicalArticle", "CanonicalContact", "CanonicalCustomer", "CanonicalInteraction",
    "CanonicalOrder", "CanonicalOrderLine", "CanonicalProduct", "CanonicalRecord", "Entity",
    "external_id", "parse", "rejection", "validate",
]  # fmt: skip

LINE_FIELDS = (
    "sku", "product_name", "category", "brand", "taste", "quantity", "unit_price", "amount",
    "gross_margin",
)  # fmt: skip

# The shapes of the fields, each with the rule that reads it (knowledge/importing/coerce.py).
Id = Annotated[str, Text()]  # a field without a default is required
OptionalId = Annotated[str | None, Text()]
RequiredText = Annotated[str, Text()]
OptionalText = Annotated[str | None, Text()]
Short = Annotated[str | None, Text(100)]
Money = Annotated[Decimal | None, Amount()]


class CanonicalRecord(BaseModel):
    """A canonical record: unknown fields are refused, not dropped."""

    model_config = ConfigDict(extra="forbid")
    # Top-level fields a record may carry besides its own (a flat CSV order row's line).
    flat_fields: ClassVar[tuple[str, ...]] = ()

    external_id: Id

    def values(self) -> dict[str, Any]:
        """The typed values the writers store (external_id is the key, not a value)."""
        out = self.__dict__.copy()  # the fields' values as validated (no serialisation)
        del out["external_id"]
        return out


def _phone(value: Any, info: ValidationInfo) -> str | None:
    # National numbers are read in the record's country (a customer's), else Japan's.
    try:
        return canonical_phone(value, info.data.get("country") or "JP")
    except RowRejected as e:
        refuse(e.reason)


class CanonicalCustomer(CanonicalRecord):
    """A person or a company (the 名寄せ key is derived from the name and its reading)."""

    name: RequiredText
    name_kana: OptionalText = None
    country: Annotated[str | None, Text(2, upper=True)] = None
    kind: Annotated[CustomerKind, Choice()] = "person"
    email: Annotated[str | None, Email()] = None
    phone: str | None = None
    postal_code: Annotated[str | None, PostalCode()] = None
    address: Annotated[str | None, Text(500)] = None
    region: Short = None
    language: Annotated[Language, Choice()] = "ja"
    age_band: Annotated[str | None, Text(16)] = None
    gender: Annotated[str | None, Text(16)] = None
    industry: Short = None
    company_size: Annotated[str | None, Text(32)] = None
    annual_revenue: Money = None
    lifecycle_stage: Annotated[LifecycleStage, Choice()] = "customer"
    owner: Short = None  # the user (API key `user`) who owns the customer
    team: Short = None  # the team the customer belongs to (API keys' `teams`)
    email_opt_out: Annotated[bool, Flag()] = False
    custom_attributes: Annotated[dict[str, Any], JsonObject()] = Field(default_factory=dict)

    check_phone = field_validator("phone", mode="before")(_phone)

    def values(self) -> dict[str, Any]:
        out = super().values()
        out["name_key"] = name_key(self.name, self.name_kana)
        return out


class CanonicalContact(CanonicalRecord):
    """A person at a company customer."""

    customer_external_id: Id
    name: RequiredText
    name_kana: OptionalText = None
    role: Short = None
    email: Annotated[str | None, Email()] = None
    phone: str | None = None
    is_decision_maker: Annotated[bool, Flag()] = False

    check_phone = field_validator("phone", mode="before")(_phone)


class CanonicalProduct(CanonicalRecord):
    """A catalogue item; its external_id is the SKU, global across sources."""

    external_id: Annotated[str, Text(64)]
    name: RequiredText
    category: Short = None
    brand: Short = None
    taste: Short = None
    unit_price: Money = None
    unit_cost: Money = None
    attributes: Annotated[dict[str, Any], JsonObject()] = Field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        out = super().values()
        return {"sku": self.external_id, **out}


class CanonicalOrderLine(BaseModel):
    """One line of an order: a product (by SKU or name), how many, at what price."""

    model_config = ConfigDict(extra="forbid")

    sku: Annotated[str | None, Text(64)] = None
    product_name: OptionalText = None
    category: Short = None
    brand: Short = None
    taste: Short = None
    quantity: Annotated[int, Whole()] = 1
    unit_price: Money = None
    amount: Money = None
    gross_margin: Money = None

    @model_validator(mode="before")
    @classmethod
    def _an_object_of_line_fields(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            refuse("an order line must be an object")
        unknown = sorted(k for k in data if k not in LINE_FIELDS)
        if unknown:
            refuse(_unknown(unknown, set(LINE_FIELDS)), unknown[0], absolute=True)
        return data

    @model_validator(mode="after")
    def _priced_and_named(self) -> CanonicalOrderLine:
        if self.unit_price is None and self.amount is None:
            refuse("a line needs unit_price or amount", "unit_price")
        if self.amount is None:
            self.amount = (self.unit_price or Decimal(0)) * self.quantity
        if self.unit_price is None:
            self.unit_price = (
                (self.amount / self.quantity).quantize(Decimal("0.01"))
                if self.quantity
                else self.amount
            )
        if self.sku is None and self.product_name is None:
            refuse("a line needs sku or product_name", "product_name")
        return self


def _lines(value: Any) -> list[Any]:
    out = to_list(value) if value else []
    if not isinstance(out, list):
        refuse("must be a list")
    return out


class CanonicalOrder(CanonicalRecord):
    """An order with its lines; totals default to the sums of the lines."""

    flat_fields = LINE_FIELDS

    # The lines first: a row with a bad line and another bad field names the line.
    lines: list[CanonicalOrderLine] = Field(default_factory=list)
    total_amount: Money = None
    gross_margin: Money = None
    currency: Annotated[str, Text(3, upper=True)] = "JPY"
    customer_external_id: Id
    order_number: Annotated[str | None, Text(64)] = None
    ordered_at: Annotated[datetime | None, When()] = None
    channel: Annotated[OrderChannel | None, Choice()] = None
    status: Annotated[str | None, Text(32)] = None

    @model_validator(mode="before")
    @classmethod
    def _flat_row_is_one_line(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not any(k in data for k in LINE_FIELDS):
            return data
        record = {k: v for k, v in data.items() if k not in LINE_FIELDS or k == "gross_margin"}
        if data.get("lines") in (None, "") and any(
            data.get(k) not in (None, "") for k in LINE_FIELDS
        ):
            # A flat row (CSV) with line columns is a one-line order.
            record["lines"] = [{k: data[k] for k in LINE_FIELDS if k in data}]
        return record

    check_lines = field_validator("lines", mode="before")(_lines)

    def values(self) -> dict[str, Any]:
        out = super().values()
        lines = [line.__dict__.copy() for line in self.lines]
        out["lines"] = lines
        if self.total_amount is None:
            out["total_amount"] = sum((x["amount"] for x in lines), Decimal("0.00"))
        margins = [x["gross_margin"] for x in lines]
        if self.gross_margin is None and lines and None not in margins:
            out["gross_margin"] = sum((x["gross_margin"] for x in lines), Decimal("0.00"))
        return out


class CanonicalInteraction(CanonicalRecord):
    """One conversation, ticket, review, note... with a customer."""

    customer_external_id: Id
    contact_external_id: OptionalId = None
    kind: Annotated[InteractionKind, Choice()]
    phase: Annotated[Phase | None, Choice()] = None
    channel: Annotated[str | None, Text(32)] = None
    occurred_at: Annotated[datetime, When()]
    author: OptionalText = None
    subject: Annotated[str | None, Text(500)] = None
    body: Annotated[str, Body()]
    rating: Annotated[int | None, Whole()] = None
    status: Annotated[InteractionStatus | None, Choice()] = None
    language: Annotated[Language | None, Choice()] = None


class CanonicalArticle(CanonicalRecord):
    """A knowledge-base article: FAQ, manual or policy."""

    kind: Annotated[ArticleKind, Choice()]
    title: Annotated[str, Text(500)]
    body: Annotated[str, Body()]
    language: Annotated[Language | None, Choice()] = None
    tags: Annotated[list[str], Tags()] = Field(default_factory=list)


RECORDS: dict[str, type[CanonicalRecord]] = {
    "customer": CanonicalCustomer,
    "contact": CanonicalContact,
    "product": CanonicalProduct,
    "order": CanonicalOrder,
    "interaction": CanonicalInteraction,
    "article": CanonicalArticle,
}
_ALLOWED = {e: set(m.model_fields) | set(m.flat_fields) for e, m in RECORDS.items()}


class _Key(BaseModel):
    external_id: Id


def external_id(record: dict[str, Any]) -> str:
    """The record's id in its source system (required, any scalar)."""
    try:
        return _Key.model_validate(record).external_id
    except ValidationError as e:
        raise rejection(e) from None


def parse(entity: str, record: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The external id and typed values of one record; RowRejected names the first bad field."""
    model = RECORDS.get(entity)
    if model is None:
        raise ValueError(f"unknown entity {entity!r}; expected one of {', '.join(ENTITIES)}")
    allowed = _ALLOWED[entity]
    unknown = sorted(k for k in record if k not in allowed)
    if unknown:
        external_id(record)  # a bad id is named before unknown fields, as it always was
        raise RowRejected(_unknown(unknown, allowed), field=unknown[0])
    try:
        parsed = model.model_validate(record)
    except ValidationError as e:
        raise rejection(e) from None
    return parsed.external_id, parsed.values()


def validate(entity: str, record: dict[str, Any]) -> dict[str, Any]:
    """Typed values of one canonical record; RowRejected names the first bad field."""
    return parse(entity, record)[1]


def rejection(error: ValidationError) -> RowRejected:
    """The first error of a record's validation as the import report words it (field, reason)."""
    first = error.errors(include_url=False)[0]
    ctx = first.get("ctx") or {}
    loc: list[str | int] = [] if ctx.get("absolute") else list(first["loc"])
    if ctx.get("field"):
        loc.append(ctx["field"])
    reason = "required field is missing or empty" if first["type"] == "missing" else first["msg"]
    return RowRejected(reason, field=_dotted(loc) or None)


def _dotted(loc: list[str | int]) -> str:
    # ("lines", 1, "unit_price") -> "lines[1].unit_price", as the report has always named it.
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _unknown(unknown: list[str], allowed: set[str]) -> str:
    return f"unknown field(s) {', '.join(unknown)}; expected some of {', '.join(sorted(allowed))}"
