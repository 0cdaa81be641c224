"""The whole scenario suite with the real local model: the pass table by category, and timing.

The same run as `kizuna eval scenarios`, as a benchmark (it takes tens of minutes on 2 cores,
so the test suite runs only a fixed subset: tests/api/test_scenarios.py).
Usage: python benchmarks/eval_scenarios.py [FILE] [--json OUT] [--only ID|CATEGORY ...]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from api.cli.eval_scenarios import print_report, run_suite, select
from api.scenarios import load_scenarios, report_json

DEFAULT = Path(__file__).resolve().parent / "scenarios" / "support-desk.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--json", type=Path, help="write every item's output and checks here")
    parser.add_argument("--only", nargs="*", default=[], help="item ids or categories")
    args = parser.parse_args()
    scenarios = load_scenarios(args.file)
    started = time.monotonic()
    outcomes = run_suite(scenarios, items=select(scenarios, args.only))
    seconds = time.monotonic() - started
    print_report(outcomes, seconds, markdown=True)
    if args.json:
        report = report_json(scenarios, outcomes, seconds)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
