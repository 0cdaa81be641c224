"""Audience counts at scale: 100k customers (+orders, interactions) on SQLite or PostgreSQL.

Generates the synthetic company of bench_analytics.py (regions, consent, custom attributes and
interactions added), refreshes the stored customer metrics once, then times `count` for several
conditions (median of --repeat runs) next to a raw-SQL baseline: the same first condition
written by hand, and a plain count of the active customers; then the same counts as a
marketing key whose policy is `team` (customers are spread over 4 teams). Usage:

    python benchmarks/bench_audiences.py                     # 100k customers, SQLite
    python benchmarks/bench_audiences.py --customers 10000   # quicker
    python benchmarks/bench_audiences.py --pg                # PostgreSQL on 127.0.0.1:5432:
                                                             # creates and drops its own database
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any, cast

from sqlalchemy import JSON, Engine, Table, bindparam, create_engine, insert, text, update

sys.path.insert(0, str(Path(__file__).parent))
from bench_analytics import START, generate

from knowledge.audiences import count
from knowledge.customer_metrics import ensure_metrics, refresh_metrics
from knowledge.db import make_engine, make_session_factory, migrate
from knowledge.models import Customer, Interaction
from knowledge.settings import AnalyticsSettings, DatabaseSettings, VisibilitySettings
from knowledge.visibility import Visibility

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REGIONS = ["東京都", "大阪府", "神奈川県", "愛知県", "福岡県", "北海道", "京都府", "兵庫県"]
NOW = START + timedelta(days=3 * 365 + 30)
CONDITIONS: dict[str, dict[str, Any]] = {
    "segment in (dormant, at_risk)": {
        "field": "segment", "op": "in", "value": ["dormant", "at_risk"],
    },
    "segment + first order within 400 days + no open complaint": {"all": [
        {"field": "segment", "op": "in", "value": ["dormant", "at_risk", "new"]},
        {"field": "first_order_at", "op": "within_days", "value": 400},
        {"not": {"field": "has_open_complaint", "op": "is", "value": True}},
    ]},
    "LTV > 50,000 and favourite category skincare": {"all": [
        {"field": "ltv", "op": "gt", "value": 50000},
        {"field": "favourite_category", "op": "eq", "value": "skincare"},
    ]},
    "F2: one order, first order 30-90 days ago, opted in": {"all": [
        {"field": "f2_status", "op": "eq", "value": "first_only"},
        {"field": "first_order_at", "op": "more_than_days_ago", "value": 30},
        {"field": "first_order_at", "op": "within_days", "value": 90},
        {"field": "marketing_opt_in", "op": "is", "value": True},
    ]},
    "region in (東京都, 大阪府) or custom.plan = gold": {"any": [
        {"field": "region", "op": "in", "value": ["東京都", "大阪府"]},
        {"field": "custom.plan", "op": "eq", "value": "gold"},
    ]},
    "not contacted in 90 days, no open ticket": {"all": [
        {"not": {"field": "last_contacted_at", "op": "within_days", "value": 90}},
        {"field": "has_open_ticket", "op": "is", "value": False},
    ]},
}  # fmt: skip
RAW_FIRST = (
    "SELECT count(*) FROM customers c LEFT JOIN customer_metrics m ON m.customer_id = c.id "
    "WHERE c.merged_into_id IS NULL AND m.segment IN ('dormant', 'at_risk')"
)
RAW_ACTIVE = "SELECT count(*) FROM customers WHERE merged_into_id IS NULL"
TEAMS = ["east", "west", "north", "south"]  # by customer id, outside the seeded draws
TEAM_VIEWER = Visibility.of("marketing", "bench", ["east"], VisibilitySettings(marketing="team"))


def decorate(engine: Engine, customers: int, seed: int) -> int:
    """Regions, consent, custom attributes and ~1.5 interactions per customer; the interactions."""
    rng = random.Random(seed + 1)
    kinds = ["email", "inquiry", "review", "call", "ticket"]
    with engine.begin() as conn:
        rows = [
            {
                "cid": i,
                "region": rng.choice(REGIONS),
                "opt_out": rng.random() < 0.08,
                "attrs": (
                    {"plan": rng.choice(["gold", "silver", "bronze"])} if rng.random() < 0.3 else {}
                ),
            }
            for i in range(1, customers + 1)
        ]
        table = cast(Table, Customer.__table__)
        conn.execute(
            update(table)
            .where(table.c.id == bindparam("cid"))
            .values(
                region=bindparam("r"),
                email_opt_out=bindparam("o"),
                custom_attributes=bindparam("a", type_=JSON),
                team=bindparam("t"),
            ),
            [
                {
                    "cid": r["cid"],
                    "r": r["region"],
                    "o": r["opt_out"],
                    "a": r["attrs"],
                    "t": TEAMS[r["cid"] % len(TEAMS)],
                }
                for r in rows
            ],
        )
        interactions = []
        for cid in range(1, customers + 1):
            for _ in range(int(rng.expovariate(1 / 1.5))):
                kind = rng.choice(kinds)
                open_ = kind in ("inquiry", "ticket") and rng.random() < 0.2
                interactions.append(
                    {
                        "customer_id": cid,
                        "kind": kind,
                        "occurred_at": START + timedelta(days=rng.randrange(0, 3 * 365 + 30)),
                        "body": "…",
                        "status": ("open" if open_ else "resolved")
                        if kind in ("inquiry", "ticket")
                        else None,
                        "intent": "complaint" if open_ and rng.random() < 0.5 else None,
                    }
                )
        for k in range(0, len(interactions), 20_000):
            conn.execute(insert(Interaction), interactions[k : k + 20_000])
    return len(interactions)


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median seconds of `repeat` runs, and the last result."""
    times, value = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), value


