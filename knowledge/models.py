"""SQLAlchemy 2.0 ORM rows: the system of record. ORM objects never leave knowledge/."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

Money = Numeric(14, 2)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Customer(TimestampMixin, Base):
    """A person (B2C) or a company (B2B)."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="person")  # person | company
    name: Mapped[str] = mapped_column(String(255))
    name_kana: Mapped[str | None] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255), default="", index=True)
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    phone: Mapped[str | None] = mapped_column(String(32), index=True)  # E.164
    postal_code: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(500))
    region: Mapped[str | None] = mapped_column(String(100))  # prefecture / state
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    language: Mapped[str] = mapped_column(String(8), default="ja")
    age_band: Mapped[str | None] = mapped_column(String(16))
    gender: Mapped[str | None] = mapped_column(String(16))
    industry: Mapped[str | None] = mapped_column(String(100))
    company_size: Mapped[str | None] = mapped_column(String(32))
    annual_revenue: Mapped[Decimal | None] = mapped_column(Money)
    lifecycle_stage: Mapped[str] = mapped_column(String(16), default="customer")
    owner: Mapped[str | None] = mapped_column(String(100))  # a key's user identity
    team: Mapped[str | None] = mapped_column(String(100), index=True)
    email_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    custom_attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # 名寄せ: a merged customer is kept (for undo) and points at the survivor.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )

    contacts: Mapped[list[Contact]] = relationship(back_populates="customer")
    orders: Mapped[list[Order]] = relationship(back_populates="customer")
    interactions: Mapped[list[Interaction]] = relationship(back_populates="customer")


class Contact(TimestampMixin, Base):
    """A person at a company customer."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    name_kana: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    is_decision_maker: Mapped[bool] = mapped_column(Boolean, default=False)

    customer: Mapped[Customer] = relationship(back_populates="contacts")


class SourceRecord(Base):
    """Which source system knows an entity under which id: the key of idempotent import."""

    __tablename__ = "source_records"
    __table_args__ = (UniqueConstraint("entity", "source", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))  # customer | order | interaction | ...
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(255))
    entity_id: Mapped[int] = mapped_column(Integer, index=True)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class Product(TimestampMixin, Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    category: Mapped[str | None] = mapped_column(String(100))
    brand: Mapped[str | None] = mapped_column(String(100))
    taste: Mapped[str | None] = mapped_column(String(100))
    unit_price: Mapped[Decimal | None] = mapped_column(Money)
    unit_cost: Mapped[Decimal | None] = mapped_column(Money)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Order(TimestampMixin, Base):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    order_number: Mapped[str | None] = mapped_column(String(64))
    ordered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    channel: Mapped[str | None] = mapped_column(String(16))  # store | ec | sales
    status: Mapped[str | None] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3), default="JPY")
    total_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    gross_margin: Mapped[Decimal | None] = mapped_column(Money)  # amount, not a rate

    customer: Mapped[Customer] = relationship(back_populates="orders")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan"
    )


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    product_name: Mapped[str] = mapped_column(String(255))
    category: Mapped[str | None] = mapped_column(String(100))
    brand: Mapped[str | None] = mapped_column(String(100))
    taste: Mapped[str | None] = mapped_column(String(100))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    gross_margin: Mapped[Decimal | None] = mapped_column(Money)

    order: Mapped[Order] = relationship(back_populates="lines")


class Interaction(TimestampMixin, Base):
    """The qualitative record: what the customer said, or what we noted about them."""

    __tablename__ = "interactions"
    __table_args__ = (Index("ix_interactions_customer_time", "customer_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    # inquiry | ticket | review | meeting_note | call | email | chat | survey | store_visit
    kind: Mapped[str] = mapped_column(String(32))
    phase: Mapped[str | None] = mapped_column(String(16))  # marketing | sales | support | success
    channel: Mapped[str | None] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    author: Mapped[str | None] = mapped_column(String(255))
    subject: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    rating: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str | None] = mapped_column(String(32))  # open | pending | resolved | closed
    language: Mapped[str | None] = mapped_column(String(8))
    # Enrichment (assistant/enrich writes these through knowledge functions).
    sentiment: Mapped[str | None] = mapped_column(String(16))
    intent: Mapped[str | None] = mapped_column(String(32))
    enriched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Text addressed to an AI assistant (knowledge/injection.py), found at enrichment:
    # the reasons, comma-joined ("marker,address"); NULL when the text is clean.
    injection_flags: Mapped[str | None] = mapped_column(String(64))

    customer: Mapped[Customer] = relationship(back_populates="interactions")


class Article(TimestampMixin, Base):
    """A knowledge-base article (FAQ, manual, policy): indexed like interactions, no customer."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # faq | manual | policy
    title: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    tags: Mapped[list[Any]] = mapped_column(default=list)


