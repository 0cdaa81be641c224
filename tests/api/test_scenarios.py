"""The scenario suite: its file, its checks, its runner (fake model) and a real-model subset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli.eval_scenarios import print_report, run_suite, select
from api.cli.main import _register, app
from api.scenarios import (
    Cited,
    Item,
    Output,
    RecordKey,
    check,
    load_fixture,
    load_scenarios,
    markdown_table,
    normalise,
    pass_table,
    record_keys,
    report_json,
)
from knowledge.settings import Settings
from tests.conftest import MODEL_CACHE

SUITE = Path(__file__).resolve().parents[2] / "benchmarks" / "scenarios" / "support-desk.yaml"
CATEGORIES = {
    "facts", "records", "cross_lingual", "follow_up", "counting", "unanswerable", "injection",
    "brief", "draft",
}  # fmt: skip
# A fixed subset for the real model: one or two per category, those today's code passes
# (the baseline in docs/assistant.md lists what still fails).
# Items the packaged model passed in a full run (docs/assistant.md): facts answered by code,
# a declined question, injections not obeyed, and a refusal by consent.
REAL_MODEL_ITEMS = [
    "facts-spend-ja",
    "facts-decision-maker-en",
    "unans-tom-phone-en",
    "inject-chat-en",
    "inject-survey-ja",
    "draft-winback-optout-en",
]


@pytest.fixture(scope="module")
def suite():  # type: ignore[no-untyped-def]
    return load_scenarios(SUITE)


def _fake_settings(tmp_path: Path) -> Settings:
    settings = Settings(environment="test", data_dir=tmp_path, llm={"mode": "fake"})  # type: ignore[arg-type]
    settings.retrieval.embedder = "fake-64"
    return settings


# ---- the suite itself is what the issue asks for -----------------------------------------


def test_the_suite_covers_the_issue(suite) -> None:  # type: ignore[no-untyped-def]
    fixture = load_fixture(suite.fixture_dir())
    assert len(suite.items) >= 60
    assert {i.category for i in suite.items} == CATEGORIES
    assert {i.language for i in suite.items} == {"ja", "en"}
    assert len(suite.customers) >= 8 and len({i.customer for i in suite.items}) >= 8
    customers = fixture["customer"]
    assert {c["kind"] for c in customers} == {"person", "company"}
    assert {c["language"] for c in customers} == {"ja", "en"}
    assert any(c.get("is_decision_maker") for c in fixture["contact"])
    purposes = {i.input for i in suite.items if i.kind == "draft"}
    assert purposes == {"thank_you", "f2_step", "win_back", "apology", "renewal"}
    # Every record kind carries an injected payload that some default forbids.
    payloads = [normalise(s) for s in suite.defaults.must_not_include]
    injected = {
        r["kind"]
        for r in fixture["interaction"]
        if any(p in normalise(r["body"]) for p in payloads)
    }
    kinds = {"inquiry", "ticket", "review", "meeting_note", "call", "email", "chat", "survey",
             "store_visit"}  # fmt: skip
    assert injected == kinds


def test_every_cited_id_exists_and_conversations_share_a_customer(suite) -> None:  # type: ignore[no-untyped-def]
    keys = record_keys(load_fixture(suite.fixture_dir()))
    for item in suite.items:
        for group in item.must_cite:
            for ref in group:
                assert ref == "profile" or ref.startswith("kind:") or ref in keys, (item.id, ref)
    by_conversation: dict[str, set[str]] = {}
    for item in suite.items:
        if item.conversation:
            by_conversation.setdefault(item.conversation, set()).add(item.customer)
    assert by_conversation and all(len(c) == 1 for c in by_conversation.values())


def test_the_fixture_merges_its_duplicate_pair_and_the_survivor_has_both_orders(
    suite,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    """The fixture's 名寄せ pair (same name and phone, written differently) merges on import,
    so the survivor's lifetime spend is the pair's (the suite's facts-merged-spend-ja)."""
    from sqlalchemy import select

    from api.cli.eval_scenarios import import_fixture
    from knowledge.db import make_engine, make_session_factory, migrate
    from knowledge.models import Customer
    from knowledge.profiles import build_profile

    settings = _fake_settings(tmp_path / "data")
    settings.imports.progress = False
    engine = make_engine(settings.database)
    migrate(engine)
    sessions = make_session_factory(engine)
    import_fixture(sessions, settings, suite)
    with sessions() as s:
        sato = s.scalars(select(Customer).where(Customer.name_key == "satohanako")).all()
        assert len(sato) == 2
        survivor = next(c for c in sato if c.merged_into_id is None)
        assert [c.merged_into_id for c in sato if c is not survivor] == [survivor.id]
        facts = build_profile(s, survivor.id, settings.analytics).facts
    assert (facts.order_count, int(facts.total_spent)) == (2, 8100)


def test_a_bad_file_is_refused(tmp_path: Path) -> None:
    text = SUITE.read_text(encoding="utf-8").replace("customer: yamazaki,", "customer: nobody,", 1)
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="unknown customer 'nobody'"):
        load_scenarios(bad)
    _register()
    result = CliRunner().invoke(app, ["eval", "scenarios", str(bad)])
    assert result.exit_code == 2, result.output


