"""Where a customer's data lives: one entry per table, read by export and by erasure alike.

A new table with customer data is one line here: `by_customer("campaign_messages")` for a
table with a customer_id column, `by_parent("campaign_events", "message_id",
"campaign_messages")` for one that reaches the customer through another table, or a `Place`
with its own condition on the Subject. A test
fails while a table with a customer_id column (or a foreign key to customers) is missing,
and while any table is in neither PLACES nor NO_CUSTOMER_DATA.

What erasure does per place:
- "delete": the rows go.
- "keep": the rows stay as they are (orders and their lines: the accounting record of a
  sale must be kept — Japan's tax law asks for seven years — and holds no personal text;
  they stay attached to the tombstoned customer row).
- "scrub": the rows stay with the listed columns replaced (audit entries: who generated
  what and when is kept, the details and cited records about the person are not).
Customers are special: a record still holding orders becomes a tombstone, the others go.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import ColumnElement, Table, and_, or_, select

from knowledge.erasure.subject import ERASE_ACTION, ERASED_NAME, Subject
from knowledge.models import Base

Action = Literal["delete", "keep", "scrub", "tombstone"]
Condition = Callable[[Table, Subject], ColumnElement[bool]]

ERASED_STAGE = "erased"
# The customer row that must remain (it holds orders) keeps only what is not about the person.
CUSTOMER_TOMBSTONE: Mapping[str, Any] = {
    "name": ERASED_NAME,
    "name_kana": None,
    "name_key": "",
    "email": None,
    "phone": None,
    "postal_code": None,
    "address": None,
    "region": None,
    "country": None,
    "age_band": None,
    "gender": None,
    "industry": None,
    "company_size": None,
    "annual_revenue": None,
    "owner": None,
    "team": None,
    "email_opt_out": True,  # never mail a tombstone
    "custom_attributes": {},
    "lifecycle_stage": ERASED_STAGE,
}


@dataclass(frozen=True)
class Place:
    """One table and which of its rows belong to the person."""

    table: str
    where: Condition
    action: Action = "delete"
    # column -> value, for "scrub" and for the rows a "tombstone" keeps
    scrub: Mapping[str, Any] = field(default_factory=dict)


def by_customer(table: str, column: str = "customer_id", action: Action = "delete") -> Place:
    """A table whose rows carry the customer's id in `column`."""
    return Place(table, lambda t, s: t.c[column].in_(s.customer_ids), action)


def by_parent(
    table: str,
    column: str,
    parent: str,
    parent_column: str = "customer_id",
    action: Action = "delete",
) -> Place:
    """A table whose rows point (by `column`) at rows of `parent` that carry the customer's id
    (delivery events of a customer's messages). List it before its parent: erasure runs in
    registry order and finds the rows through the parent's."""

    def where(t: Table, s: Subject) -> ColumnElement[bool]:
        p = Base.metadata.tables[parent]
        return t.c[column].in_(select(p.c.id).where(p.c[parent_column].in_(s.customer_ids)))

    return Place(table, where, action)


def _ids(attribute: str, column: str = "id") -> Condition:
    return lambda t, s: t.c[column].in_(getattr(s, attribute))


def _source_records(t: Table, s: Subject) -> ColumnElement[bool]:
    # An order's source record stays with the order; the person's own ids go.
    return or_(
        and_(t.c.entity == "customer", t.c.entity_id.in_(s.customer_ids)),
        and_(t.c.entity == "contact", t.c.entity_id.in_(s.contact_ids)),
        and_(t.c.entity == "interaction", t.c.entity_id.in_(s.interaction_ids)),
    )


def _audit(t: Table, s: Subject) -> ColumnElement[bool]:
    # Generations about them, and the reads of their data (ids only, no output). The
    # erasure's own entries are the proof that it happened; they hold no personal data.
    about = or_(
        t.c.output_id.in_(s.output_ids),
        and_(t.c.output_id.is_(None), t.c.customer_id.in_(s.customer_ids)),
    )
    return and_(about, t.c.action != ERASE_ACTION)


# Erasure runs in this order: rows that point at others go before those they point at.
PLACES: tuple[Place, ...] = (
    Place("feedback", _ids("output_ids", "output_id")),
    Place("knowledge_gaps", _ids("gap_ids")),
    Place("quarantine", _ids("quarantine_ids")),
    Place("conversation_turns", _ids("conversation_ids", "conversation_id")),
    Place("audit_log", _audit, "scrub", {"details": {"erased": True}, "cited_records": []}),
    Place(
        "merge_log",
        lambda t, s: or_(t.c.survivor_id.in_(s.customer_ids), t.c.merged_id.in_(s.customer_ids)),
    ),
    Place("source_records", _source_records),
    by_parent("campaign_events", "message_id", "campaign_messages"),
    by_customer("campaign_messages"),  # the drafts written to them, with their e-mail address
    by_customer("campaign_enrolments"),
    by_customer("customer_metrics"),
    by_customer("interactions"),  # with their enrichment (sentiment, intent, injection flags)
    by_customer("contacts"),
    by_parent("order_lines", "order_id", "orders", action="keep"),
    by_customer("orders", action="keep"),
    Place("customers", _ids("customer_ids"), "tombstone", CUSTOMER_TOMBSTONE),
)

# Tables that hold nothing about a customer, with the reason.
NO_CUSTOMER_DATA: Mapping[str, str] = {
    "products": "the catalogue",
    "articles": "knowledge-base articles, written by staff",
    "import_runs": "counts and file names of import batches (rejected rows: quarantine)",
    "api_keys": "staff keys",
    "alembic_version": "the schema revision",
    "campaigns": "campaign definitions: conditions, steps and offers written by staff",
    "campaign_runs": "drafting runs: counts, progress and who started them",
    "customer_metrics_state": "one fingerprint of the data the stored metrics were computed from",
    "audiences": "saved audience conditions (fields and values, never a customer id or name)",
}


def covered_tables() -> set[str]:
    """Every table the registry has an entry for."""
    return {p.table for p in PLACES}


def table_of(place: Place) -> Table:
    """The SQLAlchemy table of a place (KeyError naming it when the table does not exist)."""
    try:
        return Base.metadata.tables[place.table]
    except KeyError as e:
        raise KeyError(f"erasure registry: no table {place.table!r} in the models") from e
