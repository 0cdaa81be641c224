"""Plain typed records handed out by knowledge/: the form every higher layer consumes.

Record ids used across layers (citations, search hits) are strings:
``interaction:{id}``, ``article:{id}``, ``order:{id}``, ``customer:{id}``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from knowledge.vocabulary import CustomerKind, Segment


class Record(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class ContactRecord(Record):
    id: int
    customer_id: int
    name: str
    name_kana: str | None = None
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    is_decision_maker: bool = False


class CustomerRecord(Record):
    id: int
    kind: CustomerKind = "person"
    name: str
    name_kana: str | None = None
    email: str | None = None
    phone: str | None = None
    postal_code: str | None = None
    address: str | None = None
    region: str | None = None
    country: str | None = None
    language: str = "ja"
    age_band: str | None = None
    gender: str | None = None
    industry: str | None = None
    company_size: str | None = None
    annual_revenue: Decimal | None = None
    lifecycle_stage: str = "customer"
    owner: str | None = None
    team: str | None = None
    email_opt_out: bool = False
    custom_attributes: dict[str, Any] = Field(default_factory=dict)
    merged_into_id: int | None = None

    @property
    def record_id(self) -> str:
        return f"customer:{self.id}"


class OrderLineRecord(Record):
    product_name: str
    sku: str | None = None
    category: str | None = None
    brand: str | None = None
    taste: str | None = None
    quantity: int = 1
    unit_price: Decimal = Decimal("0")
    amount: Decimal = Decimal("0")
    gross_margin: Decimal | None = None


class OrderRecord(Record):
    id: int
    customer_id: int
    order_number: str | None = None
    ordered_at: datetime | None = None
    channel: str | None = None
    status: str | None = None
    currency: str = "JPY"
    total_amount: Decimal = Decimal("0")
    gross_margin: Decimal | None = None
    lines: list[OrderLineRecord] = Field(default_factory=list)

    @property
    def record_id(self) -> str:
        return f"order:{self.id}"


class InteractionRecord(Record):
    id: int
    customer_id: int
    contact_id: int | None = None
    kind: str
    phase: str | None = None
    channel: str | None = None
    occurred_at: datetime
    author: str | None = None
    subject: str | None = None
    body: str
    rating: int | None = None
    status: str | None = None
    language: str | None = None
    sentiment: str | None = None
    intent: str | None = None
    injection_flags: str | None = None  # why its text reads as addressed to an AI, or None
    updated_at: datetime | None = None

    @property
    def record_id(self) -> str:
        return f"interaction:{self.id}"

    @property
    def flagged(self) -> bool:
        """Whether enrichment found text addressed to an AI assistant in this record."""
        return self.injection_flags is not None


class ArticleRecord(Record):
    id: int
    kind: str
    title: str
    body: str
    language: str | None = None
    tags: list[str] = Field(default_factory=list)
    updated_at: datetime | None = None

    @property
    def record_id(self) -> str:
        return f"article:{self.id}"


class RFMScore(Record):
    """Scores 1..rfm_bins (best = rfm_bins); recency_days and r are None without a dated order,
    f and m are 0 for a prospect (no orders)."""

    recency_days: int | None
    frequency: int
    monetary: Decimal
    r: int | None
    f: int
    m: int
    segment: Segment


class LTV(Record):
    """LTV = average order value × gross-margin rate × orders per year × expected years."""

    average_order_value: Decimal
    gross_margin_rate: float
    orders_per_year: float
    expected_years: float
    value: Decimal


class CTBPreferences(Record):
    """Top category, taste and brand by amount spent."""

    category: str | None = None
    taste: str | None = None
    brand: str | None = None


class F2Status(Record):
    """First-to-second purchase: has the customer come back after the first order?"""

    first_order_at: datetime | None = None
    second_order_at: datetime | None = None
    converted: bool = False
    days_to_second: int | None = None


class CustomerFacts(Record):
    """Derived facts, computed from SQL by knowledge/analytics."""

    order_count: int = 0
    total_spent: Decimal = Decimal("0")
    currency: str = "JPY"
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    rfm: RFMScore | None = None
    ltv: LTV | None = None
    ctb: CTBPreferences = Field(default_factory=CTBPreferences)
    f2: F2Status = Field(default_factory=F2Status)
    open_tickets: int = 0
    reference_date: date | None = None


class CustomerProfile(Record):
    """Everything later layers need about one customer, in one typed object."""

    customer: CustomerRecord
    contacts: list[ContactRecord] = Field(default_factory=list)
    facts: CustomerFacts = Field(default_factory=CustomerFacts)
    recent_orders: list[OrderRecord] = Field(default_factory=list)
    latest_interactions: list[InteractionRecord] = Field(default_factory=list)
    open_interactions: list[InteractionRecord] = Field(default_factory=list)
    source_ids: list[tuple[str, str]] = Field(default_factory=list)  # (source, external id)


class SegmentRow(Record):
    """One line of the segment summary: how many customers, what they spent, their LTV."""

    segment: Segment
    customers: int
    share: float  # of all active customers
    revenue: Decimal
    average_ltv: Decimal


class F2Cohort(Record):
    """First-to-second purchase conversion of the customers whose first order fell in a month."""

    cohort: str  # "YYYY-MM" of the first dated order, or "undated"
    customers: int
    converted: int
    rate: float
    median_days_to_second: float | None = None


class BasketPair(Record):
    """Two items bought in the same order: support, confidence both ways, lift."""

    item_a: str
    item_b: str
    orders: int
    support: float
    confidence_a_to_b: float
    confidence_b_to_a: float
    lift: float
