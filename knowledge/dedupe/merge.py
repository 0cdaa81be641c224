"""Merging duplicate customers (名寄せ) and undoing a merge exactly, with a merge log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from knowledge.dedupe.candidates import Candidate, find_candidates
from knowledge.errors import CustomerNotFound, MergeError
from knowledge.models import Contact, Customer, Interaction, MergeLog, Order, SourceRecord
from knowledge.settings import DedupeSettings

log = logging.getLogger(__name__)

# Survivor fields filled from the merged customer when the survivor has none.
FILLED_FIELDS = (
    "name_kana", "email", "phone", "postal_code", "address", "region", "country", "age_band",
    "gender", "industry", "company_size", "annual_revenue", "owner", "team",
)  # fmt: skip
_MOVED_TABLES: dict[str, Any] = {
    "orders": Order,
    "interactions": Interaction,
    "contacts": Contact,
}


@dataclass(frozen=True)
class MergeEntry:
    """One row of the merge log, as plain data."""

    id: int
    survivor_id: int
    merged_id: int
    score: float
    reasons: list[str]
    moved: dict[str, list[int]]
    merged_by: str | None
    merged_at: datetime | None
    undone_at: datetime | None


@dataclass(frozen=True)
class AutoMergeResult:
    """What auto_merge did: the merges made and the pairs left for a person to review."""

    merged: list[MergeEntry]
    review: list[Candidate]


def merge(
    session: Session,
    survivor_id: int,
    merged_id: int,
    *,
    score: float,
    reasons: list[str] | tuple[str, ...],
    actor: str,
) -> MergeEntry:
    """Merge one customer into another: move their records, fill gaps, log what moved."""
    if survivor_id == merged_id:
        raise MergeError(f"cannot merge customer {survivor_id} into itself")
    survivor = _active(session, survivor_id)
    merged = _active(session, merged_id)
    moved: dict[str, list[int]] = {}
    for name, model in _MOVED_TABLES.items():
        ids = list(session.scalars(select(model.id).where(model.customer_id == merged_id)))
        if ids:
            session.execute(update(model).where(model.id.in_(ids)).values(customer_id=survivor_id))
        moved[name] = ids
    source_ids = list(
        session.scalars(
            select(SourceRecord.id).where(
                SourceRecord.entity == "customer", SourceRecord.entity_id == merged_id
            )
        )
    )
    if source_ids:
        session.execute(
            update(SourceRecord)
            .where(SourceRecord.id.in_(source_ids))
            .values(entity_id=survivor_id)
        )
    moved["source_records"] = source_ids
    before = _fill_survivor(survivor, merged)
    merged.merged_into_id = survivor_id
    entry = MergeLog(
        survivor_id=survivor_id,
        merged_id=merged_id,
        score=float(score),
        reasons=list(reasons),
        moved=moved,
        survivor_before=before,
        merged_by=actor,
        merged_at=datetime.now(UTC),
    )
    session.add(entry)
    session.flush()
    log.info(
        "merged customer %s into %s (merge %s, score %.2f)", merged_id, survivor_id, entry.id, score
    )
    return _entry(entry)


def undo(session: Session, merge_id: int) -> MergeEntry:
    """Undo a merge exactly: move the records back, restore the survivor's fields."""
    entry = session.get(MergeLog, merge_id)
    if entry is None:
        raise MergeError(f"merge {merge_id} does not exist")
    if entry.undone_at is not None:
        raise MergeError(f"merge {merge_id} was already undone at {entry.undone_at:%Y-%m-%d %H:%M}")
    ids = (entry.survivor_id, entry.merged_id)
    later = session.scalar(
        select(MergeLog.id)
        .where(
            MergeLog.id > merge_id,
            MergeLog.undone_at.is_(None),
            or_(MergeLog.survivor_id.in_(ids), MergeLog.merged_id.in_(ids)),
        )
        .order_by(MergeLog.id.desc())
        .limit(1)
    )
    if later is not None:
        raise MergeError(f"merge {later} involves the same customers; undo it first")
    for name, model in _MOVED_TABLES.items():
        moved = entry.moved.get(name) or []
        if moved:
            session.execute(
                update(model).where(model.id.in_(moved)).values(customer_id=entry.merged_id)
            )
    if entry.moved.get("source_records"):
        session.execute(
            update(SourceRecord)
            .where(SourceRecord.id.in_(entry.moved["source_records"]))
            .values(entity_id=entry.merged_id)
        )
    survivor = session.get(Customer, entry.survivor_id)
    merged = session.get(Customer, entry.merged_id)
    if survivor is None or merged is None:
        raise MergeError(f"merge {merge_id}: a customer of this merge no longer exists")
    for field, value in (entry.survivor_before or {}).items():
        setattr(survivor, field, Decimal(value) if field == "annual_revenue" and value else value)
    merged.merged_into_id = None
    entry.undone_at = datetime.now(UTC)
    session.flush()
    log.info("undid merge %s (customer %s restored)", merge_id, entry.merged_id)
    return _entry(entry)


