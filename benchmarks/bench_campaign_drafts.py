"""Campaign drafts per minute for a 10,000-customer audience: code-only, and with the local model.

Generates a synthetic company (benchmarks/bench_analytics.py's generator) into a fresh SQLite
database, defines a one-step win-back campaign that every buyer enters, and times one run:
the scheduler pass (enter + eligibility + queue) and the drafting, code-only, for the whole
audience. With --model-sample N it then drafts N of the same customers with the local model
(the real single-draft job, grounding and guards included) and extrapolates to the audience:
the local model figure is an extrapolation from that sample, and says so. Usage:

    python benchmarks/bench_campaign_drafts.py                        # 10k, code-only
    KIZUNA_LLM__MODEL_CACHE_DIR=/tmp/kizuna-test-models \\
      nice python benchmarks/bench_campaign_drafts.py --customers 500 --model-sample 10
      # the local model on a sample of 10, extrapolated to 10,000 (--extrapolate-to)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from bench_analytics import generate
from sqlalchemy import select

from assistant.deps import AssistantDeps
from assistant.jobs.campaign_drafts import run_campaign
from assistant.jobs.email import build_draft
from knowledge.campaigns.models import Message
from knowledge.campaigns.store import create_campaign, create_run
from knowledge.db import make_engine, make_session_factory, migrate
from knowledge.settings import DatabaseSettings, Settings

CLOCK = datetime(2025, 1, 1, 12, tzinfo=UTC)  # the generator's orders end at 2024-12-31
CAMPAIGN = {
    "name": "bench win-back",
    "trigger": {"field": "last_order_at", "within_days": 3650},
    "steps": [{"purpose": "win_back", "delay_days": 0, "send_time": "09:00"}],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000, help="audience size wanted")
    parser.add_argument("--model-sample", type=int, default=0, help="drafts with the local model")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--extrapolate-to", type=int, default=10_000, help="audience the model figure is for"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="kizuna-bench-campaign-"))
    settings = Settings(environment="test", data_dir=folder)
    settings.database = DatabaseSettings(url=f"sqlite:///{folder / 'bench.db'}")
    engine = make_engine(settings.database)
    migrate(engine)
    sessions = make_session_factory(engine)
    # About 5% of generated customers are prospects (no orders) and 1% of orders undated.
    t0 = time.perf_counter()
    generate(engine, int(args.customers / 0.945) + 1, 3.0, args.seed)
    print(f"generated in {time.perf_counter() - t0:.1f} s", flush=True)

    with sessions() as s:
        campaign_id = create_campaign(s, CAMPAIGN, "bench").id
        job_id = uuid.uuid4().hex
        create_run(s, job_id, campaign_id, CLOCK, True, "bench")
        s.commit()
    deps = AssistantDeps.data_only(settings, sessions)
    marks: dict[str, float] = {}

    def progress(done: int, total: int) -> None:
        marks.setdefault("first", time.perf_counter())
        if done == total:
            marks["last"] = time.perf_counter()

    t0 = time.perf_counter()
    run = run_campaign(deps, job_id, actor="bench", progress=progress)
    total_s = time.perf_counter() - t0
    assert run.status == "done", run
    # The scheduler pass ends where the first draft starts.
    schedule_s = marks["first"] - t0
    draft_s = total_s - schedule_s
    figures: dict[str, Any] = {
        "audience": run.entered,
        "queued": run.queued,
        "drafted": run.done,
        "scheduler_s": round(schedule_s, 1),
        "code_only_draft_s": round(draft_s, 1),
        "code_only_total_s": round(total_s, 1),
        "code_only_drafts_per_min": round(run.done / total_s * 60),
    }
    print(json.dumps(figures, indent=1), flush=True)

    if args.model_sample:
        figures |= model_sample(
            settings, sessions, campaign_id, args.model_sample, args.extrapolate_to
        )
        print(json.dumps(figures, indent=1), flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")


def model_sample(
    settings: Settings, sessions: Any, campaign_id: int, n: int, audience: int
) -> dict[str, Any]:
    """Draft n customers of the audience with the local model; extrapolate to the audience."""
    from assistant.service import Assistant, build_llm
    from retrieval.service import build_retrieval

    llm = build_llm(settings.llm)
    assistant = Assistant(settings, sessions, build_retrieval(settings.retrieval, sessions), llm)
    with sessions() as s:
        ids = list(
            s.scalars(
                select(Message.customer_id)
                .where(Message.campaign_id == campaign_id, Message.status == "draft")
                .order_by(Message.id)
                .limit(n)
            )
        )
    t0 = time.perf_counter()
    assistant.warm_up()
    warm_s = time.perf_counter() - t0
    times = []
    for cid in ids:
        t = time.perf_counter()
        build_draft(
            assistant.deps,
            cid,
            purpose="win_back",
            tone="polite",
            length="short",
            language=None,
            step=None,
            actor="bench",
        )
        times.append(time.perf_counter() - t)
    close = getattr(llm, "close", None)
    if callable(close):
        close()
    per_min = 60 / statistics.mean(times)
    return {
        "model": assistant.model,
        "model_sample": len(times),
        "model_warm_up_s": round(warm_s, 1),
        "model_draft_s_median": round(statistics.median(times), 1),
        "model_draft_s_max": round(max(times), 1),
        "model_drafts_per_min": round(per_min, 2),
        "extrapolated_to": audience,
        "model_hours_extrapolated": round(audience / per_min / 60, 1),
    }


if __name__ == "__main__":
    main()
