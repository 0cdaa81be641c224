"""Load run: N concurrent chat streams against a running Kizuna server, /health polled meanwhile.

Reports p50/p95 time to first token (TTFT) and to the final result, and /health p50/p99
latency while the streams run. Loopback only, bounded (at most 100 streams).

    kizuna serve &                      # or `kizuna demo`
    python benchmarks/load_chat.py --url http://127.0.0.1:8765 --key kz_... \
        --questions kizuna-data/demo/questions.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from urllib.parse import urlparse

import httpx

QUESTIONS = [
    "この顧客は以前にも同じ不具合で問い合わせていますか？",
    "What did we promise this customer last time?",
    "最近の注文で何か問題はありましたか？",
    "How do I reset the device?",
]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def load_questions(path: str) -> list[tuple[str, int | None]]:
    """(query, customer id or None) from a questions.jsonl written by `kizuna demo`."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                q = json.loads(line)
                out.append((q["query"], q["scope"].get("customer_id")))
    return out


async def one_stream(
    client: httpx.AsyncClient, question: str, customer_id: int | None
) -> dict[str, float]:
    body = {"question": question, "customer_id": customer_id}
    start = time.perf_counter()
    first = None
    tokens = 0
    event = ""
    async with client.stream("POST", "/chat", json=body) as r:
        r.raise_for_status()
        async for line in r.aiter_lines():
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "token":
                tokens += 1
                if first is None:
                    first = time.perf_counter() - start
            elif line.startswith("data:") and event == "error":
                raise RuntimeError(json.loads(line[5:])["message"])
            elif line.startswith("data:") and event == "result":
                break
    total = time.perf_counter() - start
    return {"ttft": first if first is not None else total, "total": total, "tokens": tokens}


async def poll_health(client: httpx.AsyncClient, stop: asyncio.Event, out: list[float]) -> None:
    while not stop.is_set():
        t = time.perf_counter()
        r = await client.get("/health")
        r.raise_for_status()
        out.append(time.perf_counter() - t)
        await asyncio.sleep(0.02)


async def run(
    url: str, key: str, streams: int, questions: list[tuple[str, int | None]]
) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=streams + 2)
    timeout = httpx.Timeout(600.0)
    async with (
        httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=timeout) as chat,
        httpx.AsyncClient(base_url=url, timeout=30.0) as health,
    ):
        (await health.get("/ready")).raise_for_status()
        stop = asyncio.Event()
        health_times: list[float] = []
        poller = asyncio.create_task(poll_health(health, stop, health_times))
        started = time.perf_counter()
        results = await asyncio.gather(
            *(one_stream(chat, *questions[n % len(questions)]) for n in range(streams))
        )
        wall = time.perf_counter() - started
        stop.set()
        await poller
    ttft = [r["ttft"] for r in results]
    total = [r["total"] for r in results]
    return {
        "streams": streams,
        "wall_s": round(wall, 3),
        "ttft_p50_s": round(percentile(ttft, 50), 3),
        "ttft_p95_s": round(percentile(ttft, 95), 3),
        "total_p50_s": round(percentile(total, 50), 3),
        "total_p95_s": round(percentile(total, 95), 3),
        "tokens_mean": round(statistics.mean(r["tokens"] for r in results), 1),
        "streams_with_tokens": sum(1 for r in results if r["tokens"] > 0),
        "health_requests": len(health_times),
        "health_p50_ms": round(percentile(health_times, 50) * 1000, 2),
        "health_p99_ms": round(percentile(health_times, 99) * 1000, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8765")
    parser.add_argument("--key", required=True, help="an agent or admin API key")
    parser.add_argument("--streams", type=int, default=20)
    parser.add_argument("--customer-id", type=int, default=None, help="for the built-in questions")
    parser.add_argument("--questions", help="questions.jsonl (kizuna demo writes one)")
    args = parser.parse_args()
    host = urlparse(args.url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("loopback only: --url must point at 127.0.0.1 / localhost")
    if not 1 <= args.streams <= 100:
        parser.error("--streams must be 1..100")
    if args.questions:
        questions = load_questions(args.questions)
    else:
        questions = [(q, args.customer_id) for q in QUESTIONS]
    report = asyncio.run(run(args.url, args.key, args.streams, questions))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
