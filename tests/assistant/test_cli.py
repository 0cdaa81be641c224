"""The assistant CLI end to end on the seed company (fake LLM, FakeEmbedder)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import context as cli_context
from api.cli.main import _register, app
from tests.assistant.conftest import World, seed_world


@pytest.fixture
def cli_world(settings, monkeypatch: pytest.MonkeyPatch) -> World:  # type: ignore[no-untyped-def]
    settings.retrieval.embedder = "fake-64"
    settings.imports.progress = False
    ctx = cli_context.CliContext(settings)
    monkeypatch.setattr(cli_context, "_context", ctx)
    from retrieval.embedders import make_embedder

    return seed_world(settings, ctx.sessions, make_embedder(settings.retrieval))


def test_ask_brief_draft_gaps_enrich(cli_world: World, tmp_path: Path) -> None:
    _register()
    runner = CliRunner()
    a = cli_world.ids["A"]
    r = runner.invoke(app, ["ask", "配送が遅れている件は？", "--customer", str(a)])
    assert r.exit_code == 0, r.output
    assert "answer (checked)" in r.output and f"interaction:{cli_world.ids['I1']}" in r.output
    out = tmp_path / "brief.md"
    r = runner.invoke(app, ["brief", str(a), "--out", str(out), "--lang", "en"])
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8").startswith("# Pre-meeting brief: 山田 花子")
    r = runner.invoke(app, ["draft", str(cli_world.ids["B"]), "--purpose", "win_back"])
    assert r.exit_code == 1 and "consent_refused" in r.output
    r = runner.invoke(app, ["ask", "Quantum flux capacitor warranty?"])
    r = runner.invoke(app, ["gaps"])
    assert "Quantum flux capacitor" in r.output
    r = runner.invoke(app, ["enrich"])
    assert r.exit_code == 0 and "6 interactions enriched" in r.output
