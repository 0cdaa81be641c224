"""Loading the demo through the importer: ids in questions.json, idempotency, 名寄せ, CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from api.cli import context
from api.cli.main import _register, app
from demo import DemoSummary, load_demo
from knowledge.dedupe.candidates import find_candidates
from knowledge.enrichment_store import interactions_to_enrich
from knowledge.models import Article, Customer, Interaction
from knowledge.settings import Settings

SCALE = 0.03  # the planted stories are all there at any scale; the background is small


@pytest.fixture
def quiet(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"imports": settings.imports.model_copy(update={"progress": False})}
    )


@pytest.fixture
def loaded(sessions: sessionmaker[Session], quiet: Settings) -> tuple[DemoSummary, dict[str, Any]]:
    summary = load_demo(sessions, quiet, scale=SCALE)
    return summary, json.loads(summary.questions_path.read_text(encoding="utf-8"))


def _owner(session: Session, record_id: str) -> int | None:
    kind, _, n = record_id.partition(":")
    if kind == "interaction":
        row = session.get(Interaction, int(n))
        assert row is not None, record_id
        return row.customer_id
    assert kind == "article" and session.get(Article, int(n)) is not None, record_id
    return None


def test_questions_point_at_existing_records_of_the_scoped_customer(
    sessions: sessionmaker[Session], loaded: tuple[DemoSummary, dict[str, Any]]
) -> None:
    summary, doc = loaded
    assert summary.total("rejected") == 0 and summary.total("inserted") > 0
    assert doc["reference_date"] == "2026-11-20" and len(doc["questions"]) >= 60
    with sessions() as session:
        for q in doc["questions"]:
            owners = {_owner(session, rid) for rid in q["relevant_ids"]}
            if q["scope"]["kind"] == "customer":
                assert owners == {q["scope"]["customer_id"]}, q["id"]
            else:
                assert q["scope"] == {"kind": "knowledge_base"} and owners == {None}, q["id"]
        for p in doc["planted"]:
            assert {_owner(session, rid) for rid in p["record_ids"]} == {p["customer_id"]}, p["id"]
        for u in doc["unanswerable"]:
            assert u["customer_id"] is None or session.get(Customer, u["customer_id"])
        opted = next(p for p in doc["planted"] if p["id"] == "marketing-opt-out")
        assert session.get(Customer, opted["customer_id"]).email_opt_out is True
    lines = summary.questions_jsonl_path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["relevant_ids"] for line in lines] == [
        q["relevant_ids"] for q in doc["questions"]
    ]


def test_second_load_changes_nothing(
    sessions: sessionmaker[Session], quiet: Settings, loaded: tuple[DemoSummary, dict[str, Any]]
) -> None:
    first, doc = loaded
    with sessions() as session:
        before = session.scalar(select(func.count()).select_from(Interaction))
    again = load_demo(sessions, quiet, scale=SCALE)
    assert again.total("inserted") == 0 and again.total("updated") == 0
    assert again.total("unchanged") == first.total("read") == again.total("read")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Interaction)) == before
    assert json.loads(again.questions_path.read_text(encoding="utf-8")) == doc


def test_dedupe_finds_every_planted_duplicate_pair(
    sessions: sessionmaker[Session], quiet: Settings, loaded: tuple[DemoSummary, dict[str, Any]]
) -> None:
    _, doc = loaded
    with sessions() as session:
        found = {
            tuple(sorted(c.customer_ids)): c.score
            for c in find_candidates(session, min_score=quiet.dedupe.review_threshold)
        }
    missed = [
        d["variant"] for d in doc["duplicates"] if tuple(sorted(d["customer_ids"])) not in found
    ]
    assert not missed, f"名寄せ missed the planted variants {missed}"
    planted = {tuple(sorted(d["customer_ids"])) for d in doc["duplicates"]}
    strays = [
        pair
        for pair, score in found.items()
        if pair not in planted and score >= quiet.dedupe.merge_threshold
    ]
    assert not strays, f"pairs that would be merged but are different people: {strays}"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    settings = Settings(environment="test", data_dir=tmp_path)  # type: ignore[arg-type]
    monkeypatch.setattr(context, "_context", context.CliContext(settings))
    _register()
    yield tmp_path


def test_kizuna_demo_command_loads_enriches_and_can_run_again(cli: Path) -> None:
    runner = CliRunner()
    args = ["demo", "--scale", str(SCALE), "--no-serve"]  # serving would block the test
    first = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert first.exit_code == 0, first.output
    assert "questions.json" in first.output and "champion" in first.output
    assert (cli / "demo" / "questions.jsonl").exists()
    # The panel's sentiment badges need every interaction enriched, with no `kizuna enrich`.
    with context.get_context().sessions() as s:
        assert interactions_to_enrich(s) == []
        done = interactions_to_enrich(s, only_missing=False)
    assert done and {i.sentiment for i in done} == {"positive", "neutral", "negative"}
    second = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert second.exit_code == 0, second.output
    assert "\n0 interactions enriched" in second.output  # incremental: nothing new to enrich
    bad = runner.invoke(app, ["demo", "--scale", "0"])
    assert bad.exit_code == 2 and "--scale" in bad.output
