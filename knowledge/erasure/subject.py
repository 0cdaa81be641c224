"""Who one person is across the tables: every id and key their data can be found under.

Found once, before anything is exported or erased, so that the places of the registry are
plain conditions on these sets and erasing one table never hides the rows of another.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.errors import RowRejected
from knowledge.journal import question_key
from knowledge.models import (
    AuditEntry,
    Contact,
    ConversationTurn,
    Customer,
    Interaction,
    KnowledgeGap,
    Order,
    QuarantinedRow,
    SourceRecord,
)
from knowledge.normalize import canonical_phone
from knowledge.repository import resolve_customer_id

# Shorter identifiers ("1", "A7") are never matched in free text or quarantined rows: they
# would match quantities and codes of other people's rows.
MIN_IDENTIFIER_CHARS = 4
_BLANKS = re.compile(r"\s+")
_PHONE_LIKE = re.compile(r"^[+＋]?[0-9０-９()（）\-－\s.]{7,}$")
_PERSONAL_FIELDS = ("name", "name_kana", "email", "phone", "address")
# The audit entry of an erasure: ids and counts only, kept as the proof that it happened.
ERASE_ACTION = "erase_customer"
# The name left on a tombstone (a customer row kept for its orders): identifies no one.
ERASED_NAME = "(erased)"


@dataclass(frozen=True)
class Subject:
    """One person: their customer records (a 名寄せ group) and what hangs off them."""

    customer_id: int  # as asked
    customer_ids: frozenset[int]  # the survivor and every record merged into it
    contact_ids: frozenset[int]
    interaction_ids: frozenset[int]
    order_ids: frozenset[int]
    output_ids: frozenset[str]  # generations about them, citing or naming them (audit, feedback)
    conversation_ids: frozenset[str]  # every conversation about them, or naming them
    gap_ids: frozenset[int]  # unanswered questions they were asked about or named in
    quarantine_ids: frozenset[int]  # rejected import rows that name them
    identifiers: frozenset[str]  # normalised names, e-mails, phones, external ids


def find_subject(session: Session, customer_id: int) -> Subject:
    """Everything that identifies the person of customer_id; CustomerNotFound if none."""
    customer_ids = merge_group(session, customer_id)
    contacts = list(session.scalars(select(Contact).where(Contact.customer_id.in_(customer_ids))))
    interaction_ids = set(
        session.scalars(select(Interaction.id).where(Interaction.customer_id.in_(customer_ids)))
    )
    order_ids = set(session.scalars(select(Order.id).where(Order.customer_id.in_(customer_ids))))
    identifiers = _identifiers(session, customer_ids, contacts, interaction_ids)
    records = (
        {f"profile:{i}" for i in customer_ids}
        | {f"interaction:{i}" for i in interaction_ids}
        | {f"order:{i}" for i in order_ids}
    )
    output_ids, questions = _generations(session, customer_ids, records, identifiers)
    conversation_ids = _conversations(session, customer_ids, identifiers)
    questions += session.scalars(
        select(ConversationTurn.text).where(
            ConversationTurn.conversation_id.in_(conversation_ids), ConversationTurn.role == "user"
        )
    )
    return Subject(
        customer_id=customer_id,
        customer_ids=frozenset(customer_ids),
        contact_ids=frozenset(c.id for c in contacts),
        interaction_ids=frozenset(interaction_ids),
        order_ids=frozenset(order_ids),
        output_ids=frozenset(output_ids),
        conversation_ids=frozenset(conversation_ids),
        gap_ids=frozenset(_gaps(session, {question_key(q) for q in questions}, identifiers)),
        quarantine_ids=frozenset(_quarantined(session, identifiers)),
        identifiers=frozenset(identifiers),
    )


def merge_group(session: Session, customer_id: int) -> set[int]:
    """The survivor of customer_id and every customer merged into it, at any depth
    (CustomerNotFound when there is no such customer)."""
    group = {resolve_customer_id(session, customer_id)}
    frontier = set(group)
    while frontier:
        frontier = (
            set(session.scalars(select(Customer.id).where(Customer.merged_into_id.in_(frontier))))
            - group
        )
        group |= frontier
    return group


def normalise(value: Any) -> str:
    """The form identifiers are compared in: NFKC, lower case, no blanks."""
    text = unicodedata.normalize("NFKC", str(value)).lower()
    return _BLANKS.sub("", text)


def _identifiers(
    session: Session, customer_ids: set[int], contacts: list[Contact], interaction_ids: set[int]
) -> set[str]:
    values: list[Any] = []
    for c in session.scalars(select(Customer).where(Customer.id.in_(customer_ids))):
        values += [getattr(c, f) for f in _PERSONAL_FIELDS]
    for p in contacts:
        values += [getattr(p, f) for f in ("name", "name_kana", "email", "phone")]
    keyed = (
        ("customer", customer_ids),
        ("contact", {c.id for c in contacts}),
        ("interaction", interaction_ids),
    )
    for entity, ids in keyed:
        values += session.scalars(
            select(SourceRecord.external_id).where(
                SourceRecord.entity == entity, SourceRecord.entity_id.in_(ids)
            )
        )
    tombstone = normalise(ERASED_NAME)
    return {n for n in _forms(values) if len(n) >= MIN_IDENTIFIER_CHARS and n != tombstone}


def _forms(values: Iterable[Any]) -> Iterator[str]:
    """Each value normalised, and a phone number also in E.164 as the customers table has it."""
    for value in values:
        if value is None or value == "":
            continue
        yield normalise(value)
        if isinstance(value, str) and _PHONE_LIKE.match(value):
            try:
                phone = canonical_phone(value)
            except RowRejected:
                continue
            if phone:
                yield normalise(phone)


def _generations(
    session: Session, customer_ids: set[int], records: set[str], identifiers: set[str]
) -> tuple[set[str], list[str]]:
    """Generations about them: for them, citing one of their records (an answer about all
    customers does), or naming them in the details; with the questions asked."""
    found: set[str] = set()
    questions: list[str] = []
    rows = session.execute(
        select(
            AuditEntry.output_id,
            AuditEntry.customer_id,
            AuditEntry.cited_records,
            AuditEntry.details,
        ).where(AuditEntry.action != ERASE_ACTION, AuditEntry.output_id.is_not(None))
    ).yield_per(1000)
    for output_id, customer_id, cited, details in rows:
        if (
            customer_id in customer_ids
            or records.intersection(cited or [])
            or _names(json.dumps(details, ensure_ascii=False), identifiers)
        ):
            found.add(output_id)
            if isinstance(details, dict) and details.get("question"):
                questions.append(str(details["question"]))
    return found, questions


def _conversations(session: Session, customer_ids: set[int], identifiers: set[str]) -> set[str]:
    """Conversations with a turn about them, or one that names them."""
    found: set[str] = set()
    rows = session.execute(
        select(
            ConversationTurn.conversation_id, ConversationTurn.customer_id, ConversationTurn.text
        )
    ).yield_per(1000)
    for conversation_id, customer_id, text in rows:
        if customer_id in customer_ids or _names(text, identifiers):
            found.add(conversation_id)
    return found


def _names(text: str | None, identifiers: set[str]) -> bool:
    """Whether free text holds one of the identifiers."""
    folded = normalise(text or "")
    return any(i in folded for i in identifiers)


def _gaps(session: Session, keys: set[str], identifiers: set[str]) -> set[int]:
    """Gaps counted from a question about them, or whose question names them."""
    found = set(session.scalars(select(KnowledgeGap.id).where(KnowledgeGap.question_key.in_(keys))))
    for gap_id, question in session.execute(select(KnowledgeGap.id, KnowledgeGap.question)):
        if _names(question, identifiers):
            found.add(gap_id)
    return found


def _quarantined(session: Session, identifiers: set[str]) -> set[int]:
    """Rejected rows holding one of their identifiers as a value (or naming it in the reason)."""
    found: set[int] = set()
    rows = session.execute(
        select(QuarantinedRow.id, QuarantinedRow.raw, QuarantinedRow.reason)
    ).yield_per(1000)
    for row_id, raw, reason in rows:
        values = set(_forms(_leaves(raw)))
        if values & identifiers or _names(reason, identifiers):
            found.add(row_id)
    return found


def _leaves(value: Any) -> Iterator[Any]:
    """The scalar values of a (nested) JSON value."""
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value
