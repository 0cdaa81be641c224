"""Two people with a unique marker word planted in every place a customer's text can reach.

`plant(sessions, "a", marker)` imports a customer (with a duplicate record merged into it),
a contact, interactions (enriched), an order, a rejected interaction row (quarantine), and
writes a generation's audit entry, feedback on it, a conversation and a knowledge gap, each
carrying the marker. The erasure tests plant two people and erase one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.campaigns.models import Campaign, DeliveryEvent, Enrolment, Message
from knowledge.db import transaction
from knowledge.dedupe.merge import merge
from knowledge.enrichment_store import store_enrichment
from knowledge.importing import import_records
from knowledge.journal import add_feedback, add_turn, record_gap, write_audit
from knowledge.models import Interaction, SourceRecord
from knowledge.settings import ImportSettings

SETTINGS = ImportSettings(progress=False)


@dataclass(frozen=True)
class Planted:
    customer_id: int  # the survivor
    merged_id: int  # the duplicate merged into it
    external_id: str
    marker: str
    output_id: str
    conversation_id: str


def _import(
    sessions: sessionmaker[Session], entity: str, records: list[dict], ok: bool = True
) -> None:
    report = import_records(sessions, records, source="crm", entity=entity, settings=SETTINGS)
    assert (report.rejected == 0) == ok, report.rejected_rows


def _customer_id(session: Session, external_id: str) -> int:
    found = session.scalar(
        select(SourceRecord.entity_id).where(
            SourceRecord.entity == "customer", SourceRecord.external_id == external_id
        )
    )
    assert found is not None
    return found


def plant(sessions: sessionmaker[Session], tag: str, marker: str) -> Planted:
    """One person (external id ER-<tag>) with `marker` in every place; returns their ids."""
    ext = f"ER-{tag}"
    _import(
        sessions,
        "customer",
        [
            {
                "external_id": ext,
                "name": f"Erasure {tag.upper()} {marker}",
                "email": f"{marker}@example.com",
                "address": f"1-2-3 {marker} street",
                "language": "en",
                "custom_attributes": {"note": f"likes {marker}"},
            },
            {  # a duplicate record of the same person, merged below (名寄せ)
                "external_id": f"{ext}-dup",
                "name": f"Erasure {tag.upper()} {marker}",
                "phone": "+81 90 0000 000" + str(len(tag) % 10),
                "language": "en",
                "custom_attributes": {"hobby": f"collects {marker}"},
            },
        ],
    )
    _import(
        sessions,
        "contact",
        [
            {
                "external_id": f"{ext}-p",
                "customer_external_id": ext,
                "name": f"Pat {marker}",
                "role": f"buyer of {marker}",
            }
        ],
    )
    interaction = {
        "customer_external_id": ext,
        "kind": "review",
        "occurred_at": "2025-03-01T10:00:00+09:00",
        "language": "en",
    }
    _import(
        sessions,
        "interaction",
        [
            {
                **interaction,
                "external_id": f"{ext}-i1",
                "subject": f"About {marker}",
                "body": f"The humidifier {marker} makes a noise at night. Please call me.",
            },
            {
                **interaction,
                "external_id": f"{ext}-i2",
                "kind": "meeting_note",
                "body": f"Met at the store; asked about {marker} refills.",
            },
        ],
    )
    # A bad row of a later import: rating out of range, the text quarantined whole.
    _import(
        sessions,
        "interaction",
        [
            {
                **interaction,
                "external_id": f"{ext}-bad",
                "rating": "nine",
                "body": f"Broken row mentioning {marker}",
            }
        ],
        ok=False,
    )
    _import(
        sessions,
        "order",
        [
            {
                "external_id": f"{ext}-o1",
                "customer_external_id": ext,
                "order_number": f"N-{tag}",
                "ordered_at": "2025-02-01T10:00:00+09:00",
                "channel": "ec",
                "lines": [
                    {
                        "sku": "HUM-1",
                        "product_name": "Humidifier",
                        "quantity": 1,
                        "unit_price": 9800,
                    }
                ],
            }
        ],
    )
    with transaction(sessions) as s:
        survivor, duplicate = _customer_id(s, ext), _customer_id(s, f"{ext}-dup")
        merge(s, survivor, duplicate, score=0.97, reasons=["name"], actor="test")
        ids = list(s.scalars(select(Interaction.id).where(Interaction.customer_id == survivor)))
        store_enrichment(s, [(i, "negative", "complaint") for i in ids])
    output_id = f"out-{tag}-{uuid.uuid4().hex}"  # generated ids hold no text
    question = f"What did they say about {marker}?"
    write_audit(
        sessions,
        output_id=output_id,
        actor="agent-1",
        action="draft_email",
        customer_id=survivor,
        cited_records=[f"interaction:{i}" for i in ids],
        model="fake",
        details={"question": question, "guard": {"dropped": [f"sentence on {marker}"]}},
    )
    # An answer over all customers (no customer id) that cites one of their records.
    write_audit(
        sessions,
        output_id=f"out-{tag}-{uuid.uuid4().hex}",
        actor="admin-1",
        action="agent",
        customer_id=None,
        cited_records=[f"interaction:{ids[0]}"],
        model="fake",
        details={"question": f"Who complained about {marker}?"},
    )
    add_feedback(
        sessions,
        output_id,
        actor="agent-1",
        rating=-1,
        edited_text=f"Dear {marker}, thank you",
        comment=f"mention {marker}",
    )
    conversation_id = f"conv-{tag}"
    add_turn(sessions, conversation_id, role="user", text=question, customer_id=survivor)
    add_turn(
        sessions,
        conversation_id,
        role="assistant",
        text=f"They said {marker} is loud.",
        customer_id=survivor,
    )
    # A conversation about all customers that names them by e-mail.
    add_turn(sessions, f"global-{tag}", role="user", text=f"Who is {marker}@example.com?")
    record_gap(sessions, question, "en")
    record_gap(sessions, f"Has {marker}@example.com written before?", "en")
    _campaign_mail(sessions, survivor, tag, marker)
    return Planted(survivor, duplicate, ext, marker, output_id, conversation_id)


def _campaign_mail(
    sessions: sessionmaker[Session], customer_id: int, tag: str, marker: str
) -> None:
    """A campaign's enrolment of the person, a draft written to them and its delivery event."""
    now = datetime.now(UTC)
    with transaction(sessions) as s:
        campaign = Campaign(name=f"erasure {tag} {uuid.uuid4().hex[:6]}", definition={})
        s.add(campaign)
        s.flush()
        s.add(Enrolment(campaign_id=campaign.id, customer_id=customer_id, entered_at=now))
        message = Message(
            campaign_id=campaign.id,
            step_index=0,
            customer_id=customer_id,
            status="exported",
            email=f"{marker}@example.com",
            name=f"Erasure {marker}",
            subject="Thank you",
            body=f"Dear {marker}, thank you for your order.",
            scheduled_at=now,
        )
        s.add(message)
        s.flush()
        s.add(DeliveryEvent(message_id=message.id, event="sent", occurred_at=now))
