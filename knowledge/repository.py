"""Read access to customers and their records, handed out as plain typed records.

Every function takes an open Session and returns records from knowledge/records.py; a customer
id of a merged customer resolves to the survivor, so callers holding an old id still see the
customer's current data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import jaconv
from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import ColumnElement

from knowledge.errors import CustomerNotFound, RecordNotFound, RowRejected
from knowledge.models import (
    Article,
    Contact,
    Customer,
    Interaction,
    Order,
    Product,
    SourceRecord,
)
from knowledge.normalize import canonical_email, canonical_phone, name_key, normalize_text
from knowledge.records import (
    ArticleRecord,
    ContactRecord,
    CustomerRecord,
    InteractionRecord,
    OrderLineRecord,
    OrderRecord,
)
from knowledge.visibility import EVERYTHING, Visibility
from knowledge.vocabulary import OPEN_STATUSES

MAX_MERGE_HOPS = 16  # a longer chain means a cycle: refuse instead of looping
_PHONE_CHARS = re.compile(r"^[+0-9()\-\s.]+$")


def resolve_customer_id(session: Session, customer_id: int) -> int:
    """The id of the customer that now holds customer_id's data (follows merged_into_id)."""
    current = customer_id
    for _ in range(MAX_MERGE_HOPS):
        row = session.execute(
            select(Customer.id, Customer.merged_into_id).where(Customer.id == current)
        ).first()
        if row is None:
            raise CustomerNotFound(customer_id)
        if row.merged_into_id is None:
            return current
        current = row.merged_into_id
    raise CustomerNotFound(f"{customer_id} (merge chain too long or cyclic)")


def get_customer(session: Session, customer_id: int) -> CustomerRecord:
    """The customer (the survivor when customer_id was merged); CustomerNotFound otherwise."""
    survivor = session.get(Customer, resolve_customer_id(session, customer_id))
    if survivor is None:  # deleted between the two reads
        raise CustomerNotFound(customer_id)
    return CustomerRecord.model_validate(survivor)


def find_customers(
    session: Session, query: str, limit: int = 20, visibility: Visibility = EVERYTHING
) -> list[CustomerRecord]:
    """Active customers visible to `visibility` whose name, kana, e-mail or phone matches
    query (normalised, partial)."""
    text = normalize_text(query)
    if text is None:
        return []
    exact, partial = _search_conditions(text)
    seen = visibility.customer_clause()
    active = (
        Customer.merged_into_id.is_(None)
        if seen is None
        else and_(Customer.merged_into_id.is_(None), seen)
    )
    if "@" in text and exact:
        # A whole e-mail address: the indexed exact match answers without scanning the table.
        stmt = select(Customer).where(active, or_(*exact))
        hits = [CustomerRecord.model_validate(c) for c in session.scalars(stmt.limit(limit))]
        if hits:
            return hits
    rank: ColumnElement[int] = (
        case(*((cond, i) for i, cond in enumerate(exact)), else_=len(exact))
        if exact
        else literal(0)
    )
    stmt = (
        select(Customer)
        .where(active, or_(*exact, *partial))
        .order_by(rank, Customer.id)
        .limit(limit)
    )
    return [CustomerRecord.model_validate(c) for c in session.scalars(stmt)]


def _search_conditions(text: str) -> tuple[list[ColumnElement[bool]], list[ColumnElement[bool]]]:
    """(exact, partial) conditions for a normalised query; exact ones rank first."""
    exact: list[ColumnElement[bool]] = []
    partial: list[ColumnElement[bool]] = []
    lowered = text.lower()
    if "@" in text:
        try:
            email = canonical_email(text)
        except RowRejected:
            email = None
        if email:
            exact.append(Customer.email == email)  # indexed
        partial.append(Customer.email.contains(lowered, autoescape=True))
        return exact, partial
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 4 and _PHONE_CHARS.match(text):
        try:
            phone = canonical_phone(text)
        except RowRejected:
            phone = None
        if phone:
            exact.append(Customer.phone == phone)  # indexed
        # Stored phones are E.164 (+81...): a national prefix 0 is not in them.
        partial.append(Customer.phone.contains(digits.lstrip("0") or digits, autoescape=True))
        return exact, partial
    key = name_key(text)
    if key:
        exact.append(Customer.name_key == key)  # indexed
        partial.append(Customer.name_key.contains(key, autoescape=True))
    exact.append(func.lower(Customer.name) == lowered)
    partial.append(func.lower(Customer.name).contains(lowered, autoescape=True))
    kana = jaconv.hira2kata(text)
    partial.append(Customer.name_kana.contains(kana, autoescape=True))
    return exact, partial


def list_contacts(session: Session, customer_id: int) -> list[ContactRecord]:
    """The customer's contacts, decision makers first."""
    cid = resolve_customer_id(session, customer_id)
    rows = session.scalars(
        select(Contact)
        .where(Contact.customer_id == cid)
        .order_by(Contact.is_decision_maker.desc(), Contact.id)
    )
    return [ContactRecord.model_validate(c) for c in rows]


