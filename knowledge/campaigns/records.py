"""Plain records of campaigns, drafts and runs handed to the upper layers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from knowledge.records import Record

DraftStatus = Literal["queued", "skipped", "draft", "approved", "edited", "rejected", "exported"]
DRAFT_STATUSES: tuple[str, ...] = (
    "queued",
    "skipped",
    "draft",
    "approved",
    "edited",
    "rejected",
    "exported",
)
RunStatus = Literal["queued", "running", "done", "failed", "cancelled"]
DeliveryEventKind = Literal["sent", "opened", "clicked", "bounced", "unsubscribed"]
EVENTS: tuple[str, ...] = ("sent", "opened", "clicked", "bounced", "unsubscribed")


class CampaignRecord(Record):
    id: int
    name: str
    definition: dict[str, Any]
    created_by: str | None = None
    created_at: datetime | None = None
    counts: dict[str, int] = Field(default_factory=dict)


class DraftRecord(Record):
    id: int
    campaign_id: int
    step_index: int
    purpose: str = ""
    customer_id: int
    name: str | None = None
    email: str | None = None
    status: DraftStatus
    skip_reason: str | None = None
    subject: str | None = None
    body: str | None = None
    citations: list[dict[str, Any]] = Field(default_factory=list)
    facts: dict[str, Any] = Field(default_factory=dict)
    offer: dict[str, Any] | None = None
    model: str | None = None
    scheduled_at: datetime
    drafted_at: datetime | None = None
    reviewed_by: str | None = None
    exported_at: datetime | None = None
    events: list[str] = Field(default_factory=list)


class RunRecord(Record):
    job_id: str
    campaign_id: int
    status: RunStatus
    clock: datetime
    code_only: bool
    entered: int = 0
    exited: int = 0
    queued: int = 0
    skipped: int = 0
    total: int = 0
    done: int = 0
    failed: int = 0
    error: str | None = None
    started_at: datetime
    finished_at: datetime | None = None
