"""The model process supervisor, with a fake runtime that speaks the protocol (no model)."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.errors import LLMUnavailable
from assistant.llm.supervisor import Supervisor, describe_exit

FAKE = [sys.executable, str(Path(__file__).with_name("fake_runtime.py"))]


def _request(text: str, max_tokens: int = 50) -> dict[str, object]:
    return {"messages": [{"role": "user", "content": text}], "max_tokens": max_tokens}


def _wait(predicate: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


@pytest.fixture
def supervisor() -> Iterator[Supervisor]:
    sup = Supervisor([*FAKE, "--delay", "0.05"], start_timeout_s=30)
    yield sup
    sup.close()


def test_streams_and_reports_ready(supervisor: Supervisor) -> None:
    assert supervisor.status().state == "stopped"
    text = "".join(supervisor.generate(_request("one two three"), timeout_s=30))
    assert text.split() == ["one", "two", "three"]
    status = supervisor.status()
    assert status.state == "ready" and status.pid and status.restarts == 0


def test_a_killed_process_fails_the_request_and_the_next_one_works(
    supervisor: Supervisor,
) -> None:
    stream = supervisor.generate(_request("a b c d e f g h i j k l m n o p"), timeout_s=30)
    assert next(stream).strip() == "a"
    pid = supervisor.status().pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(LLMUnavailable, match="SIGKILL"):
        list(stream)
    # Restarted by itself: the next request is served by a new process.
    assert "".join(supervisor.generate(_request("after crash"), timeout_s=30)) == "after crash "
    status = supervisor.status()
    assert status.state == "ready" and status.pid != pid and status.restarts == 1
    assert status.last_error is not None and "SIGKILL" in status.last_error


def test_closing_the_stream_cancels_only_that_request(supervisor: Supervisor) -> None:
    stream = supervisor.generate(_request(" ".join(f"w{i}" for i in range(40))), timeout_s=30)
    assert next(stream).strip() == "w0"
    stream.close()  # the client went away
    started = time.monotonic()
    assert "".join(supervisor.generate(_request("fresh"), timeout_s=30)) == "fresh "
    assert time.monotonic() - started < 2.0  # not after the 40 words of the first request
    assert supervisor.status().restarts == 0


def test_time_limit_keeps_the_text_so_far(supervisor: Supervisor) -> None:
    text = "".join(supervisor.generate(_request(" ".join("x" * 60)), timeout_s=0.5))
    assert 0 < len(text.split()) < 60
    assert "".join(supervisor.generate(_request("next"), timeout_s=30)) == "next "


def test_a_process_that_cannot_load_says_why_at_once() -> None:
    sup = Supervisor([*FAKE, "--fail-start"], start_timeout_s=30)
    try:
        started = time.monotonic()
        with pytest.raises(LLMUnavailable, match=r"exit code 3.*cannot load GGUF"):
            list(sup.generate(_request("hello"), timeout_s=60))
        assert time.monotonic() - started < 10
        assert sup.status().state in ("restarting", "starting")
    finally:
        sup.close()
    assert sup.status().state == "stopped"


def test_on_ready_runs_after_every_start(supervisor: Supervisor) -> None:
    starts: list[int] = []
    lock = threading.Lock()

    def hook() -> None:
        with lock:
            starts.append(supervisor.status().pid or 0)

    supervisor.on_ready(hook)
    supervisor.start()
    _wait(lambda: len(starts) == 1)
    os.kill(starts[0], signal.SIGKILL)
    _wait(lambda: len(starts) == 2)
    assert starts[0] != starts[1]


def test_describe_exit() -> None:
    assert describe_exit(-11) == "signal SIGSEGV"
    assert describe_exit(3) == "exit code 3"