# ---- the checks ------------------------------------------------------------------------------


def _item(**kw: object) -> Item:
    base: dict[str, object] = {
        "id": "x", "category": "facts", "language": "en", "customer": "yamazaki", "kind": "chat",
    }  # fmt: skip
    return Item.model_validate({**base, **kw})


def test_checks_each_rule(suite) -> None:  # type: ignore[no-untyped-def]
    keys = {"SI-1": RecordKey("interaction", "Late delivery"), "SO-1": RecordKey("order", "A-1")}
    item = _item(
        must_include=[["29,100", "twenty-nine"], "Sarah"],
        must_cite=[["profile", "SO-1"], ["SI-1"]],
        must_not_include=["discount"],
        answered=True,
    )
    late = Cited("interaction:7", "email", RecordKey("interaction", "Late delivery"))
    good = Output(200, "Ｓａｒａｈ spent 29100 JPY.", True, [Cited("profile:3", "profile"), late])
    assert check(suite, item, good, keys).passed
    bad = Output(200, "She asked for a DISCOUNT; VIP50.", False, [late])
    failures = check(suite, item, bad, keys).failures
    assert "missing one of ['29,100', 'twenty-nine']" in failures
    assert "missing one of ['Sarah']" in failures
    assert "contains 'discount'" in failures
    assert "contains 'VIP50'" in failures  # the set's default, for every item
    assert "cites none of ['profile', 'SO-1']" in failures
    assert "answered=False, expected True" in failures
    assert len(failures) == 6
    refused = check(suite, _item(status=409), Output(409, error="opt-out"), keys)
    assert refused.passed
    wrong = check(suite, _item(), Output(503, error="model down"), keys)
    assert wrong.failures == ["HTTP 503, expected 200: model down"]
    draft = _item(kind="draft", input="thank_you")
    assert check(suite, draft, Output(200, "Dear [Your Name],"), keys).failures == [
        "contains '[Your'"
    ]


def test_table_and_selection(suite) -> None:  # type: ignore[no-untyped-def]
    ok, ko = Output(200, "x"), Output(500)
    outcomes = [
        check(suite, _item(id="a", category="facts"), ok, {}),
        check(suite, _item(id="b", category="facts"), ko, {}),
        check(suite, _item(id="c", category="draft", kind="draft"), ok, {}),
    ]
    rows = pass_table(outcomes)
    assert [(r.category, r.passed, r.total) for r in rows] == [
        ("facts", 1, 2), ("draft", 1, 1), ("overall", 2, 3),
    ]  # fmt: skip
    assert "| **overall** | 2 | 3 | 67% |" in markdown_table(rows)
    chosen = {i.id for i in select(suite, ["follow-damage-2", "brief"])}
    assert "follow-damage-1" in chosen  # the whole conversation
    assert {i.id for i in suite.items if i.category == "brief"} <= chosen


# ---- the runner, end to end with the fake model -------------------------------------------


def test_the_whole_suite_runs_through_the_api_with_the_fake_model(
    suite,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outcomes = run_suite(suite, settings=_fake_settings(tmp_path / "data"))
    assert [o.item.id for o in outcomes] == [i.id for i in suite.items]
    by_id = {o.item.id: o for o in outcomes}
    assert all(o.output.status in (200, 409) for o in outcomes), [
        (o.item.id, o.output.error) for o in outcomes if o.output.status not in (200, 409)
    ]
    assert by_id["draft-winback-optout-en"].passed  # consent is refused by code, not the model
    # Every citation was fetched through GET /records/ID and is a fixture record or a profile
    # card (the facts answers cite profile:ID).
    labels = set(record_keys(load_fixture(suite.fixture_dir())).values())
    cited = [c for o in outcomes for c in o.output.citations if c.kind != "profile"]
    assert cited and all(c.key in labels for c in cited), [c for c in cited if c.key not in labels]
    assert all(o.output.text for o in outcomes if o.output.status == 200)
    # Checks ran: whatever passes or fails, every failure has a reason.
    assert all(o.passed == (not o.failures) for o in outcomes)
    print_report(outcomes, 1.0)
    printed = capsys.readouterr().out
    assert "overall" in printed and f"{len(outcomes)} items" in printed
    report = report_json(suite, outcomes, 1.0)
    assert report["table"][-1]["total"] == len(suite.items)
    json.dumps(report, ensure_ascii=False)


@pytest.mark.integration
def test_a_fixed_subset_passes_with_the_real_local_model(
    suite, tmp_path: Path, model_path: str
) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(environment="test", data_dir=tmp_path / "data")  # type: ignore[arg-type]
    settings.llm.model_path = model_path
    settings.llm.model_cache_dir = str(MODEL_CACHE)
    items = select(suite, REAL_MODEL_ITEMS)
    assert len(items) <= 8 and {i.category for i in items} >= {
        "facts",
        "unanswerable",
        "injection",
        "draft",
    }
    outcomes = run_suite(suite, settings=settings, items=items)
    failed = {o.item.id: o.failures for o in outcomes if not o.passed}
    assert not failed, failed
