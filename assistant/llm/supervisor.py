"""Starts, watches and restarts the local model's process (assistant.llm.runtime).

The model runs in a child process so that a fault in llama.cpp ends that process, not the API:
the request in flight fails with LLMUnavailable (the jobs then answer from the records, marked
degraded), the supervisor starts a new child at once, and the next request is served by it.
"""

from __future__ import annotations

import collections
import itertools
import json
import logging
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from assistant.errors import LLMUnavailable

log = logging.getLogger(__name__)

_EXITED = object()  # put on a child's event queue when its stdout closes
# Restart delays after consecutive failed starts: a model that cannot load is not retried in a
# tight loop, and one crash (then a good start) costs no wait at all.
_BACKOFF_S = (0.0, 1.0, 5.0, 30.0)


@dataclass(frozen=True)
class RuntimeStatus:
    """What /ready reports of the local model."""

    state: str  # starting | ready | restarting | stopped
    pid: int | None
    restarts: int
    last_error: str | None


def describe_exit(code: int | None) -> str:
    """'signal SIGSEGV' / 'exit code 3' for a child's return code."""
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


class _Child:
    """One runtime process: its pipes, the events it sent, and the tail of its stderr."""

    def __init__(self, command: list[str]) -> None:
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )
        self.events: queue.Queue[Any] = queue.Queue()
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=20)
        self.ready = threading.Event()
        self.exited = threading.Event()
        assert self.proc.stdout is not None and self.proc.stderr is not None
        threading.Thread(target=self._read_events, args=(self.proc.stdout,), daemon=True).start()
        threading.Thread(target=self._read_stderr, args=(self.proc.stderr,), daemon=True).start()

    def _read_events(self, stream: IO[str]) -> None:
        for line in stream:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if event.get("ready"):
                self.ready.set()
            else:
                self.events.put(event)
        self.proc.wait()
        self.exited.set()
        self.events.put(_EXITED)

    def _read_stderr(self, stream: IO[str]) -> None:
        # llama.cpp's own messages; kept for the error report, logged at DEBUG only.
        for line in stream:
            self.stderr_tail.append(line.rstrip())
            log.debug("model process: %s", line.rstrip())

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()

    def why_exited(self) -> str:
        tail = " | ".join(line for line in self.stderr_tail if line)[-300:]
        return describe_exit(self.proc.returncode) + (f" ({tail})" if tail else "")

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.close()  # the runtime ends when its stdin closes
                self.proc.wait(timeout=timeout)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()


