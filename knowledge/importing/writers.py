"""Batch writers, one per entity: bulk insert / update of a batch plus its source_records.

A writer gets already-validated items, looks up in one query which external ids the source
already knows (content hash equal: unchanged; different: update in place; unknown: insert),
resolves references through cached source_records lookups, and writes with executemany.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from knowledge.errors import RowRejected
from knowledge.models import (
    Article,
    Base,
    Contact,
    Customer,
    Interaction,
    Order,
    OrderLine,
    Product,
    SourceRecord,
)

# SQLite allows 32766 bound parameters; IN lists stay well below it.
_IN_CHUNK = 5000


@dataclass
class Item:
    """One validated record waiting to be written."""

    row: int
    external_id: str
    values: dict[str, Any]
    content_hash: str
    raw: dict[str, Any]


@dataclass
class Outcome:
    """What writing one batch did (applied to the report only once the batch is saved)."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[Item, RowRejected]] = field(default_factory=list)


@dataclass
class _Known:
    record_id: int
    entity_id: int
    content_hash: str


class EntityWriter:
    """Writes one entity of one source; subclasses add references and child rows."""

    entity = ""
    model: type[Base] = Base

    def __init__(self, source: str, references: dict[str, str] | None = None) -> None:
        self.source = source
        self.references = references or {}
        self._ref_cache: dict[tuple[str, str], dict[str, int]] = {}

    def write(self, session: Session, items: list[Item]) -> Outcome:
        """Insert, update or skip each item; reference errors reject single items."""
        outcome = Outcome()
        known = self._known(session, self.entity, self.source, [i.external_id for i in items])
        self.prefetch(session, items)
        new: list[tuple[Item, dict[str, Any]]] = []
        changed: list[tuple[Item, dict[str, Any], _Known]] = []
        for item in items:
            before = known.get(item.external_id)
            if before is not None and before.content_hash == item.content_hash:
                outcome.unchanged += 1
                continue
            try:
                row = self.to_row(item)
            except RowRejected as e:
                outcome.rejected.append((item, e))
                continue
            if before is None:
                new.append((item, row))
            else:
                changed.append((item, row, before))
        self._adopt(session, new, changed)
        if new:
            ids = self.insert_rows(session, [row for _, row in new], [i for i, _ in new])
            session.execute(
                insert(SourceRecord),
                [
                    {
                        "entity": self.entity,
                        "source": self.source,
                        "external_id": item.external_id,
                        "entity_id": entity_id,
                        "content_hash": item.content_hash,
                    }
                    for (item, _), entity_id in zip(new, ids, strict=True)
                ],
            )
            outcome.inserted += len(new)
        if changed:
            self.update_rows(session, [(b.entity_id, row, i) for i, row, b in changed])
            now = datetime.now(UTC)
            session.execute(
                update(SourceRecord),
                [
                    {"id": b.record_id, "content_hash": i.content_hash, "imported_at": now}
                    for i, _, b in changed
                ],
            )
            outcome.updated += len(changed)
        return outcome

    # Hooks -----------------------------------------------------------------------------

    def prefetch(self, session: Session, items: list[Item]) -> None:
        """Load what to_row will look up (references) for the whole batch at once."""

    def to_row(self, item: Item) -> dict[str, Any]:
        """The table row of an item (references resolved); RowRejected when one is unknown."""
        return dict(item.values)

    def insert_rows(
        self, session: Session, rows: list[dict[str, Any]], items: list[Item]
    ) -> list[int]:
        """Insert rows, returning their ids in order."""
        stmt = insert(self.model).returning(self.model.id, sort_by_parameter_order=True)  # type: ignore[attr-defined]
        return list(session.scalars(stmt, rows).all())

    def update_rows(self, session: Session, rows: list[tuple[int, dict[str, Any], Item]]) -> None:
        """Update rows in place by primary key."""
        session.execute(update(self.model), [{"id": eid, **row} for eid, row, _ in rows])

    def _adopt(
        self,
        session: Session,
        new: list[tuple[Item, dict[str, Any]]],
        changed: list[tuple[Item, dict[str, Any], _Known]],
    ) -> None:
        """Turn new items that already exist under a global key into updates (products)."""

    # Lookups ---------------------------------------------------------------------------

    @staticmethod
    def _known(session: Session, entity: str, source: str, ext_ids: list[str]) -> dict[str, _Known]:
        out: dict[str, _Known] = {}
        for start in range(0, len(ext_ids), _IN_CHUNK):
            chunk = ext_ids[start : start + _IN_CHUNK]
            rows = session.execute(
                select(
                    SourceRecord.external_id,
                    SourceRecord.id,
                    SourceRecord.entity_id,
                    SourceRecord.content_hash,
                ).where(
                    SourceRecord.entity == entity,
                    SourceRecord.source == source,
                    SourceRecord.external_id.in_(chunk),
                )
            )
            out.update({ext: _Known(rid, eid, h) for ext, rid, eid, h in rows})
        return out

    def _load_refs(self, session: Session, entity: str, ext_ids: set[str]) -> None:
        source = self.references.get(entity, self.source)
        cache = self._ref_cache.setdefault((entity, source), {})
        missing = [e for e in ext_ids if e not in cache]
        if missing:
            found = self._known(session, entity, source, missing)
            cache.update({ext: k.entity_id for ext, k in found.items()})

    def _ref(self, entity: str, ext_id: str, field_name: str) -> int:
        source = self.references.get(entity, self.source)
        found = self._ref_cache.get((entity, source), {}).get(ext_id)
        if found is None:
            raise RowRejected(
                f"unknown {entity} {ext_id!r} in source {source!r} (import the {entity}s first)",
                field=field_name,
            )
        return found


