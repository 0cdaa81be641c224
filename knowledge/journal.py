"""What the assistant said and learned: audit log, chat turns, knowledge gaps and feedback."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import transaction
from knowledge.models import AuditEntry, ConversationTurn, Feedback, KnowledgeGap


@dataclass(frozen=True)
class AuditRecord:
    output_id: str | None  # None for a read
    at: datetime
    actor: str
    action: str
    customer_id: int | None
    cited_records: list[str]
    model: str | None
    details: dict[str, Any]
    key_id: int | None = None


@dataclass(frozen=True)
class TurnRecord:
    role: str
    text: str
    at: datetime


@dataclass(frozen=True)
class GapRecord:
    question: str
    language: str | None
    count: int
    first_seen: datetime
    last_seen: datetime


def write_audit(
    sessions: sessionmaker[Session],
    *,
    output_id: str,
    actor: str,
    action: str,
    customer_id: int | None,
    cited_records: list[str],
    model: str,
    details: dict[str, Any] | None = None,
    key_id: int | None = None,
) -> None:
    """Record one generation: who, what kind, which customer, which records, which model."""
    with transaction(sessions) as s:
        s.add(
            AuditEntry(
                output_id=output_id,
                actor=actor,
                key_id=key_id,
                action=action,
                customer_id=customer_id,
                cited_records=list(cited_records),
                model=model,
                details=details or {},
            )
        )


# What a read audit row may carry in `details`: ids, counts and names of things, never text.
READ_DETAIL_KEYS = frozenset({"record_id", "customer_ids", "count", "scope", "kind", "route"})


def write_read(
    sessions: sessionmaker[Session],
    *,
    actor: str,
    key_id: int | None,
    action: str,
    customer_id: int | None = None,
    records: list[str] | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record one read of customer data (a profile view, a record opened, a search): who,
    when, what and about whom, by id only."""
    details = details or {}
    extra = set(details) - READ_DETAIL_KEYS
    if extra:  # a programming error: a read row must never carry free text
        raise ValueError(f"read audit details may not carry {sorted(extra)}")
    with transaction(sessions) as s:
        s.add(
            AuditEntry(
                output_id=None,
                actor=actor,
                key_id=key_id,
                action=action,
                customer_id=customer_id,
                cited_records=list(records or []),
                model=None,
                details=details,
            )
        )


@dataclass(frozen=True)
class AuditQuery:
    """Filters of the audit log; None leaves a filter out."""

    customer_id: int | None = None
    key_id: int | None = None
    actor: str | None = None
    action: str | None = None
    kind: str | None = None  # "read" or "generation"
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100


def list_audit(
    sessions: sessionmaker[Session],
    *,
    customer_id: int | None = None,
    limit: int = 100,
    query: AuditQuery | None = None,
) -> list[AuditRecord]:
    """The newest audit entries, filtered by `query` (or just by customer)."""
    f = query or AuditQuery(customer_id=customer_id, limit=limit)
    with sessions() as s:
        q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(f.limit)
        if f.customer_id is not None:
            q = q.where(AuditEntry.customer_id == f.customer_id)
        if f.key_id is not None:
            q = q.where(AuditEntry.key_id == f.key_id)
        if f.actor is not None:
            q = q.where(AuditEntry.actor == f.actor)
        if f.action is not None:
            q = q.where(AuditEntry.action == f.action)
        if f.kind == "read":
            q = q.where(AuditEntry.output_id.is_(None))
        elif f.kind == "generation":
            q = q.where(AuditEntry.output_id.is_not(None))
        if f.since is not None:
            q = q.where(AuditEntry.at >= f.since)
        if f.until is not None:
            q = q.where(AuditEntry.at < f.until)
        return [_audit_record(e) for e in s.scalars(q)]


def get_audit(sessions: sessionmaker[Session], output_id: str) -> AuditRecord | None:
    """The audit entry of one generated output, or None when there is none."""
    with sessions() as s:
        e = s.scalar(select(AuditEntry).where(AuditEntry.output_id == output_id))
        return _audit_record(e) if e is not None else None


