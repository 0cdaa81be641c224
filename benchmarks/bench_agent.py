"""How often the real model drives the tool-calling agent correctly, on the demo company.

Needs a demo data dir that is loaded and indexed, e.g.
    KIZUNA_DATA_DIR=/tmp/agent-demo kizuna demo --no-serve --scale 0.1
    KIZUNA_DATA_DIR=/tmp/agent-demo kizuna index
then: python benchmarks/bench_agent.py --data-dir /tmp/agent-demo [--backend local|openai|both]
[--template gguf|fixed] [--only N]. The questions are built from the planted stories in
<data-dir>/demo/questions.json (customer names and ids are looked up, never hard-coded), each
with the tools that can answer it. Printed per backend: share of questions with a well-formed
tool call, with an appropriate tool called with valid arguments, answers keeping >= 1 valid
citation (from the model's own sentences / from the extractive fallback), answers citing a
planted record, mean tool steps, mean and max time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.llm import local
from assistant.llm.factory import build_llm
from assistant.llm.model_file import resolve_model_path
from assistant.service import Assistant
from assistant.types import AgentResult
from knowledge.db import make_engine, make_session_factory
from knowledge.repository import get_customer
from knowledge.settings import Settings
from retrieval.service import build_retrieval

SEARCH = "search_customer_records"


@dataclass
class Question:
    text: str
    pinned: bool  # asked with --customer (tools pinned) or by name (find_customer first)
    customer_id: int | None
    appropriate: set[str]  # tools that can answer it
    planted: set[str]  # record ids of the planted story


# (planted id, pinned, question template, appropriate tools). {name} is filled from SQL.
TEMPLATES: list[tuple[str, bool, str, set[str]]] = [
    (
        "skin-reaction-refund",
        True,
        "この方の肌トラブルの件は最終的にどう対応しましたか？最近の注文も教えてください。",
        {SEARCH, "list_orders"},
    ),
    (
        "recurring-pump-defect",
        False,
        "{name}さんの化粧水のポンプの不具合は何回ありましたか？",
        {"find_customer", SEARCH},
    ),
    (
        "late-delivery-coupon",
        False,
        "{name}様の配送遅延のお詫びに何をお渡ししましたか？",
        {"find_customer", SEARCH},
    ),
    (
        "marketing-opt-out",
        True,
        "この顧客はメールマガジンの配信停止を希望していますか？セグメントも教えてください。",
        {SEARCH, "customer_profile"},
    ),
    (
        "foundation-shade-swap",
        True,
        "この方のファンデーションの交換はどうなりましたか？返品のルールも確認したいです。",
        {SEARCH, "search_knowledge_base"},
    ),
    (
        "two-invoice-errors",
        True,
        "Has this customer had more than one invoice error, and which invoices were affected?",
        {SEARCH},
    ),
    (
        "quote-due",
        False,
        "What did we promise {name} in the last meeting, and by when?",
        {"find_customer", SEARCH},
    ),
    (
        "outage-service-credit",
        True,
        "What happened in the outage for this customer and what credit did we apply? "
        "What is their segment?",
        {SEARCH, "customer_profile"},
    ),
    (
        "recurring-sso-failure",
        False,
        "How many times did single sign-on break for {name}, and what did we promise?",
        {"find_customer", SEARCH},
    ),
    (
        "renewal-discount",
        True,
        "When does this customer's contract end and what discount did they ask for?",
        {SEARCH, "customer_profile"},
    ),
]


def questions(settings: Settings, sessions: Any) -> list[Question]:
    """The benchmark questions, filled with the planted customers of this demo load."""
    doc = json.loads((Path(settings.data_dir) / "demo" / "questions.json").read_text("utf-8"))
    planted = {p["id"]: p for p in doc["planted"]}
    out = []
    with sessions() as s:
        for pid, pinned, template, tools in TEMPLATES:
            story = planted[pid]
            cid = int(story["customer_id"])
            name = get_customer(s, cid).name
            out.append(
                Question(
                    text=template.format(name=name),
                    pinned=pinned,
                    customer_id=cid,
                    appropriate=tools,
                    planted=set(story["record_ids"]),
                )
            )
    return out


def score(results: list[tuple[Question, AgentResult]]) -> dict[str, Any]:
    n = len(results)

    def share(pred: Any) -> str:
        k = sum(1 for q, r in results if pred(q, r))
        return f"{k}/{n} ({k / n:.0%})"

    times = [r.seconds for _, r in results]
    return {
        "well-formed tool call": share(lambda q, r: any(s.tool != "(malformed)" for s in r.steps)),
        "appropriate tool, valid args": share(
            lambda q, r: any(s.ok and s.tool in q.appropriate for s in r.steps)
        ),
        "asked for a wrong customer_id": share(
            lambda q, r: any(
                s.args.get("customer_id") not in (None, q.customer_id) for s in r.steps
            )
        ),
        "answer keeps >=1 valid citation": share(lambda q, r: bool(r.citations)),
        "  of which model-written": share(
            lambda q, r: any(s.generated and s.citations for s in r.sentences)
        ),
        "cites a planted record": share(
            lambda q, r: bool({c.record_id for c in r.citations} & q.planted)
        ),
        "mean tool steps": f"{statistics.mean(len(r.steps) for _, r in results):.1f}",
        "mean model calls": f"{statistics.mean(r.model_calls for _, r in results):.1f}",
        "stopped": dict(Counter(r.stopped for _, r in results)),
        "mean / max time (s)": f"{statistics.mean(times):.1f} / {max(times):.1f}",
    }


def run(assistant: Assistant, qs: list[Question], label: str) -> dict[str, Any]:
    results = []
    print(f"\n== {label} ({assistant.model})", flush=True)
    for i, q in enumerate(qs, 1):
        r = assistant.agent(q.text, customer_id=q.customer_id if q.pinned else None, actor="bench")
        results.append((q, r))
        trace = (
            " -> ".join(
                f"{s.tool}{'' if s.ok else '!'}[{s.call_format}]"
                f"{json.dumps(s.args, ensure_ascii=False)}"
                for s in r.steps
            )
            or "(no tool)"
        )
        cited = ",".join(c.record_id for c in r.citations) or "-"
        print(
            f"{i:2}. {r.seconds:6.1f} s (turns {'/'.join(f'{t:.0f}' for t in r.turn_seconds)}) "
            f"{r.stopped:<9} {trace} | cites {cited} | "
            f"{q.text[:50]!r} -> {r.text[:90]!r}",
            flush=True,
        )
        if r.draft:
            print(f"      model's final text: {r.draft[:200]!r}", flush=True)
    summary = score(results)
    for k, v in summary.items():
        print(f"  {k:<36} {v}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", required=True, type=Path)
    parser.add_argument("--backend", choices=["local", "openai", "both"], default="local")
    parser.add_argument("--template", choices=["fixed", "gguf"], default="fixed")
    parser.add_argument("--only", type=int, default=0, help="first N questions only")
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir)  # type: ignore[call-arg]
    cache = os.environ.get("KIZUNA_TEST_MODEL_CACHE", "/tmp/kizuna-test-models")
    settings.llm.model_path = str(
        resolve_model_path(Settings(llm={"model_cache_dir": cache}).llm)  # type: ignore[arg-type]
    )
    if args.template == "gguf":  # measure the GGUF's template as shipped (doubled braces)
        local._fix_tool_call_example = lambda llama: None  # type: ignore[assignment]
    sessions = make_session_factory(make_engine(settings.database))
    retrieval = build_retrieval(settings.retrieval, sessions)
    qs = questions(settings, sessions)[: args.only or None]
    print(
        f"{len(qs)} questions, max {settings.assistant.agent_max_steps} steps, "
        f"{settings.assistant.agent_timeout_s:.0f} s limit, template {args.template}"
    )
    if args.backend in ("local", "both"):
        llm = build_llm(settings.llm)
        run(Assistant(settings, sessions, retrieval, llm), qs, "local (in process)")
    if args.backend in ("openai", "both"):
        from tests.assistant.llama_server import serve_model

        server = serve_model(settings.llm.model_path, settings.llm.n_threads)
        base = next(server)
        try:
            settings.llm.mode, settings.llm.openai_base_url = "openai", base
            llm = build_llm(settings.llm)
            run(Assistant(settings, sessions, retrieval, llm), qs, "openai (llama_cpp.server)")
        finally:
            server.close()


if __name__ == "__main__":
    main()