class CustomerWriter(EntityWriter):
    entity = "customer"
    model = Customer


class ArticleWriter(EntityWriter):
    entity = "article"
    model = Article


class ContactWriter(EntityWriter):
    entity = "contact"
    model = Contact

    def prefetch(self, session: Session, items: list[Item]) -> None:
        self._load_refs(session, "customer", {i.values["customer_external_id"] for i in items})

    def to_row(self, item: Item) -> dict[str, Any]:
        row = dict(item.values)
        ext = row.pop("customer_external_id")
        row["customer_id"] = self._ref("customer", ext, "customer_external_id")
        return row


class InteractionWriter(EntityWriter):
    entity = "interaction"
    model = Interaction

    def prefetch(self, session: Session, items: list[Item]) -> None:
        self._load_refs(session, "customer", {i.values["customer_external_id"] for i in items})
        contacts = {i.values["contact_external_id"] for i in items}
        self._load_refs(session, "contact", {c for c in contacts if c})

    def to_row(self, item: Item) -> dict[str, Any]:
        row = dict(item.values)
        row["customer_id"] = self._ref(
            "customer", row.pop("customer_external_id"), "customer_external_id"
        )
        contact = row.pop("contact_external_id")
        row["contact_id"] = (
            self._ref("contact", contact, "contact_external_id") if contact else None
        )
        return row

    def update_rows(self, session: Session, rows: list[tuple[int, dict[str, Any], Item]]) -> None:
        # Changed text invalidates the enrichment (sentiment, intent) made from the old text.
        session.execute(
            update(Interaction),
            [{"id": eid, **row, "enriched_at": None} for eid, row, _ in rows],
        )


