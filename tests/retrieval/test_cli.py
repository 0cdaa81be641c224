"""The CLI: kizuna index / index check / reindex / search / eval retrieval (fake embedder)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import context
from api.cli.main import _register, app
from knowledge.models import Customer
from knowledge.settings import Settings
from retrieval.service import build_retrieval
from tests.retrieval.bilingual import load_bilingual, write_questions
from tests.retrieval.conftest import add_article, add_interaction

runner = CliRunner()


@pytest.fixture
def cli(settings: Settings) -> Iterator[context.CliContext]:
    settings.retrieval.embedder = "fake-64"
    ctx = context.CliContext(settings)
    previous = context._context
    context._context = ctx
    if not any(c.name == "search" for c in app.registered_commands):
        _register()
    yield ctx
    context._context = previous


def test_index_check_search_reindex(cli: context.CliContext, tmp_path: Path) -> None:
    questions = load_bilingual(cli.sessions)
    add_article(cli.sessions, "返品", "30日以内なら返品できます。")
    result = runner.invoke(app, ["index", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "41 indexed" in result.output
    assert runner.invoke(app, ["index", "check"]).exit_code == 0
    cid = questions[0]["scope"]["customer_id"]
    found = runner.invoke(app, ["search", "パスワード", "--customer", str(cid), "--json"])
    assert found.exit_code == 0, found.output
    rows = json.loads(found.output)
    assert rows and {r["customer_id"] for r in rows} == {cid}
    assert runner.invoke(app, ["search", "返品", "--kb"]).exit_code == 0
    assert runner.invoke(app, ["search", "x"]).exit_code == 2  # no scope
    assert runner.invoke(app, ["reindex", "--no-progress"]).exit_code == 0
    assert runner.invoke(app, ["index", "check"]).exit_code == 0


def test_index_check_fails_when_out_of_step(cli: context.CliContext) -> None:
    load_bilingual(cli.sessions)
    assert runner.invoke(app, ["index", "--no-progress"]).exit_code == 0
    r = build_retrieval(cli.settings.retrieval, cli.sessions)
    r.vectors.delete(["interaction:1:0"])
    result = runner.invoke(app, ["index", "check"])
    assert result.exit_code == 1
    assert "missing: 1" in result.output


def test_eval_retrieval_reports_all_modes(cli: context.CliContext, tmp_path: Path) -> None:
    questions = load_bilingual(cli.sessions)
    runner.invoke(app, ["index", "--no-progress"])
    path = write_questions(questions, tmp_path / "q.jsonl")
    result = runner.invoke(app, ["eval", "retrieval", "--questions", str(path), "--markdown"])
    assert result.exit_code == 0, result.output
    for mode in ("keyword", "vector", "hybrid"):
        assert f"| cross | {mode} | 40 |" in result.output


def test_eval_rejects_bad_questions_file(cli: context.CliContext, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"query": "x", "relevant_ids": ["interaction:1"], "scope": {"kind": "customer"}}\n'
    )
    result = runner.invoke(app, ["eval", "retrieval", "--questions", str(bad)])
    assert result.exit_code == 2
    assert "bad.jsonl:1" in result.output and "scope.customer_id" in result.output


def _found(query: str, customer: int) -> set[str]:
    result = runner.invoke(app, ["search", query, "--customer", str(customer), "--json"])
    assert result.exit_code == 0, result.output
    return {row["record_id"] for row in json.loads(result.output)}


@pytest.mark.slow
def test_dedupe_merge_and_undo_keep_the_index_consistent(cli: context.CliContext) -> None:
    with cli.sessions.begin() as s:
        people = [
            Customer(name="山田 太郎", email="taro@example.jp", phone="+819011112222")
            for _ in range(2)
        ]
        s.add_all(people)
        s.flush()
        a, b = (c.id for c in people)
    add_interaction(cli.sessions, a, "請求書の再発行を依頼。")
    note = f"interaction:{add_interaction(cli.sessions, b, '化粧水のサンプルを希望。')}"
    assert runner.invoke(app, ["index", "--no-progress"]).exit_code == 0
    assert _found("サンプル", b) == {note}
    steps = (
        (["dedupe", "--merge"], a),  # automatic: same e-mail and phone
        (["dedupe", "undo", "1"], b),
        (["dedupe", "merge", str(a), str(b)], a),
        (["dedupe", "undo", "2"], b),
    )
    for args, owner in steps:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "search index updated: 1 record(s) re-indexed" in result.output, args
        check = runner.invoke(app, ["index", "check"])
        assert check.exit_code == 0, (args, check.output)
        assert note in _found("サンプル", owner), args
        assert note not in _found("サンプル", a if owner == b else b), args
