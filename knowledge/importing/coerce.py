"""How a raw value (CSV text, JSON, a Python object) becomes a canonical value, or why not.

Each rule is a marker on a pydantic field of the import contract (canonical.py), e.g.
`address: Annotated[str | None, Text(500)] = None`. The rule is the field's whole validation:
it normalises the value (NFKC, case folding, `¥1,500`, `はい`) or refuses it with the reason
a person reads in the import report; the field's type only shapes the JSON schema (OpenAPI).
A blank value takes the field's default, and a field without a default is required: pydantic
reports it `missing`, which the importer words "required field is missing or empty".
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal, NoReturn, get_args, get_origin

from pydantic import Field, GetCoreSchemaHandler
from pydantic_core import CoreSchema, PydanticCustomError, PydanticUseDefault, core_schema

from knowledge.errors import RowRejected
from knowledge.normalize import canonical_email, normalize_postal_code, normalize_text

_TRUE = {"true", "1", "yes", "y", "t", "on", "はい", "済", "○"}
_FALSE = {"false", "0", "no", "n", "f", "off", "いいえ", "×"}


def refuse(reason: str, field: str | None = None, *, absolute: bool = False) -> NoReturn:
    """Refuse a value; `field` names a field below the one being checked (or, absolute, instead)."""
    raise PydanticCustomError(
        "refused", "{reason}", {"reason": reason, "field": field, "absolute": absolute}
    )


def blank() -> NoReturn:
    """No value: the field's default, or `missing` when the field has none."""
    raise PydanticUseDefault()


class Rule:
    """A field rule: `check` turns a raw value into the field's value (or refuses it)."""

    def check(self, value: Any) -> Any:
        raise NotImplementedError

    def input_type(self, source: Any) -> Any:
        """The type the JSON schema shows for this field (the field's own, by default)."""
        return source

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        # A plain validator: the rule's result is the value as is (no second coercion by the
        # type), which keeps the importer's values, and so their content hashes, unchanged.
        return core_schema.no_info_plain_validator_function(
            self.checker(source),
            json_schema_input_schema=handler.generate_schema(self.input_type(source)),
        )

    def checker(self, source: Any) -> Any:
        """The function pydantic calls (a rule that depends on the field's type overrides it)."""
        return self.check


@dataclass(frozen=True)
class Text(Rule):
    """NFKC text, inner whitespace collapsed; refused when longer than max_len."""

    max_len: int = 255
    upper: bool = False

    def check(self, value: Any) -> str:
        out = normalize_text(None if value is None else str(value))
        if out is None:
            blank()
        if len(out) > self.max_len:
            refuse(f"longer than {self.max_len} characters")
        return out.upper() if self.upper else out

    def input_type(self, source: Any) -> Any:
        return Annotated[source, Field(max_length=self.max_len)]


@dataclass(frozen=True)
class Body(Rule):
    """Long free text: width-normalised, line breaks kept."""

    def check(self, value: Any) -> str:
        if value is None or not str(value).strip():
            blank()
        return unicodedata.normalize("NFKC", str(value)).strip()


@dataclass(frozen=True)
class Choice(Rule):
    """One of the values of the field's Literal type (case, width, `-` and spaces folded)."""

    def checker(self, source: Any) -> Any:
        options = _literal_values(source)

        def check(value: Any) -> str:
            out = normalize_text(None if value is None else str(value))
            if out is None:
                blank()
            out = out.lower().replace(" ", "_").replace("-", "_")
            if out not in options:
                refuse(f"{out!r} is not one of {', '.join(options)}")
            return out

        return check


def _literal_values(tp: Any) -> tuple[str, ...]:
    if get_origin(tp) is Literal:
        return get_args(tp)
    return tuple(v for arg in get_args(tp) for v in _literal_values(arg))