class ImportRun(Base):
    """The import log: one row per file or batch imported."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    file: Mapped[str | None] = mapped_column(String(1000))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | done | failed
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class QuarantinedRow(Base):
    """A rejected input row, kept whole with where and why it was rejected."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_run_id: Mapped[int] = mapped_column(ForeignKey("import_runs.id"), index=True)
    file: Mapped[str | None] = mapped_column(String(1000))
    row_number: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)


class MergeLog(Base):
    """One 名寄せ merge: who was merged into whom, why, and what moved (so it can be undone)."""

    __tablename__ = "merge_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    score: Mapped[float]
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    moved: Mapped[dict[str, Any]] = mapped_column(default=dict)  # table -> ids moved
    survivor_before: Mapped[dict[str, Any]] = mapped_column(default=dict)
    merged_by: Mapped[str | None] = mapped_column(String(100))
    merged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)  # shown, for lookup
    key_hash: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))  # agent | sales | marketing | admin
    user: Mapped[str | None] = mapped_column(String(100))  # matches customers.owner
    teams: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")  # customers.team
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(Base):
    """Every generation and every read of customer data: who, when, what, which customer.

    Generations carry an output_id (feedback refers to it) and the model; reads have neither.
    Rows hold ids, never customer texts or search queries (those are personal data).
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(String(100))  # the key's name, for people to read
    key_id: Mapped[int | None] = mapped_column(Integer, index=True)  # the key, for code
    action: Mapped[str] = mapped_column(String(64))  # answer | brief | ... | view_profile | ...
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    cited_records: Mapped[list[Any]] = mapped_column(default=list)
    model: Mapped[str | None] = mapped_column(String(255))
    output_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    output_id: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    rating: Mapped[int | None] = mapped_column(Integer)  # +1 / -1
    edited_text: Mapped[str | None] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class KnowledgeGap(Base):
    """A question the knowledge base could not answer, counted by normalised text."""

    __tablename__ = "knowledge_gaps"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_key: Mapped[str] = mapped_column(String(500), unique=True)
    question: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ConversationTurn(Base):
    """Multi-turn chat memory: one row per question or answer."""

    __tablename__ = "conversation_turns"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    customer_id: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # user | assistant
    text: Mapped[str] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(String(100))
    key_id: Mapped[int | None] = mapped_column(Integer)  # who owns the conversation
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


# --- Audiences (issue 12): derived facts to filter on, and saved audiences -------------------


class CustomerMetrics(Base):
    """Per-customer analytics stored for audience conditions, refreshed when the data changes.

    RFM scores are quantiles over the whole population and CTB picks a top value per customer:
    computed in Python by knowledge/analytics, so they are stored here to be filtered in SQL
    (knowledge/customer_metrics.py keeps them current).
    """

    __tablename__ = "customer_metrics"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    order_count: Mapped[int] = mapped_column(Integer, default=0)
    total_spent: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    first_order_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_order_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    recency_days: Mapped[int | None] = mapped_column(Integer)
    r_score: Mapped[int | None] = mapped_column(Integer)
    f_score: Mapped[int | None] = mapped_column(Integer)
    m_score: Mapped[int | None] = mapped_column(Integer)
    segment: Mapped[str] = mapped_column(String(16), index=True)
    ltv: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    favourite_category: Mapped[str | None] = mapped_column(String(100))
    favourite_taste: Mapped[str | None] = mapped_column(String(100))
    favourite_brand: Mapped[str | None] = mapped_column(String(100))


class MetricsState(Base):
    """When customer_metrics was computed and from which state of the data (one row)."""

    __tablename__ = "customer_metrics_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[list[Any]] = mapped_column(default=list)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    customers: Mapped[int] = mapped_column(Integer, default=0)


class Audience(TimestampMixin, Base):
    """A saved, named audience: a condition (knowledge/audience_conditions.py) kept as JSON."""

    __tablename__ = "audiences"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    condition: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[str | None] = mapped_column(String(100))
