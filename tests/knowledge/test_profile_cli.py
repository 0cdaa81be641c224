"""The analytics CLI end to end on a small SQLite database: customers show/search, segments, ..."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from analytics_data import rfm_company
from typer.testing import CliRunner

from api.cli import context
from api.cli.main import _register, app
from knowledge.db import transaction
from knowledge.settings import Settings


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    settings = Settings(
        environment="test", data_dir=tmp_path, analytics={"reference_date": "2024-06-30"}
    )  # type: ignore[arg-type]
    monkeypatch.setattr(context, "_context", context.CliContext(settings))
    with transaction(context.get_context().sessions) as s:
        ids = rfm_company(s)
    _register()
    yield ids


def _run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_commands(cli: dict[str, int]) -> None:
    shown = _run("customers", "show", str(cli["M"]))  # merged id: shows the survivor
    assert f"customer:{cli['A']}" in shown and "Alice Hand" in shown
    assert "champion" in shown and "58,053" in shown and "last order 10 days ago" in shown
    assert '"segment": "champion"' in _run("customers", "show", str(cli["A"]), "--json")
    assert "Carol Loyal" in _run("customers", "search", "carol")
    segments = _run("segments")
    for name in ("champion", "loyal", "new", "at_risk", "dormant", "churned", "prospect"):
        assert name in segments
    assert "Lotion" in _run("basket", "--min-support", "0.05")
    assert "2024-01" in _run("f2")
    missing = CliRunner().invoke(app, ["customers", "show", "999999"])
    assert missing.exit_code == 1 and "does not exist" in missing.output
    bad = CliRunner().invoke(app, ["basket", "--by", "brand"])
    assert bad.exit_code != 0
