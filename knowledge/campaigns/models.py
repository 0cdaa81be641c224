"""Campaign rows: the definition, who entered, each (customer, step) message, its delivery
events, and the runs that drafted them. Imports Base so alembic sees one metadata."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.models import Base


class Campaign(Base):
    """A step-mail sequence; `definition` is the validated CampaignDefinition as JSON."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Enrolment(Base):
    """One customer in one campaign: when they entered, whether held out, when and why they left."""

    __tablename__ = "campaign_enrolments"
    __table_args__ = (UniqueConstraint("campaign_id", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    holdout: Mapped[bool] = mapped_column(Boolean, default=False)
    exited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    exit_reason: Mapped[str | None] = mapped_column(String(32))


class Message(Base):
    """One (campaign, step, customer): queued, skipped (why), or a draft through its statuses.

    The unique key is what makes the scheduler idempotent: a second run finds the row.
    """

    __tablename__ = "campaign_messages"
    __table_args__ = (UniqueConstraint("campaign_id", "step_index", "customer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    step_index: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    # queued | skipped | draft | approved | edited | rejected | exported
    status: Mapped[str] = mapped_column(String(16), index=True)
    skip_reason: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(320))
    name: Mapped[str | None] = mapped_column(String(255))
    subject: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str | None] = mapped_column(Text)
    citations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    offer: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    model: Mapped[str | None] = mapped_column(String(255))
    output_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    scheduled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    drafted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    exported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    interaction_id: Mapped[int | None] = mapped_column(Integer)


class DeliveryEvent(Base):
    """What the delivery tool reported for a message; one row per (message, event)."""

    __tablename__ = "campaign_events"
    __table_args__ = (UniqueConstraint("message_id", "event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("campaign_messages.id"), index=True)
    event: Mapped[str] = mapped_column(String(16))  # sent | opened | clicked | bounced | unsub..
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CampaignRun(Base):
    """A drafting run (a background job): progress, cancel flag, outcome."""

    __tablename__ = "campaign_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # queued | running | done | failed | cancelled
    clock: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    code_only: Mapped[bool] = mapped_column(Boolean, default=False)
    entered: Mapped[int] = mapped_column(Integer, default=0)
    exited: Mapped[int] = mapped_column(Integer, default=0)
    queued: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)
    started_by: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