def to_decimal(value: Any) -> Decimal | None:
    """A decimal amount (commas, ¥, $ and 円 allowed) rounded to 0.01; None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        refuse(f"{value!r} is not a number")
    raw = normalize_text(str(value)) or ""
    cleaned = raw.replace(",", "").replace("¥", "").replace("$", "").replace("円", "").strip()
    try:
        out = Decimal(cleaned)
    except InvalidOperation:
        refuse(f"{raw!r} is not a number")
    if not out.is_finite():
        refuse(f"{raw!r} is not a finite number")
    return out.quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Amount(Rule):
    """A decimal amount: `1,500`, `¥1500`, `1500円`."""

    def check(self, value: Any) -> Decimal:
        out = to_decimal(value)
        if out is None:
            blank()
        return out


@dataclass(frozen=True)
class Whole(Rule):
    """A whole number (written as one: `3`, `3.0`, `1,200`)."""

    def check(self, value: Any) -> int:
        amount = to_decimal(value)
        if amount is None:
            blank()
        if amount != amount.to_integral_value():
            refuse(f"{value!r} is not a whole number")
        return int(amount)


@dataclass(frozen=True)
class Flag(Rule):
    """true/false, 1/0, yes/no, はい/いいえ."""

    def check(self, value: Any) -> bool:
        if value is None or value == "":
            blank()
        if isinstance(value, bool):
            return value
        out = (normalize_text(str(value)) or "").lower()
        if out in _TRUE:
            return True
        if out in _FALSE:
            return False
        refuse(f"{value!r} is not true/false")


@dataclass(frozen=True)
class When(Rule):
    """ISO 8601 date or date-time (also 2024/03/01), stored in UTC."""

    def check(self, value: Any) -> datetime:
        if isinstance(value, datetime):
            return _as_utc(value)
        out = normalize_text(None if value is None else str(value))
        if out is None:
            blank()
        candidate = out.replace("/", "-").replace("Z", "+00:00")
        try:
            parsed = datetime.fromisoformat(candidate)
        except ValueError:
            refuse(f"{out!r} is not an ISO 8601 date or date-time")
        return _as_utc(parsed)


def _as_utc(value: datetime) -> datetime:
    # Stored in UTC on every backend: SQLite keeps no offset, so a +09:00 time kept as is
    # would read back nine hours off. A time without an offset is taken as UTC already.
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is past the last date Python can hold
        refuse(f"{value.isoformat()} is out of range once in UTC")


@dataclass(frozen=True)
class JsonObject(Rule):
    """A dict, or a JSON object written as text (CSV)."""

    def check(self, value: Any) -> dict[str, Any]:
        if value is None or value == "":
            blank()
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as e:
                refuse(f"not a JSON object: {e.msg}")
        if not isinstance(value, dict):
            refuse("must be an object (key: value)")
        return value


def to_list(value: Any) -> Any:
    """A list from a JSON list written as text or comma-separated text; other values as they are."""
    if value is None or value == "":
        blank()
    if not isinstance(value, str):
        return value
    stripped = value.strip()
    if not stripped.startswith("["):
        return [t for t in (normalize_text(p) for p in stripped.split(",")) if t]
    try:
        return json.loads(stripped)
    except json.JSONDecodeError as e:
        refuse(f"not a JSON list: {e.msg}")


@dataclass(frozen=True)
class Tags(Rule):
    """A list of texts: a list, a JSON list written as text, or `a,b`."""

    def check(self, value: Any) -> list[str]:
        out = to_list(value)
        if not isinstance(out, list):
            refuse("must be a list")
        return [str(t) for t in out]


@dataclass(frozen=True)
class Email(Rule):
    """Lower-cased, checked e-mail address."""

    def check(self, value: Any) -> str:
        try:
            out = canonical_email(value)
        except RowRejected as e:
            refuse(e.reason)
        if out is None:
            blank()
        return out


@dataclass(frozen=True)
class PostalCode(Rule):
    """Letters and digits only, upper-cased (〒150-0001 → 1500001)."""

    def check(self, value: Any) -> str:
        out = normalize_postal_code(value)
        if out is None:
            blank()
        return out
