"""Import throughput and memory (prints figures; not a test).

    python benchmarks/bench_import.py [--rows 100000] [--big-rows 1000000] [--no-postgres]
                                      [--json-rows 1000000]

1. rows/s importing N generated customer rows through `import_records` on SQLite and on
   PostgreSQL (a database created and dropped here), next to a raw baseline measured in the
   same run: a plain executemany INSERT of the same rows into the same table.
2. peak memory (max RSS of a child process) importing a JSONL file of --big-rows rows.
3. records/s of the streaming JSON reader alone (readers.read_json, ijson) on a JSON list of
   --json-rows rows (0 skips it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.db import make_engine, make_session_factory, migrate
from knowledge.importing import import_file, import_records, readers
from knowledge.models import Customer
from knowledge.settings import DatabaseSettings, ImportSettings

PG_ADMIN = os.environ.get(
    "KIZUNA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SETTINGS = ImportSettings(progress=False, batch_size=1000)
FAMILY = ["山田", "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"]
GIVEN = ["太郎", "花子", "一郎", "美咲", "健", "陽子", "翔", "愛", "大輔", "さくら"]


def rows(n: int, start: int = 0) -> list[dict]:
    """Generated canonical customer rows (Japanese names, e-mail, phone)."""
    return [row(i) for i in range(start, start + n)]


def row(i: int) -> dict:
    return {
        "external_id": f"c{i}",
        "name": f"{FAMILY[i % 10]} {GIVEN[(i // 10) % 10]}{i}",
        "email": f"user{i}@example.jp",
        "phone": f"090-{i // 10000 % 10000:04d}-{i % 10000:04d}",
        "postal_code": "150-0001",
        "address": f"東京都渋谷区神宮前{i % 6 + 1}-{i % 30 + 1}-{i % 9 + 1}",
        "language": "ja",
        "custom_attributes": {"rank": "gold" if i % 7 == 0 else "regular"},
    }


def bench(url: str, n: int) -> tuple[float, float]:
    """(import rows/s, raw executemany rows/s) on a fresh database at url."""
    engine = make_engine(DatabaseSettings(url=url))
    migrate(engine)
    sessions = make_session_factory(engine)
    data = rows(n)
    t = time.perf_counter()
    report = import_records(sessions, data, source="bench", entity="customer", settings=SETTINGS)
    imported = time.perf_counter() - t
    assert report.inserted == n, report
    # Raw baseline: the same number of rows, already in table form, straight executemany.
    raw = [
        {"name": r["name"], "name_key": "", "email": r["email"].replace("@", "+raw@"),
         "phone": None, "postal_code": "1500001", "address": r["address"], "language": "ja",
         "custom_attributes": r["custom_attributes"]}
        for r in data
    ]  # fmt: skip
    t = time.perf_counter()
    with engine.begin() as conn:
        for i in range(0, n, 1000):
            conn.execute(insert(Customer), raw[i : i + 1000])
    baseline = time.perf_counter() - t
    t = time.perf_counter()
    again = import_records(sessions, data, source="bench", entity="customer", settings=SETTINGS)
    rerun = time.perf_counter() - t
    assert again.unchanged == n
    engine.dispose()
    print(f"  re-import (all unchanged): {n / rerun:,.0f} rows/s")
    return n / imported, n / baseline


def big_file_child(path: str, db: str) -> None:
    """Runs in a child process: import the big file, print rows/s and max RSS."""
    engine = make_engine(DatabaseSettings(url=f"sqlite:///{db}"))
    migrate(engine)
    t = time.perf_counter()
    report = import_file(make_session_factory(engine), path, source="big", settings=SETTINGS,
                         entity="customer")  # fmt: skip
    took = time.perf_counter() - t
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"rows": report.inserted, "seconds": took, "max_rss_mb": rss_mb}))


def bench_json_read(path: Path, n: int) -> None:
    """Write n rows as one JSON list, then time reading them back (best of three)."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[")
        for i in range(n):
            fh.write(("," if i else "") + json.dumps(row(i), ensure_ascii=False))
        fh.write("]")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        count = sum(1 for r in readers.read_json(path) if r.data is not None)
        times.append(time.perf_counter() - t)
        assert count == n
    size_mb = path.stat().st_size / 1e6
    print(
        f"{n:,}-row JSON list ({size_mb:,.0f} MB), read_json only: "
        f"{n / min(times):,.0f} records/s (best of 3; median {n / sorted(times)[1]:,.0f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--big-rows", type=int, default=1_000_000)
    parser.add_argument("--json-rows", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        big_file_child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{args.rows:,} customer rows via import_records (batch {SETTINGS.batch_size}):")
        imp, raw = bench(f"sqlite:///{tmp}/bench.db", args.rows)
        print(f"  SQLite:     import {imp:,.0f} rows/s; raw executemany {raw:,.0f} rows/s")
        if not args.no_postgres:
            name = f"kizuna_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                imp, raw = bench(PG_ADMIN.rsplit("/", 1)[0] + f"/{name}", args.rows)
                print(f"  PostgreSQL: import {imp:,.0f} rows/s; raw executemany {raw:,.0f} rows/s")
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
        big = Path(tmp) / "big.jsonl"
        with big.open("w", encoding="utf-8") as fh:
            for i in range(args.big_rows):
                fh.write(json.dumps(row(i), ensure_ascii=False) + "\n")
        size_mb = big.stat().st_size / 1e6
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(big), f"{tmp}/big.db"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{result['rows']:,}-row JSONL file ({size_mb:,.0f} MB) into SQLite: "
            f"{result['rows'] / result['seconds']:,.0f} rows/s, "
            f"peak memory (max RSS of the importing process) {result['max_rss_mb']:,.0f} MB"
        )
        big.unlink()
        if args.json_rows:
            bench_json_read(Path(tmp) / "big.json", args.json_rows)


if __name__ == "__main__":
    main()
