"""The local model's cost of running in a child process, and of the portable build.

1. In process vs supervised child (same build, same prompts): llama.cpp called directly in this
   process (the raw baseline: what Kizuna did before the model moved out) against
   assistant.llm.supervisor's child process. Both keep a RAM prompt cache warmed with the chat's
   system prefix in both languages, as the API does at start-up.
2. Build variants: with `--variant NAME=DIR` (DIR holds another llama_cpp build, e.g. installed
   with `pip install --target DIR --no-deps <wheel>`), the in-process figures of that build are
   measured in a child interpreter with DIR first on its path, next to the installed build's.

Prints, per case, the median time to first token (TTFT) and decode tokens/s over chat prompts
in English and Japanese. Usage:
  python benchmarks/bench_llm_runtime.py [--rounds 2] [--variant avx512=/tmp/llama-avx512]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.llm.model_file import resolve_model_path
from assistant.llm.supervisor import Supervisor, runtime_command
from assistant.prompting import render_prompt
from knowledge.settings import Settings

RECORDS = {
    "en": (
        "[1] 2026-03-02 (meeting): Quote for 40 Professional seats promised by March 20; "
        "the customer asked for annual billing.\n[2] 2026-02-11 (email): Invoice #2231 listed "
        "the wrong seat count; corrected and reissued on Feb 14."
    ),
    "ja": (
        "[1] 2026-03-02 (meeting): 3月20日までにProfessional 40席の見積もりを送付すると約束。"
        "年払いを希望。\n[2] 2026-02-11 (email): 請求書#2231の席数が誤り、2月14日に再発行。"
    ),
}
QUESTIONS = {
    "en": ["What did we promise to send them, and by when?", "What went wrong with the invoice?"],
    "ja": ["見積もりはいつまでに送る約束ですか？", "請求書の問題は何でしたか？"],
}
MAX_TOKENS = 48


def chats(round_no: int) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """The chat prompts of one round; each round's records differ, so only the system prefix
    is in the cache (as for a new customer's question), never a whole earlier prompt."""
    for language, questions in QUESTIONS.items():
        system = render_prompt("answer_system", language)
        for q in questions:
            records = f"[0] round {round_no}\n{RECORDS[language]}"
            user = render_prompt(
                "answer_user", language, facts="", records=records, history="", question=q
            )
            messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
            yield language, messages


def warm_ups() -> list[list[dict[str, str]]]:
    return [
        [
            {"role": "system", "content": render_prompt("answer_system", lang)},
            {"role": "user", "content": "-"},
        ]
        for lang in ("ja", "en")
    ]


def measure(stream: Any, messages: list[dict[str, str]]) -> tuple[float, float]:
    """(seconds to the first token, decode tokens/s after it) of one streamed reply."""
    start = time.perf_counter()
    first, n = None, 0
    for _ in stream(messages):
        n += 1
        if first is None:
            first = time.perf_counter()
    end = time.perf_counter()
    assert first is not None, "no token"
    return first - start, (n - 1) / (end - first) if n > 1 and end > first else 0.0


def in_process(model: str, rounds: int) -> dict[str, float]:
    from llama_cpp import Llama, LlamaRAMCache

    llama = Llama(model_path=model, n_ctx=4096, n_threads=2, verbose=False, seed=0)
    llama.set_cache(LlamaRAMCache(capacity_bytes=1 << 30))

    def stream(messages: list[dict[str, str]]) -> Iterator[str]:
        for part in llama.create_chat_completion(
            messages=messages,
            stream=True,
            temperature=0.0,
            max_tokens=MAX_TOKENS,
            seed=0,  # type: ignore[arg-type]
        ):
            delta = part["choices"][0]["delta"].get("content")  # type: ignore[index]
            if delta:
                yield delta

    for w in warm_ups():
        list(llama.create_chat_completion(messages=w, max_tokens=1))  # type: ignore[arg-type]
    return summarise([measure(stream, m) for r in range(rounds) for _, m in chats(r)])


def child_process(model: str, rounds: int) -> dict[str, float]:
    sup = Supervisor(runtime_command(model, 4096, 2))
    try:

        def stream(messages: list[dict[str, str]]) -> Iterator[str]:
            request = {"messages": messages, "max_tokens": MAX_TOKENS, "temperature": 0.0}
            return sup.generate(request, timeout_s=300)

        for w in warm_ups():
            list(sup.generate({"messages": w, "max_tokens": 1}, timeout_s=300))
        return summarise([measure(stream, m) for r in range(rounds) for _, m in chats(r)])
    finally:
        sup.close()


def summarise(runs: list[tuple[float, float]]) -> dict[str, float]:
    return {
        "ttft_s": statistics.median(r[0] for r in runs),
        "tokens_per_s": statistics.median(r[1] for r in runs),
        "prompts": float(len(runs)),
    }


def row(label: str, r: dict[str, float], base: dict[str, float]) -> str:
    return (
        f"{label:<34} TTFT {r['ttft_s']:6.2f} s ({r['ttft_s'] / base['ttft_s']:5.2f}x)   "
        f"decode {r['tokens_per_s']:6.1f} tok/s ({r['tokens_per_s'] / base['tokens_per_s']:5.2f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--variant", action="append", default=[], help="NAME=DIR")
    parser.add_argument("--in-process-json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    model = str(resolve_model_path(Settings().llm))
    if args.in_process_json:  # a variant's child interpreter
        print(json.dumps(in_process(model, args.rounds)))
        return
    import llama_cpp

    print(
        f"model {Path(model).name}, 2 threads, {args.rounds} rounds x 4 prompts, "
        f"{MAX_TOKENS} tokens; installed build {Path(llama_cpp.__file__).parent}"
    )
    base = in_process(model, args.rounds)
    print(row("installed build, in process (raw)", base, base))
    print(row("installed build, child process", child_process(model, args.rounds), base))
    for spec in args.variant:
        name, folder = spec.split("=", 1)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([folder, os.environ.get("PYTHONPATH", "")]),
        }
        out = subprocess.run(
            [sys.executable, __file__, "--in-process-json", "--rounds", str(args.rounds)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        print(row(f"{name} build, in process", json.loads(out.strip().splitlines()[-1]), base))


if __name__ == "__main__":
    main()
