"""Analytics at scale: RFM + segments + LTV for every customer, and build_profile latency.

Generates N customers with about 10 orders each (deterministic seed) into a fresh database,
then times, in the same run, a raw baseline (the plain GROUP BY aggregate alone) next to the
real computations. Usage:

    python benchmarks/bench_analytics.py                      # 100k customers, SQLite
    python benchmarks/bench_analytics.py --customers 10000    # quicker
    python benchmarks/bench_analytics.py --db postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.orm import Session

from knowledge.analytics import basket_pairs, ctb_all, f2_cohorts, score_customers
from knowledge.analytics.base import order_aggregates
from knowledge.db import make_engine, make_session_factory, migrate
from knowledge.models import Customer, Order, OrderLine
from knowledge.normalize import name_key
from knowledge.profiles import build_profile, load_population, shared_population_cache
from knowledge.repository import find_customers
from knowledge.settings import AnalyticsSettings, DatabaseSettings

CATEGORIES = ["skincare", "makeup", "haircare", "fragrance", "body", "supplement", "tools"]
TASTES = ["fresh", "floral", "citrus", "woody", "unscented", "sweet"]
BRANDS = ["Aoi", "Beni", "Kizuna", "Sora", "Midori"]
FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
GIVEN = ["太郎", "花子", "一郎", "さくら", "健", "美咲", "翔", "陽菜", "大輔", "結衣"]
START = datetime(2022, 1, 1, 12, tzinfo=UTC)
BATCH = 20_000


def generate(engine: Engine, customers: int, orders_per_customer: float, seed: int) -> int:
    """Insert the synthetic company; returns the number of orders."""
    rng = random.Random(seed)
    products = [
        (f"P{i:03d}", rng.choice(CATEGORIES), rng.choice(TASTES), rng.choice(BRANDS))
        for i in range(200)
    ]
    cust_rows = []
    for i in range(1, customers + 1):
        name = f"{rng.choice(FAMILY)} {rng.choice(GIVEN)}{i}"
        cust_rows.append(
            {
                "id": i,
                "name": name,
                "name_key": name_key(name) if i <= 2000 else f"k{i}",
                "email": f"user{i}@example.jp",
                "phone": f"+8190{i:08d}",
                "kind": "person",
                "language": "ja",
                "lifecycle_stage": "customer",
                "email_opt_out": False,
                "custom_attributes": {},
            }
        )
    with engine.begin() as conn:
        for k in range(0, len(cust_rows), BATCH):
            conn.execute(insert(Customer), cust_rows[k : k + BATCH])
    order_id = line_id = 0
    orders: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []

    def flush(conn: Any) -> None:
        if orders:
            conn.execute(insert(Order), orders)
            orders.clear()
        if lines:
            conn.execute(insert(OrderLine), lines)
            lines.clear()

    with engine.begin() as conn:
        for cid in range(1, customers + 1):
            if rng.random() < 0.05:  # prospects: no orders
                continue
            n = max(1, int(rng.expovariate(1 / orders_per_customer)))
            first = rng.randrange(0, 3 * 365)
            for _ in range(n):
                order_id += 1
                day = rng.randrange(first, 3 * 365 + 1)
                at = None if rng.random() < 0.01 else START + timedelta(days=day)
                total = Decimal(0)
                for _ in range(1 if rng.random() < 0.7 else 2):
                    line_id += 1
                    sku, cat, taste, brand = rng.choice(products)
                    amount = Decimal(rng.randrange(1000, 20000))
                    total += amount
                    lines.append(
                        {
                            "id": line_id,
                            "order_id": order_id,
                            "product_name": sku,
                            "category": cat,
                            "taste": taste,
                            "brand": brand,
                            "quantity": 1,
                            "unit_price": amount,
                            "amount": amount,
                            "gross_margin": amount * Decimal("0.4") if rng.random() < 0.5 else None,
                        }
                    )
                orders.append(
                    {
                        "id": order_id,
                        "customer_id": cid,
                        "ordered_at": at,
                        "channel": "ec",
                        "currency": "JPY",
                        "total_amount": total,
                        "gross_margin": total * Decimal("0.55") if rng.random() < 0.7 else None,
                    }
                )
            if len(orders) >= BATCH:
                flush(conn)
        flush(conn)
    return order_id


def timed(label: str, fn: Callable[[], Any], results: list[tuple[str, float, str]]) -> Any:
    t0 = time.perf_counter()
    value = fn()
    elapsed = time.perf_counter() - t0
    size = f"{len(value):,} rows" if hasattr(value, "__len__") else ""
    results.append((label, elapsed, size))
    print(f"{label:<52} {elapsed:8.3f} s  {size}", flush=True)
    return value


def raw_baseline(session: Session) -> list[Any]:
    """The plain GROUP BY aggregate, nothing else: the floor for any per-customer analytics."""
    return list(
        session.execute(
            select(
                Order.customer_id,
                func.count(),
                func.sum(Order.total_amount),
                func.min(Order.ordered_at),
                func.max(Order.ordered_at),
            ).group_by(Order.customer_id)
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders-per-customer", type=float, default=10.0)
    parser.add_argument("--db", default="", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--profiles", type=int, default=30, help="build_profile samples")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep an existing generated DB")
    args = parser.parse_args()

    url = args.db
    if not url:
        path = Path("/tmp/kizuna-bench") / f"analytics-{args.customers}.db"
        if path.exists() and not args.reuse:
            path.unlink()
        url = f"sqlite:///{path}"
    engine = make_engine(DatabaseSettings(url=url))
    migrate(engine)
    sessions = make_session_factory(engine)
    with sessions() as s:
        existing = s.execute(select(func.count(Customer.id))).scalar() or 0
    results: list[tuple[str, float, str]] = []
    print(f"database {engine.url.render_as_string(hide_password=True)}")
    if existing and args.reuse:
        print(f"reusing {existing:,} customers")
    else:
        if existing:
            raise SystemExit("database not empty: use a fresh one or --reuse")
        n_orders = timed(
            "generate + insert",
            lambda: [generate(engine, args.customers, args.orders_per_customer, args.seed)],
            results,
        )[0]
        print(f"  {args.customers:,} customers, {n_orders:,} orders")
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
    settings = AnalyticsSettings(reference_date=date(2025, 1, 1))
    with sessions() as s:
        timed(
            "raw baseline: GROUP BY customer (count/sum/min/max)", lambda: raw_baseline(s), results
        )
        timed(
            "order aggregates (margin fallbacks, active only)",
            lambda: order_aggregates(s, settings),
            results,
        )
        timed(
            "RFM + segments + LTV, all customers", lambda: score_customers(s, settings)[1], results
        )
        timed("CTB preferences, all customers", lambda: ctb_all(s, settings), results)
        timed("F2 cohorts", lambda: f2_cohorts(s, settings=settings), results)
        timed(
            "basket pairs by category (min support 1%)",
            lambda: basket_pairs(s, by="category", min_support=0.01, settings=settings),
            results,
        )
        rng = random.Random(args.seed)
        ids = [rng.randrange(1, args.customers + 1) for _ in range(args.profiles)]
        cold = []
        for cid in ids[: max(3, args.profiles // 5)]:
            shared_population_cache.clear()
            t0 = time.perf_counter()
            build_profile(s, cid, settings)
            cold.append(time.perf_counter() - t0)
        cached = []
        for cid in ids:
            t0 = time.perf_counter()
            build_profile(s, cid, settings)
            cached.append(time.perf_counter() - t0)
        pop = load_population(s, settings)
        warm = []
        for cid in ids:
            t0 = time.perf_counter()
            build_profile(s, cid, settings, population=pop)
            warm.append(time.perf_counter() - t0)
        queries = ["user123@example.jp", "090-0001-2345", "佐藤", "さとう", "12345"]
        search = []
        for q in queries * 3:
            t0 = time.perf_counter()
            find_customers(s, q)
            search.append(time.perf_counter() - t0)
    for label, samples in (
        ("build_profile, cache cleared (computes population)", cold),
        ("build_profile, shared population cache", cached),
        ("build_profile, population passed in", warm),
        ("find_customers (name/kana/e-mail/phone)", search),
    ):
        p50 = statistics.median(samples)
        p95 = sorted(samples)[max(0, int(len(samples) * 0.95) - 1)]
        print(f"{label:<52} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  (n={len(samples)})")


if __name__ == "__main__":
    main()
