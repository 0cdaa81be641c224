"""Time to first token and total time of an answer, a brief and an e-mail on the real model.

Runs on the small bilingual seed company (tests/assistant/seed.py), in a temporary directory,
first with the in-process local model, then through llama-cpp-python's OpenAI-compatible server
serving the same GGUF. Usage: python benchmarks/bench_assistant.py [--skip-server]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.llm.factory import build_llm
from assistant.llm.model_file import resolve_model_path
from assistant.service import Assistant
from knowledge.db import make_engine, make_session_factory, migrate
from knowledge.settings import Settings
from retrieval.embedders import make_embedder
from tests.assistant.conftest import seed_world


class FirstToken(BaseCallbackHandler):
    """Records when the model produced its first token."""

    def __init__(self) -> None:
        self.first: float | None = None

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        if self.first is None and token:
            self.first = time.perf_counter()


def timed(label: str, clock: FirstToken, fn: Any) -> None:
    clock.first = None
    start = time.perf_counter()
    fn()
    total = time.perf_counter() - start
    ttft = f"{clock.first - start:6.2f}" if clock.first else "   n/a"
    print(f"  {label:<28} first token {ttft} s   total {total:6.2f} s", flush=True)


def bench(assistant: Assistant, ids: dict[str, int], clock: FirstToken) -> None:
    a, b = ids["A"], ids["B"]

    def answer_stream(q: str, cid: int | None) -> None:
        for _event in assistant.answer_stream(q, customer_id=cid, actor="bench"):
            pass

    started = time.perf_counter()
    assistant.warm_up()  # what the API does at start-up: model loaded, chat prefixes cached
    print(f"  {'warm-up (load + prefixes)':<28} {time.perf_counter() - started:6.2f} s", flush=True)
    timed("answer en (KB)", clock, lambda: answer_stream("How do I reset the tea maker?", None))
    timed(
        "answer en (KB, repeated)",
        clock,
        lambda: answer_stream("How do I reset the tea maker?", None),
    )
    timed(
        "answer ja (customer)", clock, lambda: answer_stream("配送の問題はどうなっていますか？", a)
    )
    timed(
        "answer ja (customer, 2nd)",
        clock,
        lambda: answer_stream("この方から返品の相談はありましたか？", a),
    )
    timed("brief ja", clock, lambda: assistant.brief(a, actor="bench"))
    timed("brief en", clock, lambda: assistant.brief(b, actor="bench"))
    timed(
        "e-mail renewal en",
        clock,
        lambda: assistant.draft_email(b, purpose="renewal", actor="bench"),
    )
    timed(
        "e-mail apology ja",
        clock,
        lambda: assistant.draft_email(a, purpose="apology", actor="bench"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-server", action="store_true")
    parser.add_argument("--skip-local", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(environment="test", data_dir=Path(tmp))  # type: ignore[call-arg]
        settings.llm.model_path = str(
            resolve_model_path(
                Settings(
                    llm={
                        "model_cache_dir": os.environ.get(  # type: ignore[arg-type]
                            "KIZUNA_TEST_MODEL_CACHE", "/tmp/kizuna-test-models"
                        )
                    }
                ).llm
            )
        )
        settings.retrieval.collection = f"b{uuid.uuid4().hex[:8]}"
        settings.imports.progress = False
        engine = make_engine(settings.database)
        migrate(engine)
        world = seed_world(
            settings, make_session_factory(engine), make_embedder(settings.retrieval)
        )
        clock = FirstToken()
        start = time.perf_counter()
        llm = build_llm(settings.llm)
        llm.callbacks = [clock]
        assistant = Assistant(settings, world.sessions, world.retrieval, llm)
        print(
            f"local model {assistant.model}, {settings.llm.n_threads} threads "
            f"(built in {time.perf_counter() - start:.1f} s, loads on first call)"
        )
        if not args.skip_local:
            bench(assistant, world.ids, clock)
        if args.skip_server:
            return
        from tests.assistant.test_local_llm_integration import llama_server

        server = llama_server.__wrapped__(settings.llm.model_path)  # type: ignore[attr-defined]
        base = next(server)
        try:
            settings.llm.mode, settings.llm.openai_base_url = "openai", base
            llm = build_llm(settings.llm)
            llm.callbacks = [clock]
            assistant = Assistant(settings, world.sessions, world.retrieval, llm)
            print(f"OpenAI-compatible server (llama_cpp.server at {base}), same model")
            bench(assistant, world.ids, clock)
        finally:
            server.close()


if __name__ == "__main__":
    main()