def list_orders(session: Session, customer_id: int, limit: int | None = None) -> list[OrderRecord]:
    """The customer's orders with their lines, newest first (undated orders last)."""
    cid = resolve_customer_id(session, customer_id)
    stmt = (
        select(Order)
        .where(Order.customer_id == cid)
        .options(selectinload(Order.lines))
        .order_by(Order.ordered_at.is_(None), Order.ordered_at.desc(), Order.id.desc())
        .limit(limit)
    )
    orders = list(session.scalars(stmt))
    return [_order_record(session, o) for o in orders]


def _order_record(session: Session, order: Order) -> OrderRecord:
    skus = _skus(session, [line.product_id for line in order.lines if line.product_id])
    lines = [
        OrderLineRecord.model_validate(line).model_copy(update={"sku": skus.get(line.product_id)})
        for line in sorted(order.lines, key=lambda line: line.id)
    ]
    record = OrderRecord.model_validate(order)
    return record.model_copy(update={"lines": lines})


def _skus(session: Session, product_ids: Sequence[int | None]) -> dict[int | None, str]:
    ids = {p for p in product_ids if p is not None}
    if not ids:
        return {}
    return dict(
        session.execute(select(Product.id, Product.sku).where(Product.id.in_(ids))).tuples().all()
    )


def list_interactions(
    session: Session,
    customer_id: int,
    *,
    kinds: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
    limit: int | None = None,
) -> list[InteractionRecord]:
    """The customer's interactions, newest first, optionally only some kinds or statuses."""
    cid = resolve_customer_id(session, customer_id)
    stmt = select(Interaction).where(Interaction.customer_id == cid)
    if kinds:
        stmt = stmt.where(Interaction.kind.in_(list(kinds)))
    if statuses:
        stmt = stmt.where(Interaction.status.in_(list(statuses)))
    stmt = stmt.order_by(Interaction.occurred_at.desc(), Interaction.id.desc()).limit(limit)
    return [InteractionRecord.model_validate(i) for i in session.scalars(stmt)]


def count_open_interactions(session: Session, customer_id: int) -> int:
    """How many of the customer's interactions are open or pending."""
    cid = resolve_customer_id(session, customer_id)
    return int(
        session.execute(
            select(func.count(Interaction.id)).where(
                Interaction.customer_id == cid, Interaction.status.in_(OPEN_STATUSES)
            )
        ).scalar()
        or 0
    )


def _parse_record_id(record_id: str) -> tuple[str, int]:
    kind, _, raw = record_id.partition(":")
    if not raw.isdigit():
        raise RecordNotFound(record_id)
    return kind, int(raw)


def get_record(
    session: Session, record_id: str
) -> InteractionRecord | ArticleRecord | OrderRecord | CustomerRecord:
    """The record behind an id like ``interaction:12``, ``article:3``, ``order:7`` or
    ``profile:5`` (the customer's card; ``customer:5`` too; a merged id gives the survivor)."""
    kind, pk = _parse_record_id(record_id)
    if kind in ("profile", "customer"):
        try:
            return get_customer(session, pk)
        except CustomerNotFound as e:
            raise RecordNotFound(record_id) from e
    if kind == "interaction":
        interaction = session.get(Interaction, pk)
        if interaction is not None:
            return InteractionRecord.model_validate(interaction)
    elif kind == "article":
        article = session.get(Article, pk)
        if article is not None:
            return ArticleRecord.model_validate(article)
    elif kind == "order":
        order = session.get(Order, pk, options=[selectinload(Order.lines)])
        if order is not None:
            return _order_record(session, order)
    raise RecordNotFound(record_id)


def record_customer_id(session: Session, record_id: str) -> int | None:
    """The (surviving) customer a record belongs to; None for knowledge-base articles."""
    kind, pk = _parse_record_id(record_id)
    owner: int | None
    if kind == "article":
        if session.get(Article, pk) is None:
            raise RecordNotFound(record_id)
        return None
    if kind == "interaction":
        owner = session.execute(
            select(Interaction.customer_id).where(Interaction.id == pk)
        ).scalar()
    elif kind == "order":
        owner = session.execute(select(Order.customer_id).where(Order.id == pk)).scalar()
    elif kind in ("customer", "profile"):
        owner = session.execute(select(Customer.id).where(Customer.id == pk)).scalar()
    else:
        owner = None
    if owner is None:
        raise RecordNotFound(record_id)
    return resolve_customer_id(session, owner)


def customer_by_source(session: Session, source: str, external_id: str) -> int | None:
    """The customer a source's external id names (the survivor when merged), or None."""
    found = session.scalar(
        select(SourceRecord.entity_id).where(
            SourceRecord.entity == "customer",
            SourceRecord.source == source,
            SourceRecord.external_id == external_id,
        )
    )
    return resolve_customer_id(session, found) if found is not None else None


def source_ids(session: Session, customer_id: int) -> list[tuple[str, str]]:
    """(source, external id) of the customer and of every customer merged into it."""
    cid = resolve_customer_id(session, customer_id)
    merged = select(Customer.id).where(Customer.merged_into_id == cid)
    rows = (
        session.execute(
            select(SourceRecord.source, SourceRecord.external_id)
            .where(
                SourceRecord.entity == "customer",
                or_(SourceRecord.entity_id == cid, SourceRecord.entity_id.in_(merged)),
            )
            .order_by(SourceRecord.source, SourceRecord.external_id)
        )
        .tuples()
        .all()
    )
    return list(rows)
