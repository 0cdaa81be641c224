"""`kizuna import` end to end: the interactions it brings are enriched (sentiment, intent)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import context
from api.cli.main import _register, app
from knowledge.enrichment_store import interactions_to_enrich
from knowledge.settings import Settings


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[context.CliContext]:
    settings = Settings(environment="test", data_dir=tmp_path / "data")  # type: ignore[arg-type]
    settings.imports.progress = False
    ctx = context.CliContext(settings)
    monkeypatch.setattr(context, "_context", ctx)
    _register()
    yield ctx


def _jsonl(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_cli_import_enriches_new_and_changed_interactions(
    cli: context.CliContext, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    _jsonl(folder / "customers.jsonl", [{"external_id": "C-1", "name": "山田 太郎"}])
    note = {"customer_external_id": "C-1", "kind": "email", "occurred_at": "2025-03-05T10:00:00Z"}
    notes = [
        {**note, "external_id": "N-1", "body": "商品が壊れていて大変不満です。"},
        {**note, "external_id": "N-2", "body": "とても美味しくて満足しています。"},
    ]
    _jsonl(folder / "interactions.jsonl", notes)
    runner = CliRunner()
    first = runner.invoke(app, ["import", str(folder), "--source", "shop"])
    assert first.exit_code == 0, first.output
    assert "2 interaction(s) enriched" in first.output
    with cli.sessions() as s:
        assert interactions_to_enrich(s) == []
        done = sorted(interactions_to_enrich(s, only_missing=False), key=lambda i: i.id)
    assert [(i.sentiment, i.intent) for i in done] == [
        ("negative", "product_defect"),
        ("positive", "praise"),
    ]
    # Incremental: the unchanged note keeps its enrichment, the changed one is redone.
    notes[1]["body"] = "解約したいです。"
    _jsonl(folder / "interactions.jsonl", notes)
    again = runner.invoke(app, ["import", str(folder / "interactions.jsonl"), "--source", "shop"])
    assert again.exit_code == 0, again.output
    assert "1 interaction(s) enriched" in again.output
    with cli.sessions() as s:
        done = sorted(interactions_to_enrich(s, only_missing=False), key=lambda i: i.id)
    assert [i.intent for i in done] == ["product_defect", "cancellation"]
