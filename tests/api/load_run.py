"""One load run: `kizuna serve` (uvicorn on 127.0.0.1, `openai` backend pointed at the slow
server of tests/api/slow_openai.py) under N concurrent chat streams, /health polled meanwhile.

Some streams leave early (the client closes the connection after the first progress event):
the slow server's records then tell how soon Kizuna closed the upstream connection. After the
streams, one key asks for more generations than its rate allows, to see the 429s. Shared by
tests/api/test_load.py (small) and benchmarks/bench_load.py (50 streams, 2–5 s answers).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from api.services import build_services, close_services
from knowledge.apikeys import create_key
from tests.api.conftest import api_settings, seed
from tests.api.health_probe import poll_health
from tests.api.live import free_port
from tests.api.slow_openai import SlowProcess, slow_openai

QUESTION = "What did the customer say about the humidifier noise?"  # C-1 of the seed has it
STREAMS_PER_KEY = 5


@dataclass
class LoadFigures:
    """What one run measured."""

    streams: int
    statuses: Counter[int] = field(default_factory=Counter)  # of the chat streams
    completed: int = 0  # streams that ended with a result event
    left_early: int = 0
    cancel_s: list[float] = field(default_factory=list)  # client left -> upstream closed
    not_cancelled: int = 0  # upstream answers that ran to the end although the client left
    health_ms: list[float] = field(default_factory=list)
    health_failures: int = 0
    rate_statuses: Counter[int] = field(default_factory=Counter)  # the over-rate burst
    retry_after: set[str] = field(default_factory=set)
    upstream_calls: int = 0
    log_problems: list[str] = field(default_factory=list)  # "database is locked", tracebacks
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        """5xx answers other than the deliberate 503 of the concurrency cap."""
        codes = self.statuses + self.rate_statuses
        return sum(n for status, n in codes.items() if status >= 500 and status != 503)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def prepare(data_dir: Path, keys: int) -> tuple[list[str], int, str]:
    """Seed the test company into data_dir (fake embedder): agent keys, the customer asked
    about and the Chroma collection."""
    settings = api_settings(data_dir)
    services = build_services(settings)
    try:
        customers = seed(services)
        plain = [
            create_key(services.sessions, name=f"load-{n}", role="agent")[1] for n in range(keys)
        ]
    finally:
        close_services(services)
    return plain, customers["C-1"], settings.retrieval.collection


def serve_env(data_dir: Path, collection: str, upstream: str, extra: dict[str, str]) -> dict:
    """The environment `kizuna serve` runs with: this data dir, the slow upstream model."""
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([root, env.get("PYTHONPATH", "")])
    env.update(
        {
            "KIZUNA_ENVIRONMENT": "test",
            "KIZUNA_DATA_DIR": str(data_dir),
            "KIZUNA_RETRIEVAL__EMBEDDER": "fake-64",
            "KIZUNA_RETRIEVAL__COLLECTION": collection,
            "KIZUNA_LLM__MODE": "openai",
            "KIZUNA_LLM__OPENAI_BASE_URL": upstream,
            "KIZUNA_LLM__OPENAI_MODEL": "slow",
            "KIZUNA_LLM__TIMEOUT_S": "60",
            "KIZUNA_LOG_LEVEL": "WARNING",
            # The fake embedder's scores are noise: keep every record found as context, so
            # every question goes to the model (the tag in it must not turn it away).
            "KIZUNA_ASSISTANT__RELEVANCE_THRESHOLD": "0",
        }
    )
    env.update(extra)
    return env


def start_server(env: dict, port: int, log: Path) -> subprocess.Popen[bytes]:
    """`kizuna serve` on 127.0.0.1:port in a child process, logging to `log`; waits for /ready."""
    cmd = [sys.executable, "-c", "from api.cli.main import run; run()", "serve"]
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [*cmd, "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=out, stderr=out
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"kizuna serve exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError("kizuna serve did not become ready")


async def _stream(
    client: httpx.AsyncClient, n: int, key: str, customer: int, leave: bool, figures: LoadFigures
) -> tuple[str, float] | None:
    """Stream n; when `leave`, close after the first progress event: (its tag, when it left)."""
    body = {"question": f"{QUESTION} #s{n}", "customer_id": customer}
    headers = {"Authorization": f"Bearer {key}"}
    async with client.stream("POST", "/chat", json=body, headers=headers) as r:
        figures.statuses[r.status_code] += 1
        if r.status_code != 200:
            await r.aread()
            if r.status_code in (429, 503):
                figures.retry_after.add(r.headers.get("retry-after", ""))
            return None
        async for line in r.aiter_lines():
            if leave and line.startswith("event: progress"):
                figures.left_early += 1
                return f"s{n}", time.monotonic()  # leaving the block closes the connection
            if line.startswith("event: result"):
                figures.completed += 1
    return None


async def _burst(url: str, key: str, customer: int, n: int, figures: LoadFigures) -> None:
    """n quick /chat/answer calls with one key: those past its rate answer 429."""
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        headers = {"Authorization": f"Bearer {key}"}

        async def one() -> None:
            body = {"question": QUESTION, "customer_id": customer}
            r = await client.post("/chat/answer", json=body, headers=headers)
            figures.rate_statuses[r.status_code] += 1
            if r.status_code in (429, 503):
                figures.retry_after.add(r.headers.get("retry-after", ""))

        await asyncio.gather(*(one() for _ in range(n)))


async def _drive(
    url: str, keys: list[str], customer: int, streams: int, leave_every: int,
    figures: LoadFigures,
) -> list[tuple[str, float]]:  # fmt: skip
    spawn = multiprocessing.get_context("spawn")
    stop, probes = spawn.Event(), spawn.Queue()
    poller = spawn.Process(target=poll_health, args=(url, stop, probes), daemon=True)
    poller.start()
    first = await asyncio.to_thread(probes.get, True, 60)  # the prober runs: start the load
    figures.health_ms.append(first[0])
    limits = httpx.Limits(max_connections=streams + 10)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        jobs = [
            _stream(
                client,
                n,
                keys[n // STREAMS_PER_KEY],
                customer,
                leave_every > 0 and n % leave_every == 0,
                figures,
            )
            for n in range(streams)
        ]
        left = await asyncio.gather(*jobs)
    stop.set()
    while (probe := await asyncio.to_thread(probes.get, True, 30)) is not None:
        figures.health_ms.append(probe[0])
        figures.health_failures += 0 if probe[1] else 1
    poller.join(10)
    return [t for t in left if t is not None]


def run_load(
    work: Path, *, streams: int, low_s: float, high_s: float, leave_every: int = 5,
    rate_per_minute: int = 20, burst_over: int = 5, max_generations: int | None = None,
) -> LoadFigures:  # fmt: skip
    """Run the whole load scenario in `work` and return its figures; `max_generations`
    below `streams` shows the concurrency cap's deliberate 503s."""
    figures = LoadFigures(streams=streams)
    keys, customer, collection = prepare(work / "data", keys=-(-streams // STREAMS_PER_KEY) + 1)
    log = work / "server.log"
    port = free_port()
    extra = {
        # Remote generation mostly waits on the network: one thread per stream.
        "KIZUNA_API__GENERATION_CONCURRENCY": str(streams),
        "KIZUNA_API__MAX_GENERATIONS": str(max_generations or streams),
        "KIZUNA_API__GENERATIONS_PER_MINUTE": str(rate_per_minute),
    }
    started = time.monotonic()
    with slow_openai(low_s, high_s) as upstream:
        proc = start_server(serve_env(work / "data", collection, upstream.url, extra), port, log)
        url = f"http://127.0.0.1:{port}"
        try:
            left = asyncio.run(_drive(url, keys[:-1], customer, streams, leave_every, figures))
            _wait_closed(upstream, timeout=high_s + 5)
            figures.upstream_calls = len(upstream.calls())
            _cancel_times(upstream, left, figures)
            asyncio.run(_burst(url, keys[-1], customer, rate_per_minute + burst_over, figures))
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    figures.seconds = time.monotonic() - started
    text = log.read_text(errors="replace")
    figures.log_problems = [
        line for line in text.splitlines() if "database is locked" in line or "Traceback" in line
    ]
    return figures


def _wait_closed(upstream: SlowProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while upstream.open_calls() and time.monotonic() < deadline:
        time.sleep(0.1)


def _cancel_times(
    upstream: SlowProcess, left: list[tuple[str, float]], figures: LoadFigures
) -> None:
    """For each stream that left early: how long until its upstream call was closed.

    The stream's tag (#s<n> in its question) is in the prompt, so the call is known exactly;
    one that ran to its end, or never ended, counts as not cancelled.
    """
    calls = {c.tag: c for c in upstream.calls()}
    for tag, when in left:
        call = calls.get(tag)
        if call is None or call.complete or call.ended is None:
            figures.not_cancelled += 1
        else:
            figures.cancel_s.append(max(0.0, call.ended - when))
