"""A campaign as data: entry (audience or date trigger), ordered steps, offers, exits, holdout.

Validated with pydantic; `parse_definition` turns its errors into one CampaignError whose
message names the JSON path ("steps.1.offer.value: ...").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from knowledge.audience_conditions import parse_condition, to_json
from knowledge.errors import CampaignError, InvalidCondition

# Customer dates a trigger can count from (computed from orders, the customer row, or the
# event of a support record being resolved).
TriggerField = Literal[
    "first_order_at", "last_order_at", "customer_created_at", "ticket_resolved_at"
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Offer(_Strict):
    """The only offer a step's drafts may make: exactly this code, value, validity, conditions."""

    code: str = Field(pattern=r"^[A-Z0-9][A-Z0-9_-]{2,31}$", examples=["WELCOME10"])
    kind: Literal["percent", "amount"]
    value: Decimal = Field(gt=0)
    currency: str = Field(default="JPY", pattern=r"^[A-Z]{3}$")
    valid_until: date
    conditions: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _percent_at_most_100(self) -> Offer:
        if self.kind == "percent" and self.value > 100:
            raise ValueError("a percent offer is at most 100")
        return self


class Trigger(_Strict):
    """Enter on a customer's date: steps count their delays from that date."""

    field: TriggerField
    # Only dates this recent enter, so a new campaign does not enrol years of old customers.
    within_days: int = Field(default=60, ge=1, le=3650)


class Step(_Strict):
    purpose: str = Field(min_length=1, max_length=32)  # a vocabulary purpose or "custom"
    delay_days: int = Field(ge=0, le=3650)
    send_time: str | None = Field(default=None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    f2_step: int | None = Field(default=None, ge=1, le=3)  # which F2 template step
    tone: str = "polite"
    length: str = "short"
    offer: Offer | None = None
    # A custom step's frame ($name, $last_product, $favourite ... as in email_templates.yaml).
    subject: str | None = Field(default=None, max_length=200)
    personal: str | None = Field(default=None, max_length=500)
    instruction: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _custom_has_frame(self) -> Step:
        if self.purpose == "custom" and not (self.subject and self.personal):
            raise ValueError("a custom step needs subject and personal")
        return self


class CampaignDefinition(_Strict):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=1000)
    audience_id: int | None = Field(default=None, ge=1)
    trigger: Trigger | None = None
    steps: list[Step] = Field(min_length=1, max_length=10)
    # An audience condition (knowledge.audiences): a customer who matches it leaves.
    exit_when: dict[str, Any] | None = None
    holdout_percent: int = Field(default=0, ge=0, le=50)
    attribution_days: int = Field(default=14, ge=1, le=365)
    send_time: str = Field(default="10:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    timezone: str = "Asia/Tokyo"
    language: Literal["ja", "en"] | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"unknown time zone {value!r}") from e
        return value

    @field_validator("exit_when")
    @classmethod
    def _valid_condition(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        try:
            return to_json(parse_condition(value, path="exit_when"))
        except InvalidCondition as e:
            raise ValueError(str(e)) from e

    @model_validator(mode="after")
    def _entry_and_order(self) -> CampaignDefinition:
        if self.audience_id is None and self.trigger is None:
            raise ValueError("a campaign needs audience_id or trigger (or both)")
        delays = [s.delay_days for s in self.steps]
        if delays != sorted(delays):
            raise ValueError("steps must be in order of delay_days")
        return self

    def due_at(self, entered_at: datetime, step: Step) -> datetime:
        """When a step is due (UTC): the entry's local date + delay, at the step's send time."""
        zone = ZoneInfo(self.timezone)
        day = entered_at.astimezone(zone).date() + timedelta(days=step.delay_days)
        hh, mm = (int(p) for p in (step.send_time or self.send_time).split(":"))
        # In UTC: SQLite stores datetimes without their offset.
        return datetime.combine(day, time(hh, mm), tzinfo=zone).astimezone(UTC)


def parse_definition(data: Any) -> CampaignDefinition:
    """The definition, or CampaignError naming the JSON path of each problem."""
    try:
        return CampaignDefinition.model_validate(data)
    except ValidationError as e:
        problems = [
            f"{'.'.join(str(p) for p in err['loc']) or '(campaign)'}: {err['msg']}"
            for err in e.errors()
        ]
        raise CampaignError("invalid campaign: " + "; ".join(problems)) from e
