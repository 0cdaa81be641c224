"""Crash safety: kill -9 an import of N records (CLI and API, alternating) at a random moment,
restart, re-run it, and compare with a clean run (tests/api/crash_run.py has the steps).

Prints one line per run and the totals; exit status 1 when any run differs.

    nice python benchmarks/bench_crash.py --records 10000 --runs 20
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.api.crash_run import run_crashes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, default=None, help="keep the runs' data here")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="kizuna-crash-") as tmp:
        work = args.work or Path(tmp)
        outcomes = run_crashes(
            work, args.records, args.runs, args.seed, report=lambda line: print(line, flush=True)
        )
    killed = sum(o.killed for o in outcomes)
    ok = sum(o.ok for o in outcomes)
    print(
        f"{ok}/{len(outcomes)} runs equal to the clean run ({killed} killed mid-run); "
        f"index check clean and integrity ok in all that are; {time.monotonic() - started:.0f} s"
    )
    return 0 if ok == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
