"""The scheduler: who enters a campaign, who leaves, and which (customer, step) is due now.

Pure SQL and code with an explicit `now`, so a fixed clock tests it. Every decision is a row:
an enrolment, an exit reason, a queued message or a skipped one with its reason. The unique
(campaign, step, customer) key means a second run at the same clock finds everything done.
A run sees what its runner sees (`visibility`): it enrols, exits and queues only customers the
runner may see; the others wait for a run by someone who sees them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from knowledge.campaigns.definition import CampaignDefinition, Step
from knowledge.campaigns.eligibility import Candidate, Decision, decide
from knowledge.campaigns.models import Campaign, Enrolment, Message
from knowledge.campaigns.store import seen
from knowledge.models import Customer, Interaction, Order
from knowledge.visibility import EVERYTHING, Visibility
from knowledge.vocabulary import OPEN_STATUSES

# Members of an audience condition or saved audience at `now` (knowledge.audiences).
Members = Callable[[Session, Any, datetime], set[int]]


@dataclass
class Plan:
    """What one scheduler pass did."""

    entered: int = 0
    exited: int = 0
    queued: int = 0
    skipped: int = 0


def schedule(
    session: Session,
    campaign: Campaign,
    definition: CampaignDefinition,
    now: datetime,
    *,
    marketing: Callable[[str], bool],
    audience_members: Members | None = None,
    condition_members: Members | None = None,
    visibility: Visibility = EVERYTHING,
) -> Plan:
    """Enrol, exit and queue what is due at `now` for the customers `visibility` sees; the
    caller commits."""
    plan = Plan()
    plan.entered = _enrol(session, campaign, definition, now, audience_members, visibility)
    active = list(
        session.scalars(
            select(Enrolment).where(
                Enrolment.campaign_id == campaign.id,
                Enrolment.exited_at.is_(None),
                *seen(Enrolment.customer_id, visibility),
            )
        )
    )
    leavers = (
        condition_members(session, definition.exit_when, now) & {e.customer_id for e in active}
        if definition.exit_when and condition_members is not None and active
        else set()
    )
    for e in active:
        if e.customer_id in leavers:
            _exit(e, now, "exit_when")
            plan.exited += 1
    active = [e for e in active if e.exited_at is None]
    done = _existing(session, campaign.id)
    due = _due_steps(definition, active, done, now)
    if not due:
        return plan
    candidates = _candidates(session, [e.customer_id for e, _ in due])
    taken = _emails_taken(session, campaign.id)
    offered = _offers_made(session, {e.customer_id for e, _ in due})
    for enrolment, steps in due:
        cand = candidates[enrolment.customer_id]
        for index in steps[:-1]:  # missed earlier steps are not sent late
            _add(session, campaign.id, index, cand, definition, enrolment, "skipped", "superseded")
            plan.skipped += 1
        index = steps[-1]
        step = definition.steps[index]
        decision = decide(
            cand,
            step,
            marketing(step.purpose),
            enrolment.holdout,
            taken.get(index, set()),
            offered.get(cand.customer_id, set()),
        )
        if decision.exit_reason:
            _exit(enrolment, now, decision.exit_reason)
            plan.exited += 1
            continue
        msg = _add(
            session,
            campaign.id,
            index,
            cand,
            definition,
            enrolment,
            decision.status,
            decision.skip_reason,
        )
        if decision.status == "queued":
            msg.offer = (
                step.offer.model_dump(mode="json") if decision.with_offer and step.offer else None
            )
            if step.offer and not decision.with_offer:
                msg.facts = {"offer_withheld": f"{step.offer.code} was already proposed"}
            if cand.email_key:
                taken.setdefault(index, set()).add(cand.email_key)
            plan.queued += 1
        else:
            plan.skipped += 1
    session.flush()
    return plan


def held_out(campaign_id: int, customer_id: int, percent: int) -> bool:
    """A stable random draw: the same customer is in (or out of) the control group every run."""
    digest = hashlib.sha256(f"{campaign_id}:{customer_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


def _enrol(
    session: Session,
    campaign: Campaign,
    definition: CampaignDefinition,
    now: datetime,
    audience_members: Members | None,
    visibility: Visibility,
) -> int:
    entries: dict[int, datetime] = {}
    if definition.trigger is not None:
        since = now - timedelta(days=definition.trigger.within_days)
        for cid, at in _trigger_dates(session, definition.trigger.field):
            at = aware(at)
            if since <= at <= now:
                entries[cid] = at
    if definition.audience_id is not None:
        if audience_members is None:
            raise RuntimeError("an audience campaign needs audience_members")  # a wiring bug
        members = audience_members(session, definition.audience_id, now)
        if definition.trigger is not None:
            entries = {c: at for c, at in entries.items() if c in members}
        else:
            entries = dict.fromkeys(members, now)
    visible = visibility.visible_ids(session) if entries else None
    if visible is not None:
        entries = {c: at for c, at in entries.items() if c in visible}
    if not entries:
        return 0
    enrolled = set(
        session.scalars(select(Enrolment.customer_id).where(Enrolment.campaign_id == campaign.id))
    )
    merged = set(
        session.scalars(
            select(Customer.id).where(
                Customer.id.in_(list(entries)), Customer.merged_into_id.is_not(None)
            )
        )
    )
    new = sorted(set(entries) - enrolled - merged)
    pct = definition.holdout_percent
    session.add_all(
        Enrolment(
            campaign_id=campaign.id,
            customer_id=cid,
            entered_at=entries[cid],
            holdout=held_out(campaign.id, cid, pct),
        )
        for cid in new
    )
    session.flush()
    return len(new)


def _trigger_dates(session: Session, field: str) -> Iterable[tuple[int, datetime]]:
    stmt: Any
    if field == "customer_created_at":
        stmt = select(Customer.id, Customer.created_at).where(Customer.merged_into_id.is_(None))
    elif field == "ticket_resolved_at":
        # The event: a ticket or inquiry recorded as resolved or closed. Its last update is when
        # Kizuna learned of the resolution (the status arrives by import or POST /interactions).
        stmt = (
            select(Interaction.customer_id, func.max(Interaction.updated_at))
            .where(
                Interaction.kind.in_(("ticket", "inquiry")),
                Interaction.status.in_(("resolved", "closed")),
            )
            .group_by(Interaction.customer_id)
        )
    else:
        agg = (
            func.min(Order.ordered_at) if field == "first_order_at" else func.max(Order.ordered_at)
        )
        stmt = (
            select(Order.customer_id, agg)
            .where(Order.ordered_at.is_not(None))
            .group_by(Order.customer_id)
        )
    return [(int(cid), at) for cid, at in session.execute(stmt) if at is not None]


def aware(at: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were stored as UTC.
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _existing(session: Session, campaign_id: int) -> set[tuple[int, int]]:
    rows = session.execute(
        select(Message.customer_id, Message.step_index).where(Message.campaign_id == campaign_id)
    )
    return {(c, s) for c, s in rows}


def _due_steps(
    definition: CampaignDefinition,
    active: list[Enrolment],
    done: set[tuple[int, int]],
    now: datetime,
) -> list[tuple[Enrolment, list[int]]]:
    """Per enrolment, the due steps that have no row yet (in order); only later ones than any
    step already handled, so a step is never drafted after the one that follows it."""
    out = []
    for e in active:
        entered = aware(e.entered_at)
        handled = [i for i in range(len(definition.steps)) if (e.customer_id, i) in done]
        start = max(handled) + 1 if handled else 0
        due = [
            i
            for i in range(start, len(definition.steps))
            if definition.due_at(entered, definition.steps[i]) <= now
        ]
        if due:
            out.append((e, due))
    return out


def _candidates(session: Session, ids: list[int]) -> dict[int, Candidate]:
    open_counts = dict(
        session.execute(
            select(Interaction.customer_id, func.count())
            .where(Interaction.status.in_(OPEN_STATUSES), Interaction.customer_id.in_(ids))
            .group_by(Interaction.customer_id)
        ).all()
    )
    rows = session.execute(
        select(
            Customer.id,
            Customer.name,
            Customer.email,
            Customer.email_opt_out,
            Customer.merged_into_id,
        ).where(Customer.id.in_(ids))
    )
    return {
        cid: Candidate(
            customer_id=cid,
            name=name,
            email=email,
            opted_out=bool(opt_out),
            merged=merged is not None,
            open_issues=int(open_counts.get(cid, 0)),
        )
        for cid, name, email, opt_out, merged in rows
    }


def _emails_taken(session: Session, campaign_id: int) -> dict[int, set[str]]:
    rows = session.execute(
        select(Message.step_index, Message.email).where(
            Message.campaign_id == campaign_id,
            Message.status != "skipped",
            Message.email.is_not(None),
        )
    )
    taken: dict[int, set[str]] = {}
    for index, email in rows:
        if email:
            taken.setdefault(index, set()).add(email.strip().lower())
    return taken


def _offers_made(session: Session, ids: set[int]) -> dict[int, set[str]]:
    """Offer codes already proposed to each customer (any campaign, any step not rejected)."""
    rows = session.execute(
        select(Message.customer_id, Message.offer).where(
            Message.customer_id.in_(list(ids)),
            Message.offer.is_not(None),
            Message.status.in_(("queued", "draft", "approved", "edited", "exported")),
        )
    )
    made: dict[int, set[str]] = {}
    for cid, offer in rows:
        if offer and offer.get("code"):
            made.setdefault(cid, set()).add(offer["code"])
    return made


def _add(
    session: Session,
    campaign_id: int,
    index: int,
    cand: Candidate,
    definition: CampaignDefinition,
    enrolment: Enrolment,
    status: str,
    reason: str | None,
) -> Message:
    step: Step = definition.steps[index]
    msg = Message(
        campaign_id=campaign_id,
        step_index=index,
        customer_id=cand.customer_id,
        status=status,
        skip_reason=reason,
        email=cand.email,
        name=cand.name,
        citations=[],
        facts={},
        scheduled_at=definition.due_at(aware(enrolment.entered_at), step),
    )
    session.add(msg)
    return msg


def _exit(enrolment: Enrolment, now: datetime, reason: str) -> None:
    enrolment.exited_at = now
    enrolment.exit_reason = reason


__all__ = ["Decision", "Plan", "aware", "held_out", "schedule"]