def auto_merge(
    session: Session, settings: DedupeSettings, *, actor: str = "auto"
) -> AutoMergeResult:
    """Merge every candidate at or above merge_threshold; return the review list below it."""
    candidates = find_candidates(session, min_score=settings.review_threshold)
    merged: list[MergeEntry] = []
    review: list[Candidate] = []
    for candidate in candidates:
        if candidate.score < settings.merge_threshold:
            review.append(candidate)
            continue
        # Earlier merges of this run may have absorbed one side: merge into the survivors.
        a, b = (_survivor_of(session, cid) for cid in candidate.customer_ids)
        if a == b:
            continue
        survivor, other = min(a, b), max(a, b)  # the older record survives
        merged.append(
            merge(
                session,
                survivor,
                other,
                score=candidate.score,
                reasons=candidate.reasons,
                actor=actor,
            )
        )
    return AutoMergeResult(merged=merged, review=review)


def list_merges(session: Session, limit: int | None = 100) -> list[MergeEntry]:
    """The merge log, newest first."""
    stmt = select(MergeLog).order_by(MergeLog.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_entry(e) for e in session.scalars(stmt)]


def _fill_survivor(survivor: Customer, merged: Customer) -> dict[str, Any]:
    before: dict[str, Any] = {}
    for field in FILLED_FIELDS:
        if getattr(survivor, field) in (None, "") and getattr(merged, field) not in (None, ""):
            before[field] = getattr(survivor, field)
            setattr(survivor, field, getattr(merged, field))
    # Consent is kept on the safe side: an opt-out on either record holds for both.
    if merged.email_opt_out and not survivor.email_opt_out:
        before["email_opt_out"] = False
        survivor.email_opt_out = True
    extra = {
        k: v
        for k, v in (merged.custom_attributes or {}).items()
        if k not in (survivor.custom_attributes or {})
    }
    if extra:
        before["custom_attributes"] = dict(survivor.custom_attributes or {})
        survivor.custom_attributes = {**(survivor.custom_attributes or {}), **extra}
    return before


def _active(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise CustomerNotFound(customer_id)
    if customer.merged_into_id is not None:
        raise MergeError(f"customer {customer_id} is already merged into {customer.merged_into_id}")
    return customer


def _survivor_of(session: Session, customer_id: int) -> int:
    seen = set()
    current = customer_id
    while current not in seen:
        seen.add(current)
        parent = session.scalar(select(Customer.merged_into_id).where(Customer.id == current))
        if parent is None:
            return current
        current = parent
    raise MergeError(f"merge chain of customer {customer_id} loops")


def _entry(e: MergeLog) -> MergeEntry:
    return MergeEntry(
        id=e.id,
        survivor_id=e.survivor_id,
        merged_id=e.merged_id,
        score=e.score,
        reasons=list(e.reasons or []),
        moved={k: list(v) for k, v in (e.moved or {}).items()},
        merged_by=e.merged_by,
        merged_at=e.merged_at,
        undone_at=e.undone_at,
    )
