"""/health probed from a child process of its own (a small module: the child starts fast)."""

from __future__ import annotations

import time
from typing import Any

import httpx


def poll_health(url: str, stop: Any, out: Any) -> None:
    """In a child process (so the load's own client does not delay the probes): GET /health
    every 50 ms until `stop` is set; puts (milliseconds, ok) per probe on `out`."""
    with httpx.Client(base_url=url, timeout=10) as client:
        while not stop.is_set():
            start = time.perf_counter()
            try:
                ok = client.get("/health").status_code == 200
            except httpx.HTTPError:
                ok = False
            out.put(((time.perf_counter() - start) * 1000, ok))
            time.sleep(0.05)
    out.put(None)