class Supervisor:
    """One model process, started on demand, restarted whenever it dies."""

    def __init__(self, command: list[str], *, start_timeout_s: float = 300.0) -> None:
        self.command = command
        self.start_timeout_s = start_timeout_s
        self._child: _Child | None = None
        self._lock = threading.Lock()  # one generation at a time (the child serves one)
        self._state_lock = threading.Lock()
        self._ids = itertools.count(1)
        self._restarts = 0
        self._failures = 0  # consecutive starts that never reached ready
        self._last_error: str | None = None
        self._closing = False
        self._on_ready: list[Callable[[], Any]] = []

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Start the process now (in the background) unless one is running or starting."""
        with self._state_lock:
            self._closing = False
            if self._child is not None and not self._child.exited.is_set():
                return
            if self._child is not None:
                self._restarts += 1
            self._spawn()

    def on_ready(self, hook: Callable[[], Any]) -> None:
        """Run hook on a thread each time a process becomes ready (e.g. warm the prefix cache)."""
        self._on_ready.append(hook)

    def close(self) -> None:
        """Stop the process; it is not restarted until the next start() or request. The
        on-ready hooks go too: they belong to whoever started it (e.g. one app's warm-up)."""
        with self._state_lock:
            self._closing = True
            self._on_ready.clear()
            child, self._child = self._child, None
        if child is not None:
            child.stop()

    def status(self) -> RuntimeStatus:
        """The process's state as /ready reports it."""
        child = self._child
        if child is None:
            state = "stopped"
        elif child.exited.is_set():
            state = "restarting"
        elif child.ready.is_set():
            state = "ready"
        else:
            state = "starting" if self._restarts == 0 else "restarting"
        pid = child.proc.pid if child is not None and not child.exited.is_set() else None
        return RuntimeStatus(state, pid, self._restarts, self._last_error)

    def _spawn(self) -> None:
        child = _Child(self.command)
        self._child = child
        threading.Thread(target=self._watch, args=(child,), daemon=True).start()

    def _watch(self, child: _Child) -> None:
        """Wait for the child to be ready, then to exit; restart it unless we are closing."""
        deadline = time.monotonic() + self.start_timeout_s
        while not child.ready.wait(0.2):
            if child.exited.is_set() or time.monotonic() > deadline:
                break
        if child.ready.is_set():
            self._failures = 0
            log.info("local model process %d ready", child.proc.pid)
            for hook in self._on_ready:
                threading.Thread(target=self._run_hook, args=(hook,), daemon=True).start()
            child.exited.wait()
        else:
            self._failures += 1
            if not child.exited.is_set():  # hung while loading
                child.proc.kill()
                child.exited.wait()
        if self._closing:
            return
        self._last_error = child.why_exited()
        log.error("local model process exited: %s; restarting", self._last_error)
        time.sleep(_BACKOFF_S[min(self._failures, len(_BACKOFF_S) - 1)])
        with self._state_lock:
            if self._closing or self._child is not child:
                return
            self._restarts += 1
            self._spawn()

    @staticmethod
    def _run_hook(hook: Callable[[], Any]) -> None:
        try:
            hook()
        except Exception as e:  # a warm-up that fails costs speed, not correctness
            log.warning("model on-ready hook failed: %s", e)

    def _ready_child(self, timeout_s: float) -> _Child:
        self.start()
        deadline = time.monotonic() + timeout_s
        while True:
            child = self._child
            if child is None:
                raise LLMUnavailable("the local model process is stopped")
            if child.ready.is_set() and not child.exited.is_set():
                return child
            if child.exited.is_set() and not child.ready.is_set():
                # It never loaded (missing runtime, bad model file): say why now, not after
                # the time limit; the supervisor keeps retrying with a growing delay.
                raise LLMUnavailable(f"the local model failed to start: {child.why_exited()}")
            if time.monotonic() > deadline:
                why = self._last_error or "still loading"
                raise LLMUnavailable(f"the local model process is not ready: {why}")
            time.sleep(0.05)

    # -- generation ------------------------------------------------------------------------

    def generate(self, request: dict[str, Any], timeout_s: float) -> Iterator[str]:
        """The model's text for one request, streamed; LLMUnavailable if the process dies.

        Stops quietly at timeout_s (the text so far stands). Closing the iterator cancels the
        request in the child, which stays loaded for the next one.
        """
        started = time.monotonic()
        with self._lock:
            child = self._ready_child(min(timeout_s, self.start_timeout_s))
            rid = next(self._ids)
            try:
                child.send({**request, "id": rid})
            except OSError as e:
                raise LLMUnavailable(f"the local model process is gone: {e}") from e
            finished = False
            try:
                while True:
                    left = timeout_s - (time.monotonic() - started)
                    if left <= 0:
                        log.warning("local generation stopped at the %.0f s limit", timeout_s)
                        return
                    try:
                        event = child.events.get(timeout=left)
                    except queue.Empty:
                        continue
                    if event is _EXITED:
                        finished = True
                        raise LLMUnavailable(
                            f"the local model process ended mid-answer: {child.why_exited()}"
                        )
                    if event.get("id") != rid:
                        continue  # a late reply to an earlier, cancelled request
                    if "delta" in event:
                        yield str(event["delta"])
                    else:
                        finished = True
                        if "error" in event:
                            raise LLMUnavailable(f"local model: {event['error']}")
                        return
            finally:
                if not finished:
                    self._cancel(child, rid)

    def _cancel(self, child: _Child, rid: int) -> None:
        """Stop request rid and wait for its end, so the next request starts clean."""
        try:
            child.send({"cancel": rid})
        except OSError:
            return
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            try:
                event = child.events.get(timeout=0.5)
            except queue.Empty:
                continue
            if event is _EXITED or (event.get("id") == rid and "delta" not in event):
                return
        log.error("local model process did not stop request %d; killing it", rid)
        child.proc.kill()


def runtime_command(model_path: str, n_ctx: int, n_threads: int) -> list[str]:
    """The command line of the model process (this interpreter, so the same packages)."""
    return [
        sys.executable,
        "-m",
        "assistant.llm.runtime",
        "--model",
        model_path,
        "--n-ctx",
        str(n_ctx),
        "--n-threads",
        str(n_threads),
    ]
