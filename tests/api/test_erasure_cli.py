"""`kizuna customers export` and `kizuna customers erase` on SQLite with embedded Chroma."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import context
from api.cli.main import _register, app
from api.cli.retrieval_cmds import open_retrieval
from knowledge.settings import Settings
from tests.knowledge.erasure_seed import Planted, plant


@pytest.fixture
def people(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Planted, Planted]]:
    settings = Settings(environment="test", data_dir=tmp_path, llm={"mode": "fake"})  # type: ignore[arg-type]
    settings.retrieval.embedder = "fake-64"
    monkeypatch.setattr(context, "_context", context.CliContext(settings))
    sessions = context.get_context().sessions
    a, b = plant(sessions, "a", "zqclimarka"), plant(sessions, "b", "zqclimarkb")
    open_retrieval().index(progress=False)
    _register()
    yield a, b


def test_export_then_erase(people: tuple[Planted, Planted], tmp_path: Path) -> None:
    a, b = people
    out = tmp_path / "a.json"
    result = CliRunner().invoke(app, ["customers", "export", str(a.customer_id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert a.marker in json.dumps(exported["indexes"]) and b.marker not in out.read_text()

    kept = CliRunner().invoke(app, ["customers", "erase", str(a.customer_id)], input="n\n")
    assert kept.exit_code != 0 and "Erase customer" in kept.output
    assert a.marker in CliRunner().invoke(app, ["customers", "export", str(a.customer_id)]).output

    erased = CliRunner().invoke(app, ["customers", "erase", str(a.customer_id), "--yes"])
    assert erased.exit_code == 0, erased.output
    assert "index:vector" in erased.output and "orders 1" in erased.output
    after = CliRunner().invoke(app, ["customers", "export", str(a.customer_id)])
    assert after.exit_code == 0 and a.marker not in after.output and "(erased)" in after.output
    compacted = CliRunner().invoke(app, ["index", "compact"])
    assert compacted.exit_code == 0 and "compacted" in compacted.output
    missing = CliRunner().invoke(app, ["customers", "erase", "999999", "--yes"])
    assert missing.exit_code == 1 and "does not exist" in missing.output
