"""The audiences API on the seed company: live count, save, list, members, errors."""

from __future__ import annotations

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
