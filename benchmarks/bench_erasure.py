"""What exporting and erasing one person costs on a populated store (prints figures; not a test).

    python benchmarks/bench_erasure.py [--customers 2000] [--interactions 10] [--erase 3]

Builds a SQLite database, an embedded Chroma and the keyword index in a temporary folder
(FakeEmbedder: the cost measured is the erasure's, not the embedding's): N generated
customers, each with K interactions (a review, notes, e-mails with a unique word per
customer), an order, a conversation and an audit entry. Then, for --erase customers: the
export's time and size, the erasure's time per step (SQL, each index, compaction of the
database file) and a byte grep of the whole folder for the customer's unique word (must be
0 files). Printed with the store's sizes, as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from knowledge.db import make_engine, make_session_factory, migrate
from knowledge.erasure import erase_customer, export_customer
from knowledge.importing import import_records
from knowledge.journal import add_turn, write_audit
from knowledge.models import SourceRecord
from knowledge.settings import ImportSettings, Settings
from retrieval.service import build_retrieval

SETTINGS = ImportSettings(progress=False, batch_size=1000)
KINDS = ("review", "meeting_note", "email", "inquiry")


def word(i: int) -> str:
    return f"zqbench{i:06d}w"


def populate(settings: Settings, customers: int, per: int) -> dict[str, int]:
    """Import the generated company; returns external id -> customer id."""
    engine = make_engine(settings.database)
    migrate(engine)
    sessions = make_session_factory(engine)
    people = [
        {"external_id": f"c{i}", "name": f"Customer {i} {word(i)}", "email": f"{word(i)}@ex.jp"}
        for i in range(customers)
    ]
    import_records(sessions, people, source="bench", entity="customer", settings=SETTINGS)
    notes = [
        {
            "external_id": f"c{i}-i{n}",
            "customer_external_id": f"c{i}",
            "kind": KINDS[n % len(KINDS)],
            "occurred_at": f"2025-{n % 12 + 1:02d}-01T10:00:00+09:00",
            "language": "en",
            "subject": f"Note {n}",
            "body": f"Customer {word(i)} wrote about the humidifier, order {n} and a refund "
            f"request; the delivery was late and {word(i)} asked for a call back.",
        }
        for i in range(customers)
        for n in range(per)
    ]
    import_records(sessions, notes, source="bench", entity="interaction", settings=SETTINGS)
    orders = [
        {"external_id": f"c{i}-o", "customer_external_id": f"c{i}", "channel": "ec",
         "lines": [{"sku": "HUM-1", "product_name": "Humidifier", "quantity": 1,
                    "unit_price": 9800}]}
        for i in range(customers)
    ]  # fmt: skip
    import_records(sessions, orders, source="bench", entity="order", settings=SETTINGS)
    with sessions() as s:
        ids = {
            r.external_id: r.entity_id for r in s.query(SourceRecord).filter_by(entity="customer")
        }
    for i in range(customers):
        cid = ids[f"c{i}"]
        add_turn(
            sessions, f"conv{i}", role="user", text=f"What did {word(i)} say?", customer_id=cid
        )
        write_audit(sessions, output_id=f"out{i}", actor="bench", action="answer",
                    customer_id=cid, cited_records=[], model="fake",
                    details={"question": f"What did {word(i)} say?"})  # fmt: skip
    engine.dispose()
    return ids


def size_mb(root: Path) -> float:
    """Megabytes of a folder, or of a file with its -wal / -shm companions."""
    if root.is_dir():
        return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) / 1e6
    return sum(p.stat().st_size for p in root.parent.glob(root.name + "*")) / 1e6


def grep(root: Path, text: str) -> int:
    needle = text.encode()
    return sum(1 for p in root.rglob("*") if p.is_file() and needle in p.read_bytes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--interactions", type=int, default=10)
    parser.add_argument("--erase", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kizuna-bench-erasure-") as tmp:
        data = Path(tmp)
        settings = Settings(environment="test", data_dir=data, llm={"mode": "fake"})  # type: ignore[arg-type]
        settings.retrieval.embedder = "fake-64"
        started = time.perf_counter()
        ids = populate(settings, args.customers, args.interactions)
        engine = make_engine(settings.database)
        sessions = make_session_factory(engine)
        retrieval = build_retrieval(settings.retrieval, sessions)
        retrieval.index(progress=False)
        built = time.perf_counter() - started
        chroma, keyword = settings.retrieval.chroma_path, settings.retrieval.keyword_index_path
        print(
            f"store: {args.customers:,} customers × {args.interactions} interactions, "
            f"{retrieval.keywords.count():,} chunks; database {size_mb(data / 'kizuna.db'):.1f} "
            f"MB, Chroma {size_mb(Path(chroma)):.1f} MB, keyword {size_mb(Path(keyword)):.1f} MB"
            f" (built in {built:.0f} s)\n"
        )
        columns = ("customer", "export s", "export KB", "sql s", "vector s", "keyword s")
        columns += ("compact s", "total s", "files holding their word after")
        print("| " + " | ".join(columns) + " |\n" + "|---" * len(columns) + "|")
        places = retrieval.customer_places()
        step = max(1, args.customers // max(1, args.erase))
        for i in range(0, step * args.erase, step):
            cid = ids[f"c{i}"]
            assert grep(data, word(i)) > 0
            t0 = time.perf_counter()
            exported = json.dumps(export_customer(sessions, cid, places), ensure_ascii=False)
            t_export = time.perf_counter() - t0
            t0 = time.perf_counter()
            report = erase_customer(sessions, cid, actor="bench", indexes=places)
            total = time.perf_counter() - t0
            sec = report.seconds
            print(
                f"| c{i} | {t_export:.2f} | {len(exported.encode()) / 1000:.0f} | {sec['sql']:.2f} "
                f"| {sec['index:vector']:.2f} | {sec['index:keyword']:.2f} | "
                f"{sec.get('compact', 0):.2f} | {total:.2f} | {grep(data, word(i))} |"
            )
        other = word(args.customers - 1)  # never erased unless every customer is
        print(f"\nan untouched customer's word is still in {grep(data, other)} files")
        check = retrieval.check()
        print(f"index check: missing {len(check.missing)}, orphaned {len(check.orphaned)}, "
              f"stale {len(check.stale)}")  # fmt: skip
        engine.dispose()


if __name__ == "__main__":
    main()
