"""Audiences: the condition language, its SQL on SQLite and PostgreSQL, and saved audiences."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from analytics_data import add_customer, add_order, at
from sqlalchemy.orm import Session, sessionmaker

from knowledge.audience_conditions import All, Not, Rule, parse_condition, to_json
from knowledge.audiences import (
    count,
    create_audience,
    delete_audience,
    get_audience,
    list_audiences,
    member_ids,
    members,
)
from knowledge.customer_metrics import ensure_metrics
from knowledge.db import transaction
from knowledge.errors import AudienceExists, AudienceNotFound, InvalidCondition
from knowledge.models import Customer, Interaction
from knowledge.settings import AnalyticsSettings, Settings

NOW = datetime(2024, 7, 1, 9, tzinfo=UTC)
SETTINGS = AnalyticsSettings(reference_date=date(2024, 6, 30))
TEA = ("3000", None, "tea", "green", "Sora", "Sencha")
SOAP = ("9000", None, "soap", "citrus", "Aoi", "Soap")


def problems(condition: object) -> list[str]:
    with pytest.raises(InvalidCondition) as e:
        parse_condition(condition)
    return e.value.problems


# --- the language --------------------------------------------------------------------------


def test_parse_builds_the_typed_tree_and_round_trips() -> None:
    data = {
        "all": [
            {"field": "segment", "op": "in", "value": ["dormant", "at_risk"]},
            {"field": "first_order_at", "op": "within_days", "value": 30},
            {"not": {"field": "has_open_complaint", "op": "is", "value": True}},
        ]
    }
    node = parse_condition(data)
    assert isinstance(node, All)
    assert node.items[0] == Rule("segment", "in", ["dormant", "at_risk"])
    assert node.items[2] == Not(Rule("has_open_complaint", "is", True))
    assert to_json(node) == data
    dated = parse_condition({"field": "last_order_at", "op": "before", "value": "2024-01-31"})
    assert isinstance(dated, Rule) and dated.value == date(2024, 1, 31)


def test_errors_name_the_json_path() -> None:
    bad_op = {
        "all": [
            {"field": "kind", "op": "eq", "value": "person"},
            {"field": "segment", "op": "between", "value": ["a", "b"]},
        ]
    }
    assert problems(bad_op) == [
        "condition.all[1].op: 'between' is not valid for field 'segment' "
        "(valid: eq, ne, in, not_in)"
    ]
    assert problems({"any": [{"not": {"field": "colour", "op": "eq", "value": 1}}]}) == [
        "condition.any[0].not.field: unknown field 'colour'"
    ]
    assert problems({"field": "segment", "op": "eq", "value": "vip"}) == [
        "condition.value: 'vip' is not one of champion, loyal, new, at_risk, dormant, churned, "
        "prospect"
    ]
    # Every problem is reported, not only the first.
    many = problems(
        {
            "all": [
                {"field": "ltv", "op": "gt", "value": "high"},
                {"field": "last_order_at", "op": "after", "value": "yesterday"},
            ]
        }
    )
    assert [p.split(":")[0] for p in many] == ["condition.all[0].value", "condition.all[1].value"]
    assert problems({"all": []}) == ["condition.all: expected a non-empty list of conditions"]
    assert problems({"all": [1], "any": [2]})[0].startswith("condition: a combination has")
    assert problems({"field": "ltv", "op": "between", "value": [10, 1]}) == [
        "condition.value: 'from' 10 is after 'to' 1"
    ]
    assert problems({"field": "first_order_at", "op": "within_days", "value": -3}) == [
        "condition.value: expected a whole number of days >= 0 for 'within_days'"
    ]
    assert problems({"field": "custom.plan", "op": "gt", "value": "gold"}) == [
        "condition.value: 'gt' on a custom attribute compares numbers, got 'gold'"
    ]
    assert problems({"field": "custom.a b", "op": "eq", "value": 1}) == [
        "condition.field: unknown field 'custom.a b'"
    ]
    assert problems([]) == ["condition: expected an object, got list"]
    assert problems({"field": "kind", "op": "eq", "value": "person", "x": 1})[0].startswith(
        "condition: unknown key(s) ['x']"
    )


# --- the SQL, on a small company ------------------------------------------------------------


def company(session: Session) -> dict[str, int]:
    """Seven customers; reference date 2024-06-30, now 2024-07-01."""
    c: dict[str, Customer] = {}
    c["new"] = add_customer(session, "New Buyer", region="東京都", email="new@example.jp")
    add_order(session, c["new"], "2024-06-20", "3000", lines=[TEA])
    c["repeat"] = add_customer(
        session,
        "Repeat Buyer",
        region="大阪府",
        email="rep@example.jp",
        custom_attributes={"plan": "gold", "visits": 12},
    )
    for day in ("2024-03-01", "2024-05-01", "2024-06-25"):
        add_order(session, c["repeat"], day, "9000", lines=[SOAP])
    c["sleepy"] = add_customer(
        session,
        "Sleepy Buyer",
        region="東京都",
        email_opt_out=True,
        custom_attributes={"plan": "silver", "visits": "3"},
    )
    add_order(session, c["sleepy"], "2023-10-01", "3000", lines=[TEA])
    add_order(session, c["sleepy"], "2023-11-01", "3000", lines=[TEA])
    c["company"] = add_customer(session, "Acme KK", kind="company", lifecycle_stage="lead")
    c["prospect"] = add_customer(session, "Pro Spect", email="p@example.jp")
    c["gone"] = add_customer(session, "Merged Away")
    add_order(session, c["gone"], "2024-06-01", "5000", lines=[TEA])
    c["gone"].merged_into_id = c["repeat"].id
    c["angry"] = add_customer(session, "Angry Buyer", region="東京都")
    add_order(session, c["angry"], "2023-12-20", "4000", lines=[SOAP])
    session.add_all(
        [
            Interaction(
                customer_id=c["angry"].id,
                kind="inquiry",
                occurred_at=at("2024-06-28"),
                body="届いた商品が壊れていました",
                status="open",
                intent="complaint",
            ),
            Interaction(
                customer_id=c["new"].id,
                kind="ticket",
                occurred_at=at("2024-06-29"),
                body="配送日を変更したい",
                status="pending",
                sentiment="neutral",
            ),
            Interaction(
                customer_id=c["repeat"].id,
                kind="email",
                occurred_at=at("2024-06-15"),
                body="新商品のご案内",
                phase="marketing",
            ),
            Interaction(
                customer_id=c["sleepy"].id,
                kind="call",
                occurred_at=at("2023-12-01"),
                body="ご様子伺い",
            ),
        ]
    )
    session.flush()
    return {k: v.id for k, v in c.items()}


CASES: list[tuple[dict[str, object], set[str]]] = [
    ({"field": "segment", "op": "eq", "value": "new"}, {"new"}),
    ({"field": "segment", "op": "in", "value": ["dormant", "at_risk"]}, {"sleepy", "angry"}),
    ({"field": "segment", "op": "eq", "value": "prospect"}, {"company", "prospect"}),
    ({"field": "order_count", "op": "gte", "value": 2}, {"repeat", "sleepy"}),
    ({"field": "f2_status", "op": "eq", "value": "first_only"}, {"new", "angry"}),
    ({"field": "f2_status", "op": "eq", "value": "no_orders"}, {"company", "prospect"}),
    ({"field": "ltv", "op": "gt", "value": 0}, {"new", "repeat", "sleepy", "angry"}),
    ({"field": "total_spent", "op": "between", "value": [6000, 27000]}, {"repeat", "sleepy"}),
    ({"field": "f_score", "op": "gte", "value": 4}, {"repeat"}),
    ({"field": "r_score", "op": "is_set", "value": False}, {"company", "prospect"}),
    ({"field": "first_order_at", "op": "within_days", "value": 30}, {"new"}),
    ({"field": "last_order_at", "op": "more_than_days_ago", "value": 150}, {"sleepy", "angry"}),
    ({"field": "first_order_at", "op": "before", "value": "2024-01-10"}, {"sleepy", "angry"}),
    ({"field": "first_order_at", "op": "after", "value": "2024-01-10"}, {"new", "repeat"}),
    (
        {"field": "first_order_at", "op": "between", "value": ["2024-01-10", "2024-03-01"]},
        {"repeat"},
    ),
    ({"field": "last_order_at", "op": "after", "value": "2024-06-25T11:00:00+00:00"}, {"repeat"}),
    ({"field": "favourite_category", "op": "eq", "value": "tea"}, {"new", "sleepy"}),
    (
        {"field": "favourite_brand", "op": "ne", "value": "Aoi"},
        {"new", "sleepy", "company", "prospect"},
    ),
    (
        {"field": "favourite_taste", "op": "is_set", "value": True},
        {"new", "repeat", "sleepy", "angry"},
    ),
    ({"field": "region", "op": "eq", "value": "東京都"}, {"new", "sleepy", "angry"}),
    ({"field": "region", "op": "not_in", "value": ["東京都"]}, {"repeat", "company", "prospect"}),
    ({"field": "kind", "op": "eq", "value": "company"}, {"company"}),
    ({"field": "lifecycle_stage", "op": "ne", "value": "customer"}, {"company"}),
    ({"field": "marketing_opt_in", "op": "is", "value": False}, {"sleepy"}),
    ({"field": "has_email", "op": "is", "value": True}, {"new", "repeat", "prospect"}),
    ({"field": "has_open_ticket", "op": "is", "value": True}, {"new", "angry"}),
    ({"field": "has_open_complaint", "op": "is", "value": True}, {"angry"}),
    ({"field": "last_contacted_at", "op": "within_days", "value": 30}, {"repeat"}),
    ({"field": "last_contacted_at", "op": "before", "value": "2024-01-01"}, {"sleepy"}),
    (
        {"field": "last_contacted_at", "op": "is_set", "value": False},
        {"new", "company", "prospect", "angry"},
    ),
    ({"field": "custom.plan", "op": "eq", "value": "gold"}, {"repeat"}),
    ({"field": "custom.plan", "op": "is_set", "value": True}, {"repeat", "sleepy"}),
    # "3" is a string: numeric operators never match it (and never fail on it).
    ({"field": "custom.visits", "op": "gte", "value": 3}, {"repeat"}),
    ({"field": "custom.visits", "op": "eq", "value": "3"}, {"sleepy"}),
    (
        {"field": "custom.plan", "op": "not_in", "value": ["gold"]},
        {"new", "sleepy", "company", "prospect", "angry"},
    ),
    (
        {
            "all": [
                {"field": "segment", "op": "in", "value": ["dormant", "at_risk", "new"]},
                {"not": {"field": "has_open_complaint", "op": "is", "value": True}},
                {
                    "any": [
                        {"field": "marketing_opt_in", "op": "is", "value": True},
                        {"field": "region", "op": "eq", "value": "大阪府"},
                    ]
                },
            ]
        },
        {"new"},
    ),
]


def test_conditions_select_the_right_customers(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        ids = company(s)
    names = {v: k for k, v in ids.items()}
    with transaction(sessions) as s:
        for condition, expected in CASES:
            got = {names[i] for i in member_ids(s, condition, NOW, SETTINGS)}
            assert got == expected, condition
            assert count(s, condition, NOW, SETTINGS) == len(expected), condition


def test_members_page_carries_the_facts(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        ids = company(s)
    condition = {"field": "kind", "op": "eq", "value": "person"}
    with transaction(sessions) as s:
        first = members(s, condition, NOW, page=1, per_page=2, settings=SETTINGS)
        last = members(s, condition, NOW, page=3, per_page=2, settings=SETTINGS)
    assert first.total == 5 and [m.customer_id for m in first.items] == [ids["new"], ids["repeat"]]
    repeat = first.items[1]
    assert (repeat.segment, repeat.order_count) == ("champion", 3)
    assert repeat.favourite_category == "soap"
    assert repeat.marketing_opt_in and repeat.ltv > 0
    assert [m.customer_id for m in last.items] == [ids["angry"]]
    with pytest.raises(ValueError, match="per_page"), transaction(sessions) as s:
        members(s, condition, NOW, per_page=0)


def test_metrics_follow_new_orders(sessions: sessionmaker[Session]) -> None:
    """F2 exit: a second order moves the customer out of 'first_only' on the next count."""
    first_only = {"field": "f2_status", "op": "eq", "value": "first_only"}
    with transaction(sessions) as s:
        ids = company(s)
        assert ensure_metrics(s, SETTINGS) is True
        assert ensure_metrics(s, SETTINGS) is False  # nothing changed: no recomputation
        assert set(member_ids(s, first_only, NOW, SETTINGS)) == {ids["new"], ids["angry"]}
    with transaction(sessions) as s:
        add_order(s, s.get(Customer, ids["new"]), "2024-06-30", "3000", lines=[TEA])  # type: ignore[arg-type]
    with transaction(sessions) as s:
        assert member_ids(s, first_only, NOW, SETTINGS) == [ids["angry"]]
    # Changed settings change the scores: recomputed too.
    with transaction(sessions) as s:
        assert ensure_metrics(s, AnalyticsSettings(reference_date=date(2024, 7, 1))) is True


def test_saved_audiences(sessions: sessionmaker[Session]) -> None:
    condition = {"field": "segment", "op": "in", "value": ["dormant"]}
    with transaction(sessions) as s:
        saved = create_audience(s, " Dormant ", condition, description="win-back", created_by="m")
    assert saved.name == "Dormant" and saved.condition == condition
    with transaction(sessions) as s:
        with pytest.raises(AudienceExists):
            create_audience(s, "Dormant", condition)
        with pytest.raises(InvalidCondition):
            create_audience(s, "Broken", {"field": "segment", "op": "gt", "value": 1})
        create_audience(s, "A first", {"field": "kind", "op": "eq", "value": "company"})
        assert [a.name for a in list_audiences(s)] == ["A first", "Dormant"]
        assert get_audience(s, saved.id).description == "win-back"
        delete_audience(s, saved.id)
        with pytest.raises(AudienceNotFound):
            get_audience(s, saved.id)
        with pytest.raises(AudienceNotFound):
            delete_audience(s, saved.id)


# --- the CLI --------------------------------------------------------------------------------


def test_cli_count_create_list_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from api.cli import context
    from api.cli.main import _register, app

    settings = Settings(
        environment="test", data_dir=tmp_path, analytics={"reference_date": "2024-06-30"}
    )  # type: ignore[arg-type]
    monkeypatch.setattr(context, "_context", context.CliContext(settings))
    with transaction(context.get_context().sessions) as s:
        ids = company(s)
    _register()

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
        assert result.exit_code == code, result.output
        return result.output

    tokyo = '{"field": "region", "op": "eq", "value": "東京都"}'
    assert "3 customers" in run("audiences", "count", "--where", tokyo, "--now", NOW.isoformat())
    assert "1 customers now" in run(
        "audiences", "create", "Complaints", "--where",
        '{"field": "has_open_complaint", "op": "is", "value": true}',
    )  # fmt: skip
    listed = run("audiences", "list", "--counts")
    assert "Complaints" in listed and "has_open_complaint" in listed
    shown = run("audiences", "members", "1")
    assert "Angry Buyer" in shown and "dormant" in shown and "1 customers; page 1 of 1" in shown
    page = run("audiences", "members", "--where", tokyo, "--per-page", "2", "--json")
    assert '"total": 3' in page and f'"customer_id": {ids["new"]}' in page
    bad = run("audiences", "count", "--where", '{"field": "kind", "op": "gt", "value": 1}', code=1)
    assert "condition.op: 'gt' is not valid for field 'kind'" in bad
    assert "not JSON" in run("audiences", "count", "--where", "{nope", code=1)
    assert "segment" in run("audiences", "fields")
    assert "customers with orders" in run("audiences", "refresh")
