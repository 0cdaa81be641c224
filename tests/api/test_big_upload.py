"""A 2 GB upload against a real `kizuna serve`: refused early with 413, the server's peak
memory (VmHWM in /proc) barely moves and it keeps answering. The 2 GB are a generator of one
reused 1 MiB piece, so the test allocates nothing like it either."""

from __future__ import annotations

import select
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from knowledge.apikeys import create_key
from knowledge.db import make_engine, make_session_factory
from tests.api.conftest import api_settings
from tests.api.live import free_port
from tests.api.load_run import prepare, serve_env, start_server

TWO_GB = 2 * 1024**3
PIECE = b"K-1,name,mail@example.jp\r\n" * (1024 * 1024 // 26)
BOUNDARY = "kizunaboundary"
PREAMBLE = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="source"\r\n\r\nbig\r\n'
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
    "Content-Type: text/csv\r\n\r\nexternal_id,name,email\r\n"
).encode()
MAX_UPLOAD = 8 * 1024 * 1024


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc")


def send_until_answered(port: int, head: bytes, body: Iterator[bytes]) -> tuple[int, int]:
    """Send head, then body pieces until the server answers: (status, body bytes sent)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(head)
        for piece in body:
            if select.select([sock], [], [], 0)[0]:
                break  # the answer is there: stop sending
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        answer = sock.recv(65536)
    return int(answer.split(b" ", 2)[1]), sent


def two_gigabytes(chunked: bool) -> Iterator[bytes]:
    """A 2 GB multipart upload, piece by piece (chunk-framed when `chunked`)."""
    total = len(PREAMBLE)
    yield (b"%x\r\n%s\r\n" % (len(PREAMBLE), PREAMBLE)) if chunked else PREAMBLE
    while total < TWO_GB:
        total += len(PIECE)
        yield (b"%x\r\n%s\r\n" % (len(PIECE), PIECE)) if chunked else PIECE


def _head(port: int, key: str, framing: str) -> bytes:
    return (
        f"POST /imports HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {key}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n{framing}\r\n\r\n"
    ).encode()


@pytest.mark.slow
def test_a_2gb_upload_is_refused_early_with_memory_bounded(tmp_path: Path) -> None:
    _keys, _customer, collection = prepare(tmp_path / "data", keys=0)
    engine = make_engine(api_settings(tmp_path / "data").database)
    admin = create_key(make_session_factory(engine), name="big", role="admin")[1]
    engine.dispose()
    port = free_port()
    env = serve_env(
        tmp_path / "data",
        collection,
        "http://127.0.0.1:9/v1",
        {"KIZUNA_API__MAX_UPLOAD_BYTES": str(MAX_UPLOAD), "KIZUNA_LLM__MODE": "fake"},
    )
    proc = start_server(env, port, tmp_path / "server.log")
    try:
        before = peak_rss_mb(proc.pid)
        # Declared 2 GB: answered before the body is read.
        status, sent = send_until_answered(
            port, _head(port, admin, f"Content-Length: {TWO_GB}"), two_gigabytes(False)
        )
        assert status == 413 and sent < 64 * 1024 * 1024, (status, sent)
        print(f"declared 2 GB: 413 after {sent / 2**20:.1f} MiB sent")
        # Chunked, size unknown: read up to the limit, then 413.
        status, sent = send_until_answered(
            port, _head(port, admin, "Transfer-Encoding: chunked"), two_gigabytes(True)
        )
        assert status == 413 and sent < MAX_UPLOAD + 64 * 1024 * 1024, (status, sent)
        print(f"chunked 2 GB: 413 after {sent / 2**20:.1f} MiB sent")
        after = peak_rss_mb(proc.pid)
        print(f"peak RSS before {before:.0f} MiB, after {after:.0f} MiB")
        assert after - before < 64, (before, after)
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 200
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
