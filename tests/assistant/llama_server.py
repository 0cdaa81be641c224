"""llama-cpp-python's own OpenAI-compatible server on loopback, for tests and benchmarks."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import httpx


def serve_model(model: str, threads: int) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server on 127.0.0.1 until the generator is closed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    args = ["--model", model, "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"]
    args += ["--n_threads", str(threads), "--model_alias", "local"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", *args], stdout=subprocess.DEVNULL, stderr=log
    )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            log.seek(0)
            raise RuntimeError(f"llama_cpp.server did not start:\n{log.read()[-2000:]!r}")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
