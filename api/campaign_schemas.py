"""Request and answer bodies of the campaign routes (the answers are knowledge's records)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from knowledge.campaigns.records import CampaignRecord, DeliveryEventKind, DraftRecord

MAX_ID = 2**62


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CampaignList(BaseModel):
    items: list[CampaignRecord]


class RunRequest(_Strict):
    now: datetime | None = Field(
        default=None, description="the scheduler's clock (ISO 8601); default: the current time"
    )
    code_only: bool = Field(default=False, description="templates + data only, no model")


class DraftPage(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[DraftRecord]


class DraftEdit(_Strict):
    subject: str = Field(min_length=1, max_length=500)
    body: str = Field(min_length=1, max_length=20_000)


class BulkApprove(_Strict):
    ids: list[int] | None = Field(default=None, max_length=10_000)
    all: bool = False
    step: int | None = Field(default=None, ge=0, le=9)


class BulkApproved(BaseModel):
    approved: int
    not_approved: list[int]


class OutboxPage(BaseModel):
    items: list[dict[str, Any]]
    next_since: datetime | None


class DeliveryEventIn(_Strict):
    message_id: int = Field(ge=1, le=MAX_ID)
    event: DeliveryEventKind
    occurred_at: datetime | None = None


class ResultsIn(_Strict):
    events: list[DeliveryEventIn] = Field(min_length=1, max_length=100_000)


class ResultsReportOut(BaseModel):
    read: int
    recorded: int
    unchanged: int
    rejected: int
    unsubscribed: int
    rejected_rows: list[dict[str, Any]]
