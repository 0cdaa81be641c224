"""Run tests/api/test_schemathesis.py (operations alone and stateful) over many seeds.

Each run is a fresh pytest process with KIZUNA_SCHEMATHESIS_SEED set, so a failure names the
seed that reproduces it. Prints one line per run and the failures' first lines at the end.

    nice python benchmarks/run_schemathesis.py --runs 22 --first-seed 1
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=22)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--examples", type=int, default=40, help="examples per operation")
    parser.add_argument("--log-dir", type=Path, default=Path("schemathesis-runs"))
    args = parser.parse_args()
    args.log_dir.mkdir(parents=True, exist_ok=True)
    failed: list[tuple[int, str]] = []
    for n in range(args.runs):
        run_seed = args.first_seed + n
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "HF_HUB_OFFLINE": "1",
            "KIZUNA_SCHEMATHESIS_SEED": str(run_seed),
            "KIZUNA_SCHEMATHESIS_EXAMPLES": str(args.examples),
        }
        started = time.monotonic()
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "tests/api/test_schemathesis.py",
            "-q",
            "-p",
            "no:cacheprovider",
        ]
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        log = args.log_dir / f"seed-{run_seed}.log"
        log.write_text(done.stdout + done.stderr)
        status = "ok" if done.returncode == 0 else "FAILED"
        print(
            f"seed {run_seed}: {status} in {time.monotonic() - started:.0f} s ({log})", flush=True
        )
        if done.returncode != 0:
            first = next((ln for ln in done.stdout.splitlines() if ln.startswith("E ")), "?")
            failed.append((run_seed, first))
    print(f"{args.runs - len(failed)}/{args.runs} runs passed")
    for run_seed, line in failed:
        print(f"  seed {run_seed}: {line[:300]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
