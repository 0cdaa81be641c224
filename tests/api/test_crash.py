"""kill -9 an import (CLI and API) at a random moment, restart, re-run: nothing lost, nothing
duplicated, index check clean, SQLite intact. A small version of benchmarks/bench_crash.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.crash_run import run_crashes


@pytest.mark.slow
def test_killed_imports_rerun_to_the_clean_state(tmp_path: Path) -> None:
    outcomes = run_crashes(tmp_path, n_records=1000, runs=2, seed=7)
    assert len(outcomes) == 2
    assert {o.way for o in outcomes} == {"cli", "api"}
    assert any(o.killed for o in outcomes)  # at least one kill landed mid-run
    failures = [o for o in outcomes if not o.ok]
    assert not failures, failures