@contextmanager
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, dropped afterwards."""
    name = f"kizuna_bench_aud_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run(url: str, args: argparse.Namespace) -> None:
    engine = make_engine(DatabaseSettings(url=url))
    migrate(engine)
    sessions = make_session_factory(engine)
    print(f"database {engine.url.render_as_string(hide_password=True)}")
    t0 = time.perf_counter()
    orders = generate(engine, args.customers, args.orders_per_customer, args.seed)
    n_inter = decorate(engine, args.customers, args.seed)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    print(
        f"generated {args.customers:,} customers, {orders:,} orders, {n_inter:,} interactions"
        f" in {time.perf_counter() - t0:.1f} s"
    )
    settings = AnalyticsSettings()
    with sessions() as s:
        t0 = time.perf_counter()
        rows = refresh_metrics(s, settings)
        s.commit()
        print(f"{'refresh customer metrics (once per data change)':<58} "
              f"{time.perf_counter() - t0:7.3f} s  {rows:,} rows")  # fmt: skip
        if engine.dialect.name == "postgresql":
            s.execute(text("ANALYZE customer_metrics"))
            s.commit()
        check, _ = timed(lambda: ensure_metrics(s, settings), args.repeat)
        print(f"{'freshness check (nothing changed)':<58} {check:7.3f} s")
        raw_first, raw_n = timed(lambda: s.execute(text(RAW_FIRST)).scalar(), args.repeat)
        raw_active, _ = timed(lambda: s.execute(text(RAW_ACTIVE)).scalar(), args.repeat)
        print(f"{'raw SQL: segment in (dormant, at_risk), hand-written':<58} "
              f"{raw_first:7.3f} s  {raw_n:,}")  # fmt: skip
        print(f"{'raw SQL: count of active customers':<58} {raw_active:7.3f} s")
        worst = 0.0
        for i, (label, condition) in enumerate(CONDITIONS.items()):
            secs, n = timed(partial(count, s, condition, NOW, settings), args.repeat)
            worst = max(worst, secs)
            ratio = f"  x{secs / raw_first:.2f} of hand-written" if i == 0 else ""
            print(f"{label:<58} {secs:7.3f} s  {n:,}{ratio}")
        print(f"slowest count: {worst:.3f} s ({worst / raw_active:.1f}x the active-customer count)")
        for label, condition in CONDITIONS.items():
            run_team = partial(count, s, condition, NOW, settings, TEAM_VIEWER)
            secs, n = timed(run_team, args.repeat)
            print(f"{'team key: ' + label:<58} {secs:7.3f} s  {n:,}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders-per-customer", type=float, default=5.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL on 127.0.0.1:5432")
    args = parser.parse_args()
    if args.pg:
        with pg_database() as url:
            run(url, args)
        return
    path = Path("/tmp/kizuna-bench") / f"audiences-{args.customers}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in path.parent.glob(path.name + "*"):
        leftover.unlink()
    run(f"sqlite:///{path}", args)


if __name__ == "__main__":
    main()
