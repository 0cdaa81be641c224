"""Retrieval benchmark: customer-scoped hybrid search latency vs a raw Chroma query, and
indexing throughput vs the raw encode rate of the same model on the same texts.

    python benchmarks/bench_retrieval.py --sizes 10000 100000 [--embedder use-multilingual]

Synthetic bilingual interactions (about 10 per customer) are written to a fresh SQLite
database in a temporary directory; prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from typing import Any

from sqlalchemy import insert, select

from knowledge.corpus import iter_corpus
from knowledge.db import make_engine, make_session_factory, migrate
from knowledge.models import Customer, Interaction
from knowledge.settings import RetrievalSettings, Settings
from retrieval.chunking import chunk_record
from retrieval.embedders import make_embedder
from retrieval.service import build_retrieval
from retrieval.types import Scope

JA = [
    "注文した商品が届きません。",
    "箱が潰れていました。",
    "請求書の金額を確認したい。",
    "保守契約を更新したい。",
    "肌が赤くなりました。",
    "定期便の頻度を変えたい。",
    "導入は来期の予算次第です。",
    "デモ機を持参すると約束した。",
    "店員の対応が丁寧だった。",
    "アプリが起動しません。",
    "解約の手続きを知りたい。",
    "ポイントが失効した。",
    "コーヒーの酸味が強い。",
    "競合の見積もりが安い。",
    "サーバーが遅い。",
    "ギフト包装を希望。",
]
EN = [
    "My order has not arrived.",
    "The box was crushed.",
    "Please check the invoice amount.",
    "We want to renew the contract.",
    "My skin turned red.",
    "Change my subscription please.",
    "Adoption depends on next year's budget.",
    "We promised a demo unit.",
    "Staff were polite.",
    "The app does not start.",
    "How do I cancel?",
    "My points expired.",
    "The coffee is sour.",
    "The competitor is cheaper.",
    "The server is slow.",
    "Gift wrapping requested.",
]


def populate(sessions, n: int, per_customer: int = 10, seed: int = 7) -> list[int]:
    """Write n synthetic interactions over n/per_customer customers; return customer ids."""
    rng = random.Random(seed)
    customers = max(1, n // per_customer)
    with sessions.begin() as s:
        s.execute(insert(Customer), [{"name": f"顧客{i}"} for i in range(customers)])
    with sessions() as s:
        ids = [
            row[0] for row in s.execute(Customer.__table__.select().with_only_columns(Customer.id))
        ]
    base = datetime(2024, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(n):
        lang = "ja" if rng.random() < 0.6 else "en"
        pool = JA if lang == "ja" else EN
        body = "".join(rng.sample(pool, 3)) if lang == "ja" else " ".join(rng.sample(pool, 3))
        rows.append(
            {
                "customer_id": ids[i % customers],
                "kind": rng.choice(["inquiry", "call", "review"]),
                "phase": "support",
                "channel": "email",
                "language": lang,
                "body": f"{body} #{i}",
                "occurred_at": base + timedelta(hours=i),
                "subject": None,
            }
        )
    with sessions.begin() as s:
        for start in range(0, n, 5000):
            s.execute(insert(Interaction), rows[start : start + 5000])
    return ids


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]


def run(
    size: int,
    embedder_spec: str,
    queries: int,
    encode_sample: int,
    index_embedder: str,
    reuse: str = "",
) -> None:
    data = Path(reuse) if reuse else Path(tempfile.mkdtemp(prefix=f"kizuna-bench-{size}-"))
    settings = Settings(environment="test", data_dir=data)  # type: ignore[call-arg]
    settings.retrieval.embedder = index_embedder or embedder_spec
    engine = make_engine(settings.database)
    migrate(engine)
    sessions = make_session_factory(engine)
    retrieval = build_retrieval(settings.retrieval, sessions)
    embedder = retrieval.embedder
    if reuse:  # an indexed data dir of an earlier run: latency only
        with sessions() as s:
            customer_ids = list(s.scalars(select(Customer.id)))
        print(f"\n== reusing {data}: {retrieval.vectors.count()} chunks")
    else:
        customer_ids = populate(sessions, size)
        index_and_encode(retrieval, sessions, size, customer_ids, embedder_spec, encode_sample)
    latency(retrieval, embedder, embedder_spec, index_embedder, customer_ids, queries)


def index_and_encode(
    retrieval: Any,
    sessions: Any,
    size: int,
    customer_ids: list[int],
    embedder_spec: str,
    encode_sample: int,
) -> None:
    embedder = retrieval.embedder

    with sessions() as s:
        texts = [c.indexed_text for r in iter_corpus(s) for c in chunk_record(r)]
    sample = texts[:encode_sample] if encode_sample else texts
    embedder.embed(sample[:64])  # warm-up (model load)

    def encode_rate() -> float:
        t0 = time.perf_counter()
        embedder.embed(sample)
        return len(sample) / (time.perf_counter() - t0)

    # Measured before and after indexing and averaged: other jobs on a shared 2-core machine
    # make single measurements drift.
    before = encode_rate()
    report = retrieval.index(progress=False)
    encode = (before + encode_rate()) / 2
    index_rate = report.chunks_upserted / report.seconds
    in_index_encode = report.chunks_upserted / report.embed_seconds
    print(f"\n== indexed with {embedder.name}, queried with {embedder_spec}")
    print(f"== {size} interactions, {len(customer_ids)} customers, {len(texts)} chunks ==")
    print(f"raw encode rate   : {encode:8.1f} texts/s (on {len(sample)} of the same texts)")
    print(f"encode inside index: {in_index_encode:7.1f} texts/s")
    print(
        f"indexing rate     : {index_rate:8.1f} chunks/s end to end "
        f"(embed {report.embed_seconds:.1f}s of {report.seconds:.1f}s)"
    )
    print(f"index / encode    : {index_rate / encode:8.2f}")


def latency(
    retrieval: Any,
    embedder: Any,
    embedder_spec: str,
    index_embedder: str,
    customer_ids: list[int],
    queries: int,
) -> None:
    if index_embedder:
        # Indexed with a cheap embedder of the same dimension, queried with the real one:
        # search latency is what is measured, and a filtered query barely depends on vectors.
        retrieval.embedder = make_embedder(RetrievalSettings(embedder=embedder_spec))
        if retrieval.bridge is not None:  # query words are embedded by the real model too
            retrieval.bridge.embedder = retrieval.embedder
        if retrieval.embedder.dimension != embedder.dimension:
            raise SystemExit("--index-embedder must have the query embedder's dimension")
    embedder = retrieval.embedder
    rng = random.Random(1)
    qs = [(rng.choice(JA + EN), rng.choice(customer_ids)) for _ in range(queries)]
    vectors = embedder.embed([q for q, _ in qs])
    encode_ms = []
    for q, _ in qs:
        t0 = time.perf_counter()
        embedder.embed([q])
        encode_ms.append((time.perf_counter() - t0) * 1000)
    for q, c in qs[:10]:  # warm caches on both paths
        retrieval.search(q, Scope.customer(c))
    raw, raw_embed, hybrid = [], [], []
    for (q, c), v in zip(qs, vectors, strict=True):
        t0 = time.perf_counter()
        retrieval.vectors.collection.query(
            query_embeddings=[v], n_results=8, where={"customer_id": c}
        )
        raw.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        vec = embedder.embed([q])[0]
        retrieval.vectors.collection.query(
            query_embeddings=[vec], n_results=8, where={"customer_id": c}
        )
        raw_embed.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        retrieval.search(q, Scope.customer(c), k=8)
        hybrid.append((time.perf_counter() - t0) * 1000)
    for name, values in (
        ("raw Chroma query (given vector)", raw),
        ("raw Chroma query + query encode", raw_embed),
        ("hybrid search (customer scope)", hybrid),
        ("query encode alone", encode_ms),
    ):
        print(f"{name:33s}: p50 {pct(values, 50):6.1f} ms  p95 {pct(values, 95):6.1f} ms")
    print(f"hybrid p50 / raw p50              : {pct(hybrid, 50) / pct(raw, 50):6.2f}")
    print(f"hybrid p50 / (raw + encode) p50   : {pct(hybrid, 50) / pct(raw_embed, 50):6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--embedder", default="use-multilingual")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--encode-sample", type=int, default=0, help="0: encode all texts")
    parser.add_argument("--reuse", default="", help="data dir of an earlier run: latency only")
    parser.add_argument(
        "--index-embedder",
        default="",
        help="fill the collection with this embedder (e.g. fake-512) and query with --embedder",
    )
    args = parser.parse_args()
    for size in args.sizes[:1] if args.reuse else args.sizes:
        run(size, args.embedder, args.queries, args.encode_sample, args.index_embedder, args.reuse)


if __name__ == "__main__":
    main()
