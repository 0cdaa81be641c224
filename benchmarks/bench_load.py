"""Load: N concurrent chat streams against `kizuna serve` (uvicorn, 127.0.0.1) whose `openai`
backend is a slow OpenAI-compatible server on loopback (LOW–HIGH s per streamed answer).

Every fifth stream leaves after its first progress event; the slow server records when each
upstream connection closed. Then one key asks for more generations than its rate allows.
Prints statuses, /health latency, cancellation delays and log problems
(tests/api/load_run.py has the steps).

    nice python benchmarks/bench_load.py --streams 50 --low 2 --high 5
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.api.load_run import percentile, run_load


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--streams", type=int, default=50)
    parser.add_argument("--low", type=float, default=2.0, help="shortest answer, seconds")
    parser.add_argument("--high", type=float, default=5.0, help="longest answer, seconds")
    parser.add_argument("--rate", type=int, default=20, help="generations per minute per key")
    parser.add_argument(
        "--cap", type=int, default=None, help="api.max_generations (default: --streams)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kizuna-load-") as tmp:
        f = run_load(
            Path(tmp), streams=args.streams, low_s=args.low, high_s=args.high,
            rate_per_minute=args.rate, max_generations=args.cap,
        )  # fmt: skip
    health = f.health_ms or [0.0]
    print(f"streams: {f.streams}, statuses {dict(f.statuses)}, completed {f.completed}, "
          f"left early {f.left_early}; upstream calls {f.upstream_calls}")  # fmt: skip
    print(f"Retry-After seen: {sorted(f.retry_after)}")
    print(f"over-rate burst ({args.rate}/min + 5): {dict(f.rate_statuses)}, "
          f"Retry-After {sorted(f.retry_after)}")  # fmt: skip
    print(f"5xx other than the deliberate 503: {f.server_errors}")
    print(f"/health: {len(f.health_ms)} probes, p50 {percentile(health, 50):.1f} ms, "
          f"p99 {percentile(health, 99):.1f} ms, max {max(health):.1f} ms, "
          f"failures {f.health_failures}")  # fmt: skip
    cancel = f.cancel_s or [0.0]
    print(f"upstream closed after the client left: max {max(cancel) * 1000:.0f} ms, "
          f"p50 {percentile(cancel, 50) * 1000:.0f} ms over {len(f.cancel_s)}; "
          f"not cancelled {f.not_cancelled}")  # fmt: skip
    print(f"log lines with 'database is locked' or a traceback: {len(f.log_problems)}")
    print(f"wall time {f.seconds:.0f} s")
    good = (
        f.server_errors == 0 and percentile(health, 99) < 200 and f.not_cancelled == 0
        and max(cancel) < 1.0 and not f.log_problems
    )  # fmt: skip
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
