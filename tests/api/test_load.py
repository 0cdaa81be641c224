"""A small load run (10 chat streams, 1 s answers from a slow OpenAI-compatible server on
loopback) against a real `kizuna serve`: benchmarks/bench_load.py is the full size."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.load_run import percentile, run_load


@pytest.mark.slow
def test_concurrent_streams_limits_health_and_cancellation(tmp_path: Path) -> None:
    figures = run_load(tmp_path, streams=10, low_s=1.0, high_s=1.0, rate_per_minute=6)
    # Every stream was admitted and answered, or left early on purpose.
    assert figures.statuses == {200: 10}, figures.statuses
    assert figures.completed + figures.left_early == 10
    assert figures.upstream_calls >= 10
    # Past the key's rate: 429 with Retry-After, and nothing else went wrong.
    assert figures.rate_statuses[429] == 5, figures.rate_statuses
    assert figures.retry_after and "" not in figures.retry_after
    assert figures.server_errors == 0
    # The event loop stayed free while the streams ran.
    assert figures.health_failures == 0
    assert percentile(figures.health_ms, 99) < 200, percentile(figures.health_ms, 99)
    # The streams that left had their upstream call closed within a second.
    assert figures.left_early == 2 and figures.not_cancelled == 0
    assert max(figures.cancel_s) < 1.0, figures.cancel_s
    assert figures.log_problems == []