class ProductWriter(EntityWriter):
    entity = "product"
    model = Product

    def _adopt(
        self,
        session: Session,
        new: list[tuple[Item, dict[str, Any]]],
        changed: list[tuple[Item, dict[str, Any], _Known]],
    ) -> None:
        # SKUs are global: a product another source created is updated and linked, not doubled.
        skus = [row["sku"] for _, row in new]
        if not skus:
            return
        existing = dict(
            session.execute(select(Product.sku, Product.id).where(Product.sku.in_(skus)))
            .tuples()
            .all()
        )
        if not existing:
            return
        keep = []
        for item, row in new:
            pid = existing.get(row["sku"])
            if pid is None:
                keep.append((item, row))
                continue
            session.execute(
                insert(SourceRecord).values(
                    entity="product",
                    source=self.source,
                    external_id=item.external_id,
                    entity_id=pid,
                    content_hash="",  # filled by the update below
                )
            )
            rec_id = session.scalar(
                select(SourceRecord.id).where(
                    SourceRecord.entity == "product",
                    SourceRecord.source == self.source,
                    SourceRecord.external_id == item.external_id,
                )
            )
            changed.append((item, row, _Known(int(rec_id or 0), pid, "")))
        new[:] = keep


class OrderWriter(EntityWriter):
    entity = "order"
    model = Order

    def __init__(self, source: str, references: dict[str, str] | None = None) -> None:
        super().__init__(source, references)
        self._products: dict[str, tuple[int, str, str | None, str | None, str | None]] = {}

    def prefetch(self, session: Session, items: list[Item]) -> None:
        self._load_refs(session, "customer", {i.values["customer_external_id"] for i in items})
        skus = {ln["sku"] for i in items for ln in i.values["lines"] if ln["sku"]}
        missing = [s for s in skus if s not in self._products]
        for start in range(0, len(missing), _IN_CHUNK):
            rows = session.execute(
                select(
                    Product.sku, Product.id, Product.name, Product.category, Product.brand,
                    Product.taste,
                ).where(Product.sku.in_(missing[start : start + _IN_CHUNK]))
            )  # fmt: skip
            self._products.update({sku: (pid, n, c, b, t) for sku, pid, n, c, b, t in rows})

    def to_row(self, item: Item) -> dict[str, Any]:
        row = dict(item.values)
        row["customer_id"] = self._ref(
            "customer", row.pop("customer_external_id"), "customer_external_id"
        )
        lines = []
        for n, line in enumerate(row.pop("lines")):
            line = dict(line)
            product = self._products.get(line.pop("sku") or "")
            line["product_id"] = product[0] if product else None
            if product:
                # Lines inherit what the catalogue knows unless the order says otherwise.
                for key, value in zip(
                    ("product_name", "category", "brand", "taste"), product[1:], strict=True
                ):
                    line[key] = line[key] or value
            if not line["product_name"]:
                raise RowRejected(
                    "unknown sku and no product_name", field=f"lines[{n}].product_name"
                )
            lines.append(line)
        row["_lines"] = lines
        return row

    def insert_rows(
        self, session: Session, rows: list[dict[str, Any]], items: list[Item]
    ) -> list[int]:
        lines = [row.pop("_lines") for row in rows]
        ids = super().insert_rows(session, rows, items)
        self._insert_lines(session, ids, lines)
        return ids

    def update_rows(self, session: Session, rows: list[tuple[int, dict[str, Any], Item]]) -> None:
        lines = [row.pop("_lines") for _, row, _ in rows]
        ids = [eid for eid, _, _ in rows]
        super().update_rows(session, rows)
        session.execute(delete(OrderLine).where(OrderLine.order_id.in_(ids)))
        self._insert_lines(session, ids, lines)

    @staticmethod
    def _insert_lines(session: Session, ids: list[int], lines: list[list[dict[str, Any]]]) -> None:
        flat = [
            {**ln, "order_id": oid} for oid, group in zip(ids, lines, strict=True) for ln in group
        ]
        if flat:
            session.execute(insert(OrderLine), flat)


WRITERS: dict[str, type[EntityWriter]] = {
    "customer": CustomerWriter,
    "contact": ContactWriter,
    "product": ProductWriter,
    "order": OrderWriter,
    "interaction": InteractionWriter,
    "article": ArticleWriter,
}
