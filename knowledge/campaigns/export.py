"""Hand-off: approved drafts out as rows of one documented layout, recorded on the customer.

Exporting marks a draft `exported` and adds an outbound interaction (kind email, phase
marketing), so the chat, the brief and the next campaign know what was proposed and when.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.campaigns.models import Campaign, Message
from knowledge.campaigns.store import READY, campaign_row, definition_of, seen
from knowledge.models import Interaction
from knowledge.visibility import EVERYTHING, Visibility

COLUMNS = (
    "message_id",
    "campaign_id",
    "campaign_name",
    "step_index",
    "purpose",
    "customer_id",
    "email",
    "name",
    "subject",
    "body",
    "scheduled_at",
    "offer_code",
)


def export_ready(
    session: Session, campaign_id: int, now: datetime, visibility: Visibility = EVERYTHING
) -> list[dict[str, Any]]:
    """Mark the campaign's approved and edited drafts of customers the viewer sees exported,
    record each on its customer, and return them as export rows (oldest due first). The
    caller commits."""
    campaign = campaign_row(session, campaign_id)
    rows = list(
        session.scalars(
            select(Message)
            .where(
                Message.campaign_id == campaign_id,
                Message.status.in_(READY),
                *seen(Message.customer_id, visibility),
            )
            .order_by(Message.scheduled_at, Message.id)
        )
    )
    for msg in rows:
        interaction = Interaction(
            customer_id=msg.customer_id,
            kind="email",
            phase="marketing",
            channel="email",
            occurred_at=now,
            author=f"campaign:{campaign_id}",
            subject=msg.subject,
            body=msg.body or "",
            status="closed",
        )
        session.add(interaction)
        session.flush()
        msg.status = "exported"
        msg.exported_at = now
        msg.interaction_id = interaction.id
    session.flush()
    return [export_row(campaign, m) for m in rows]


def outbox(
    session: Session, since: datetime | None, limit: int, visibility: Visibility = EVERYTHING
) -> tuple[list[dict[str, Any]], datetime | None]:
    """Messages to customers the viewer sees exported after `since` (oldest first) and the
    cursor for the next pull.

    One export stamps all its messages with one time, so a page never ends inside such a
    group (it may hold more than `limit`): the cursor is then safe to pass back as `since`."""
    visible = seen(Message.customer_id, visibility)
    stmt = select(Message).where(Message.status == "exported", *visible)
    if since is not None:
        stmt = stmt.where(Message.exported_at > since)
    rows = list(session.scalars(stmt.order_by(Message.exported_at, Message.id).limit(limit)))
    if len(rows) == limit:
        rows += session.scalars(
            select(Message)
            .where(
                Message.status == "exported",
                *visible,
                Message.exported_at == rows[-1].exported_at,
                Message.id > rows[-1].id,
            )
            .order_by(Message.id)
        )
    campaigns = {c.id: c for c in session.scalars(select(Campaign))} if rows else {}
    out = [export_row(campaigns[m.campaign_id], m) for m in rows]
    return out, (rows[-1].exported_at if rows else since)


def export_row(campaign: Campaign, msg: Message) -> dict[str, Any]:
    """One message in the export layout (docs/campaigns.md)."""
    scheduled = msg.scheduled_at
    if scheduled.tzinfo is None:
        scheduled = scheduled.replace(tzinfo=UTC)
    return {
        "message_id": msg.id,
        "campaign_id": campaign.id,
        "campaign_name": campaign.name,
        "step_index": msg.step_index,
        "purpose": definition_of(campaign).steps[msg.step_index].purpose,
        "customer_id": msg.customer_id,
        "email": msg.email or "",
        "name": msg.name or "",
        "subject": msg.subject or "",
        "body": msg.body or "",
        "scheduled_at": scheduled.astimezone(UTC).isoformat(),
        "offer_code": (msg.offer or {}).get("code", ""),
    }


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def to_jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
