"""Answer quality with and without personal-data masking: the scenario suite (a subset) with the
`openai` backend pointed at llama-cpp-python's OpenAI-compatible server on loopback (the packaged
model), once with llm.mask_personal_data=always and once with never.

Slow on 2 cores (each answer the model writes takes 30-120 s under load): run it once.
Usage: python benchmarks/bench_masking_scenarios.py [--only records] [--threads 2] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.llm.model_file import resolve_model_path
from knowledge.settings import load_settings
from tests.assistant.llama_server import serve_model

ROOT = Path(__file__).resolve().parents[1]
SUITE = ROOT / "benchmarks" / "scenarios" / "support-desk.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=None, help="ids or categories")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("masking-scenarios"))
    parser.add_argument("--modes", nargs="+", default=["always", "never"])
    args = parser.parse_args()
    only = args.only or ["records"]
    model = str(resolve_model_path(load_settings().llm))
    args.out.mkdir(parents=True, exist_ok=True)
    with contextmanager(serve_model)(model, args.threads) as base_url:
        for mode in args.modes:
            env = {
                **os.environ,
                "KIZUNA_LLM__MODE": "openai",
                "KIZUNA_LLM__OPENAI_BASE_URL": base_url,
                "KIZUNA_LLM__MASK_PERSONAL_DATA": mode,
                "KIZUNA_LLM__TIMEOUT_S": "300",
                "PYTHONPATH": str(ROOT),
                "HF_HUB_OFFLINE": "1",
            }
            command = [sys.executable, "-c", "from api.cli.main import run; run()", "eval"]
            command += ["scenarios", str(SUITE), "--markdown", "--json"]
            command += [str(args.out / f"mask-{mode}.json")]
            for item in only:
                command += ["--only", item]
            print(f"## mask_personal_data={mode}", flush=True)
            done = subprocess.run(command, env=env, check=False)
            print(f"## exit status {done.returncode}", flush=True)


if __name__ == "__main__":
    main()
