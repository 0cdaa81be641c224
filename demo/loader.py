"""Load the demo company through the importer and write its labelled questions with DB ids."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from demo.campaigns import load_demo_campaigns
from demo.common import DEFAULT_SEED, REFERENCE_DATE, Ref
from demo.generator import DemoData, generate
from demo.plan import Plan
from knowledge.errors import KnowledgeError
from knowledge.importing import ImportReport, import_records
from knowledge.importing.mapping import EntityMapping, SourceMapping
from knowledge.models import Article, Contact, Customer, Interaction, Order, Product, SourceRecord
from knowledge.settings import Settings

log = logging.getLogger(__name__)

_IN_CHUNK = 500


class DemoLoadError(KnowledgeError):
    """The demo data did not import cleanly (a generator or importer bug, never user input)."""

    code = "demo_load_failed"


@dataclass(frozen=True)
class BatchResult:
    """What the importer did with one (source, entity) batch."""

    source: str
    entity: str
    read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int


@dataclass(frozen=True)
class DemoSummary:
    """The outcome of load_demo: counts, import results and where the questions were written."""

    seed: int
    scale: float
    reference_date: str
    generated: dict[str, int]
    batches: list[BatchResult]
    questions: int
    planted: int
    duplicates: int
    unanswerable: int
    questions_path: Path
    questions_jsonl_path: Path
    seconds: float
    rejected_examples: list[str] = field(default_factory=list)

    def total(self, outcome: str) -> int:
        """Sum of one outcome (inserted, updated, unchanged, rejected) over all batches."""
        return sum(getattr(b, outcome) for b in self.batches)


def load_demo(
    sessions: sessionmaker[Session],
    settings: Settings,
    *,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
) -> DemoSummary:
    """Generate the demo company, import it (idempotent) and write <data_dir>/demo/questions.*."""
    started = time.perf_counter()
    data = generate(seed, scale)
    results, rejected = [], []
    for source, entity, refs, records in data.batches():
        mapping = None
        if refs != source:  # support-desk records refer to customers of another system
            part = EntityMapping(entity=entity, references={"customer": refs, "contact": refs})
            mapping = SourceMapping(f"demo-{entity}-via-{refs}", source, (part,))
        report: ImportReport = import_records(
            sessions,
            records,
            source=source,
            entity=entity,
            mapping=mapping,
            settings=settings.imports,
            file=f"demo:{source}/{entity}",
        )
        results.append(
            BatchResult(
                source,
                entity,
                report.read,
                report.inserted,
                report.updated,
                report.unchanged,
                report.rejected,
            )
        )
        rejected += [f"{source}/{entity} {r.where()}: {r.reason}" for r in report.rejected_rows]
    if rejected:
        # The generator writes valid records only: a rejection is a bug worth stopping for.
        raise DemoLoadError(f"{len(rejected)} demo records were rejected, first: {rejected[0]}")
    assert data.plan is not None
    load_demo_campaigns(sessions)
    out_dir = Path(settings.data_dir) / "demo"
    with sessions() as session:
        doc = questions_document(session, data)
    json_path, jsonl_path = write_questions(doc, out_dir)
    summary = DemoSummary(
        seed=seed,
        scale=scale,
        reference_date=REFERENCE_DATE.isoformat(),
        generated={
            e: data.count(e)
            for e in ("customer", "contact", "product", "order", "interaction", "article")
        },
        batches=results,
        questions=len(doc["questions"]),
        planted=len(doc["planted"]),
        duplicates=len(doc["duplicates"]),
        unanswerable=len(doc["unanswerable"]),
        questions_path=json_path,
        questions_jsonl_path=jsonl_path,
        seconds=time.perf_counter() - started,
    )
    log.info(
        "demo loaded in %.1f s: inserted %d, unchanged %d",
        summary.seconds,
        summary.total("inserted"),
        summary.total("unchanged"),
    )
    return summary


def resolve_ids(session: Session, refs: list[Ref]) -> dict[Ref, int]:
    """Database ids of generated records, looked up through source_records."""
    wanted: dict[tuple[str, str], set[str]] = {}
    for ref in refs:
        wanted.setdefault((ref.entity, ref.source), set()).add(ref.external_id)
    found: dict[Ref, int] = {}
    for (entity, source), ext_ids in wanted.items():
        ids = sorted(ext_ids)
        for start in range(0, len(ids), _IN_CHUNK):
            rows = session.execute(
                select(SourceRecord.external_id, SourceRecord.entity_id).where(
                    SourceRecord.entity == entity,
                    SourceRecord.source == source,
                    SourceRecord.external_id.in_(ids[start : start + _IN_CHUNK]),
                )
            )
            found.update({Ref(entity, source, ext): eid for ext, eid in rows})
    missing = [r for r in refs if r not in found]
    if missing:
        raise DemoLoadError(
            f"{len(missing)} planted records are not in the database, e.g. {missing[0]}"
        )
    return found


def questions_document(session: Session, data: DemoData) -> dict[str, Any]:
    """The questions.json document, with database record ids."""
    plan: Plan | None = data.plan
    assert plan is not None
    refs = [q.customer for q in plan.questions if q.customer] + [
        r for q in plan.questions for r in q.relevant
    ]
    refs += [p.customer for p in plan.planted] + [r for p in plan.planted for r in p.records]
    refs += [c for d in plan.duplicates for c in d.customers]
    refs += [u.customer for u in plan.unanswerable if u.customer]
    ids = resolve_ids(session, refs)

    def rid(ref: Ref) -> str:
        return f"{ref.entity}:{ids[ref]}"

    def scope(ref: Ref | None) -> dict[str, Any]:
        if ref is None:
            return {"kind": "knowledge_base"}
        return {"kind": "customer", "customer_id": ids[ref]}

    return {
        "seed": data.seed,
        "scale": data.scale,
        "reference_date": REFERENCE_DATE.isoformat(),
        "questions": [
            {
                "id": q.id,
                "query": q.query,
                "language": q.language,
                "category": q.category,
                "scope": scope(q.customer),
                "relevant_ids": [rid(r) for r in q.relevant],
            }
            for q in plan.questions
        ],
        "planted": [
            {
                "id": p.id,
                "customer_id": ids[p.customer],
                "description": p.description,
                "record_ids": [rid(r) for r in p.records],
                "facts": p.facts,
                "keywords": p.keywords,
            }
            for p in plan.planted
        ],
        "duplicates": [
            {
                "customer_ids": [ids[a], ids[b]],
                "variant": d.variant,
                "matching": d.matching,
                "sources": [a.source, b.source],
            }
            for d in plan.duplicates
            for a, b in [d.customers]
        ],
        "unanswerable": [
            {
                "query": u.query,
                "language": u.language,
                "customer_id": ids[u.customer] if u.customer else None,
            }
            for u in plan.unanswerable
        ],
    }


def write_questions(doc: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write questions.json (everything) and questions.jsonl (one retrieval question a line)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, jsonl_path = out_dir / "questions.json", out_dir / "questions.jsonl"
    json_path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    lines = [
        json.dumps(
            {
                "id": q["id"],
                "query": q["query"],
                "relevant_ids": q["relevant_ids"],
                "scope": q["scope"],
                "language": q["language"],
                "category": q["category"],
            },
            ensure_ascii=False,
        )
        for q in doc["questions"]
    ]
    jsonl_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return json_path, jsonl_path


def database_counts(session: Session) -> dict[str, int]:
    """Rows per table of the records the demo fills (whatever else the database holds too)."""
    tables = {
        "customers": Customer,
        "contacts": Contact,
        "products": Product,
        "orders": Order,
        "interactions": Interaction,
        "articles": Article,
    }
    return {
        name: session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in tables.items()
    }