def _audit_record(e: AuditEntry) -> AuditRecord:
    return AuditRecord(
        e.output_id,
        e.at,
        e.actor,
        e.action,
        e.customer_id,
        list(e.cited_records),
        e.model,
        dict(e.details),
        e.key_id,
    )


def add_turn(
    sessions: sessionmaker[Session],
    conversation_id: str,
    *,
    role: str,
    text: str,
    customer_id: int | None = None,
    actor: str | None = None,
    key_id: int | None = None,
) -> None:
    """Append one user question or assistant answer to a conversation."""
    with transaction(sessions) as s:
        s.add(
            ConversationTurn(
                conversation_id=conversation_id,
                role=role,
                text=text,
                customer_id=customer_id,
                actor=actor,
                key_id=key_id,
            )
        )


def recent_turns(
    sessions: sessionmaker[Session],
    conversation_id: str,
    limit: int = 6,
    *,
    customer_id: int | None = None,
    key_id: int | None = None,
) -> list[TurnRecord]:
    """The last turns of a conversation about `customer_id` (None: about no customer) by
    `key_id` (None: by any key), oldest first."""
    about = (
        ConversationTurn.customer_id.is_(None)
        if customer_id is None
        else ConversationTurn.customer_id == customer_id
    )
    with sessions() as s:
        stmt = select(ConversationTurn).where(
            ConversationTurn.conversation_id == conversation_id, about
        )
        if key_id is not None:
            stmt = stmt.where(ConversationTurn.key_id == key_id)
        rows = s.scalars(stmt.order_by(ConversationTurn.id.desc()).limit(limit)).all()
        return [TurnRecord(r.role, r.text, r.at) for r in reversed(rows)]


def question_key(question: str) -> str:
    """Normalised form under which equal questions are counted together."""
    text = unicodedata.normalize("NFKC", question).lower()
    text = re.sub(r"[\s\?？!！。、,.]+", " ", text).strip()
    return text[:500]


def record_gap(sessions: sessionmaker[Session], question: str, language: str | None) -> int:
    """Count a question the knowledge base could not answer; returns its count so far."""
    key = question_key(question)
    # Increment in SQL, and insert only when no row was there: the same question asked by
    # several requests at once must neither lose a count nor break the unique key.
    bump = (
        update(KnowledgeGap)
        .where(KnowledgeGap.question_key == key)
        .values(count=KnowledgeGap.count + 1, last_seen=datetime.now(UTC))
    )
    with transaction(sessions) as s:
        if s.execute(bump).rowcount == 0:  # type: ignore[attr-defined]
            try:
                with s.begin_nested():
                    s.add(KnowledgeGap(question_key=key, question=question, language=language))
            except IntegrityError:  # another request inserted it meanwhile
                s.execute(bump)
        count = s.scalar(select(KnowledgeGap.count).where(KnowledgeGap.question_key == key))
        return int(count or 1)


def list_gaps(sessions: sessionmaker[Session], limit: int = 50) -> list[GapRecord]:
    """Unanswered questions, most frequent first."""
    with sessions() as s:
        rows = s.scalars(
            select(KnowledgeGap)
            .order_by(KnowledgeGap.count.desc(), KnowledgeGap.last_seen.desc())
            .limit(limit)
        )
        return [GapRecord(g.question, g.language, g.count, g.first_seen, g.last_seen) for g in rows]


def add_feedback(
    sessions: sessionmaker[Session],
    output_id: str,
    *,
    actor: str,
    rating: int | None = None,
    edited_text: str | None = None,
    comment: str | None = None,
) -> None:
    """Store a thumbs up/down, an edited version or a comment on one generated output."""
    if rating not in (None, 1, -1):
        raise ValueError(f"feedback rating must be +1 or -1, got {rating}")
    with transaction(sessions) as s:
        s.add(
            Feedback(
                output_id=output_id,
                actor=actor,
                rating=rating,
                edited_text=edited_text,
                comment=comment,
            )
        )
