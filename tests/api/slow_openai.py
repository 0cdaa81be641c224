"""A slow OpenAI-compatible chat server on loopback that records each upstream connection.

Run in its own process (`python -m tests.api.slow_openai --port P`) so that it does not share
an interpreter lock with the load it serves; GET /calls returns what it recorded.

Each streamed answer takes a set number of seconds (drawn per request from a range, seeded),
written as evenly spaced pieces. For every request it records when it began, when the
connection ended and whether the answer was complete, so a test can tell how soon Kizuna
closed the upstream after its own client went away. Used by tests/api/test_load.py and
benchmarks/bench_load.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from tests.api.live import free_port

TAG = re.compile(r"#(\w+)")
ANSWER_TEXT = (
    "The customer asked about the order and the delivery date. We answered within a day "
    "and offered a replacement. They thanked us for the quick reply."
)
ANSWER = ANSWER_TEXT.split()


@dataclass
class Upstream:
    """One chat completion as the slow server saw it (times from time.monotonic)."""

    started: float
    seconds: float  # how long the whole answer was to take
    tag: str  # the first "#<word>" in the prompt: which client request caused this call
    ended: float | None = None
    complete: bool = False


@dataclass
class SlowServer:
    """What the server saw."""

    calls: list[Upstream] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _chunk(content: str | None, finish: str | None = None) -> str:
    delta = {"content": content} if content is not None else {}
    body = {
        "id": "chatcmpl-slow",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": "slow",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body)}\n\n"


def make_app(server: SlowServer, low_s: float, high_s: float, seed: int) -> Starlette:
    """The Starlette app: POST /v1/chat/completions (streaming or not), GET /v1/models."""
    rng = random.Random(seed)

    async def completions(request: Request) -> StreamingResponse | JSONResponse:
        body = await request.json()
        with server.lock:
            tag = TAG.search(json.dumps(body.get("messages", []), ensure_ascii=False))
            call = Upstream(
                started=time.monotonic(),
                seconds=rng.uniform(low_s, high_s),
                tag=tag.group(1) if tag else "",
            )
            server.calls.append(call)
        pause = call.seconds / (len(ANSWER) + 1)
        if not body.get("stream"):
            await asyncio.sleep(call.seconds)
            call.ended, call.complete = time.monotonic(), True
            message = {"role": "assistant", "content": " ".join(ANSWER)}
            return JSONResponse(
                {
                    "id": "chatcmpl-slow",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": "slow",
                    "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
            )

        async def pieces() -> AsyncIterator[str]:
            try:
                yield _chunk("")  # role chunk: the answer has begun
                for word in ANSWER:
                    await asyncio.sleep(pause)
                    if await request.is_disconnected():
                        return  # Kizuna closed the upstream: the finally records when
                    yield _chunk(word + " ")
                await asyncio.sleep(pause)
                yield _chunk(None, "stop")
                yield "data: [DONE]\n\n"
                call.complete = True
            finally:  # also when the client closed the connection (the task is cancelled)
                call.ended = time.monotonic()

        return StreamingResponse(pieces(), media_type="text/event-stream")

    async def calls(_request: Request) -> JSONResponse:
        with server.lock:
            return JSONResponse([asdict(c) for c in server.calls])

    async def models(_request: Request) -> JSONResponse:
        return JSONResponse({"object": "list", "data": [{"id": "slow", "object": "model"}]})

    return Starlette(
        routes=[
            Route("/v1/chat/completions", completions, methods=["POST"]),
            Route("/v1/models", models),
            Route("/calls", calls),
        ]
    )


@dataclass
class SlowProcess:
    """The slow server in a child process; `calls()` fetches its records."""

    url: str  # the OpenAI base URL (…/v1)

    def calls(self) -> list[Upstream]:
        rows = httpx.get(self.url.removesuffix("/v1") + "/calls", timeout=30).json()
        return [Upstream(**row) for row in rows]

    def open_calls(self) -> int:
        return sum(1 for c in self.calls() if c.ended is None)


@contextmanager
def slow_openai(low_s: float = 2.0, high_s: float = 5.0, seed: int = 0) -> Iterator[SlowProcess]:
    """Serve the slow model from a child process on 127.0.0.1 until the block ends."""
    port = free_port()
    args = ["--port", str(port), "--low", str(low_s), "--high", str(high_s), "--seed", str(seed)]
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "tests.api.slow_openai", *args], env=env)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the slow OpenAI-compatible server did not start")
            time.sleep(0.1)
        yield SlowProcess(url)
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--low", type=float, default=2.0)
    parser.add_argument("--high", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    app = make_app(SlowServer(), args.low, args.high, args.seed)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
