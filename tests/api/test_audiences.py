"""The audiences API on the seed company: live count, save, list, members, errors."""

from __future__ import annotations

from knowledge.settings import VisibilitySettings
from knowledge.visibility import assign_customer
from tests.api.conftest import ApiHarness

NOW = "2025-03-01T00:00:00+00:00"
OPTED_IN_WITH_OPEN_ISSUE = {
    "all": [
        {"field": "marketing_opt_in", "op": "is", "value": True},
        {"field": "has_open_ticket", "op": "is", "value": True},
    ]
}


def test_build_save_and_page_an_audience(api: ApiHarness) -> None:
    h, marketing = api, api.headers("marketing")
    fields = h.client.get("/audiences/fields", headers=marketing).json()
    segment = next(f for f in fields if f["name"] == "segment")
    assert "in" in segment["ops"] and "prospect" in segment["values"]

    r = h.client.post(
        "/audiences/count",
        json={"condition": {"field": "kind", "op": "in", "value": ["person", "company"]}},
        headers=marketing,
    )
    assert r.status_code == 200 and r.json()["count"] == 2
    r = h.client.post(
        "/audiences/count",
        json={"condition": OPTED_IN_WITH_OPEN_ISSUE, "now": NOW},
        headers=marketing,
    )
    assert r.json() == {"count": 1, "now": "2025-03-01T00:00:00Z"}
    # Acme bought once, on 2025-02-01: its first order is within 30 days of NOW.
    recent = {"field": "first_order_at", "op": "within_days", "value": 30}
    r = h.client.post("/audiences/count", json={"condition": recent, "now": NOW}, headers=marketing)
    assert r.json()["count"] == 1

    body = {"name": "Open issue", "description": "follow up", "condition": OPTED_IN_WITH_OPEN_ISSUE}
    r = h.client.post("/audiences", json=body, headers=marketing)
    assert r.status_code == 201, r.text
    saved = r.json()
    assert saved["count"] == 1 and saved["created_by"] == "marketing-1"
    assert h.client.post("/audiences", json=body, headers=marketing).status_code == 409

    listed = h.client.get("/audiences", headers=marketing).json()
    assert [a["name"] for a in listed] == ["Open issue"]
    r = h.client.get(f"/audiences/{saved['id']}/members", headers=marketing)
    page = r.json()
    assert page["total"] == 1 and page["items"][0]["customer_id"] == h.customers["C-1"]
    assert page["items"][0]["segment"] == "new" and page["items"][0]["marketing_opt_in"] is True

    assert h.client.delete(f"/audiences/{saved['id']}", headers=marketing).status_code == 204
    r = h.client.get(f"/audiences/{saved['id']}", headers=marketing)
    assert r.status_code == 404 and r.json()["error"]["code"] == "audience_not_found"


def test_an_invalid_condition_names_its_path(api: ApiHarness) -> None:
    bad = {"all": [{"field": "kind", "op": "eq", "value": "person"},
                   {"field": "segment", "op": "between", "value": [1, 2]}]}  # fmt: skip
    r = api.client.post(
        "/audiences/count", json={"condition": bad}, headers=api.headers("marketing")
    )
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_condition"
    assert error["message"].startswith(
        "condition.all[1].op: 'between' is not valid for field 'segment'"
    )
    r = api.client.post(
        "/audiences", json={"name": "x", "condition": bad}, headers=api.headers("marketing")
    )
    assert r.status_code == 422
    r = api.client.post("/audiences/count", json={"condition": bad}, headers=api.headers("sales"))
    assert r.status_code == 403


def test_counts_and_members_hold_only_the_customers_the_key_sees(api: ApiHarness) -> None:
    h, marketing = api, api.headers("marketing")
    h.services.settings.visibility = VisibilitySettings(marketing="team")
    assign_customer(h.services.sessions, h.customers["C-2"], team="elsewhere")  # Acme: hidden
    both = {"field": "kind", "op": "in", "value": ["person", "company"]}
    r = h.client.post("/audiences/count", json={"condition": both}, headers=marketing)
    assert r.json()["count"] == 1
    r = h.client.post("/audiences/members", json={"condition": both}, headers=marketing)
    page = r.json()
    assert page["total"] == 1 and [m["customer_id"] for m in page["items"]] == [h.customers["C-1"]]
    saved = h.client.post("/audiences", json={"name": "all", "condition": both}, headers=marketing)
    assert saved.status_code == 201 and saved.json()["count"] == 1
    audience = saved.json()["id"]
    assert h.client.get(f"/audiences/{audience}", headers=marketing).json()["count"] == 1
    page = h.client.get(f"/audiences/{audience}/members", headers=marketing).json()
    assert [m["customer_id"] for m in page["items"]] == [h.customers["C-1"]]
    # Admin sees everyone; the saved audience (a condition, not customer data) is listed to all.
    assert h.client.get(f"/audiences/{audience}", headers=h.headers("admin")).json()["count"] == 2
    assert [a["id"] for a in h.client.get("/audiences", headers=marketing).json()] == [audience]
    # The member page is a read of customer data: audited with the ids it showed.
    rows = h.client.get(
        "/audit", params={"kind": "read", "action": "audience_members"}, headers=h.headers("admin")
    ).json()
    assert rows and all(r["details"]["customer_ids"] == [h.customers["C-1"]] for r in rows)


def test_member_ids_and_counts_take_the_viewers_visibility() -> None:
    """Below the API: the visibility is ANDed into the one SELECT of members."""
    from datetime import UTC, datetime

    from knowledge.audiences import count, member_ids, members
    from knowledge.db import make_engine, make_session_factory, migrate, transaction
    from knowledge.models import Customer
    from knowledge.settings import DatabaseSettings
    from knowledge.visibility import Visibility

    engine = make_engine(DatabaseSettings(url="sqlite://"))
    migrate(engine)
    sessions = make_session_factory(engine)
    with transaction(sessions) as s:
        s.add_all(
            [
                Customer(name="A", owner="ann", team="east"),
                Customer(name="B", owner="bob", team="west"),
                Customer(name="C", owner=None, team=None),
            ]
        )
    east = Visibility.of("marketing", "carl", ["east"], VisibilitySettings(marketing="team"))
    own = Visibility.of("marketing", "bob", ["east"], VisibilitySettings(marketing="own"))
    persons = {"field": "kind", "op": "eq", "value": "person"}
    now = datetime.now(UTC)
    with transaction(sessions) as s:
        assert count(s, persons, now) == 3
        assert count(s, persons, now, visibility=east) == 1
        assert member_ids(s, persons, now, visibility=own) == [2]
        page = members(s, persons, now, visibility=east)
        assert page.total == 1 and [m.name for m in page.items] == ["A"]
