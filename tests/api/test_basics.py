"""Health, sign-in, customers and records through the app (SQLite + embedded Chroma)."""

from __future__ import annotations

from tests.api.conftest import ApiHarness


def test_health_is_public_and_ready_reports_parts(api: ApiHarness) -> None:
    assert api.client.get("/health").json() == {"status": "ok"}
    ready = api.client.get("/ready")
    body = ready.json()
    assert body["database"] is True and body["retrieval"] is True
    assert ready.status_code == (200 if body["assistant"] else 503)


def test_customer_search_by_kana_email_and_phone(api: ApiHarness) -> None:
    h = api.headers("agent")
    taro = api.customers["C-1"]
    for q in ("ヤマダ", "山田", "taro.yamada@EXAMPLE.jp", "09012345678"):
        found = api.client.get("/customers", params={"q": q}, headers=h)
        assert found.status_code == 200, found.text
        assert [c["id"] for c in found.json()] == [taro], q
    assert api.client.get("/customers", params={"q": "nobody-at-all"}, headers=h).json() == []


def test_profile_has_analytics_orders_and_interactions(api: ApiHarness) -> None:
    taro = api.customers["C-1"]
    r = api.client.get(f"/customers/{taro}", headers=api.headers("sales"))
    assert r.status_code == 200, r.text
    profile = r.json()
    assert profile["customer"]["name"] == "山田 太郎"
    assert profile["facts"]["order_count"] == 1
    assert float(profile["facts"]["total_spent"]) == 12800
    assert profile["recent_orders"][0]["order_number"] == "A-1001"
    assert {i["subject"] for i in profile["latest_interactions"]} == {"加湿器の異音", "再度の異音"}


def test_unknown_customer_is_404_with_code(api: ApiHarness) -> None:
    r = api.client.get("/customers/999999", headers=api.headers("agent"))
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "customer_not_found"


def test_record_lookup_and_bad_record_id(api: ApiHarness) -> None:
    taro = api.customers["C-1"]
    profile = api.client.get(f"/customers/{taro}", headers=api.headers("agent")).json()
    rid = f"interaction:{profile['latest_interactions'][0]['id']}"
    r = api.client.get(f"/records/{rid}", headers=api.headers("agent"))
    assert r.status_code == 200 and r.json()["record_type"] == "interaction"
    assert (
        api.client.get("/records/interaction:99999", headers=api.headers("agent")).status_code
        == 404
    )
    assert api.client.get("/records/customer:1", headers=api.headers("agent")).status_code == 422


def test_scoped_search_stays_inside_the_customer(api: ApiHarness) -> None:
    taro, acme = api.customers["C-1"], api.customers["C-2"]
    body = {"query": "異音 renewal quote", "scope": {"kind": "customer", "customer_id": taro}}
    hits = api.client.post("/search", json=body, headers=api.headers("agent")).json()
    assert hits and all(h["customer_id"] in (taro, None) for h in hits)
    body["scope"] = {"kind": "customer", "customer_id": acme}
    hits = api.client.post("/search", json=body, headers=api.headers("agent")).json()
    assert hits and all(h["customer_id"] in (acme, None) for h in hits)
    body["scope"] = {"kind": "global"}
    assert api.client.post("/search", json=body, headers=api.headers("agent")).status_code == 403
    assert api.client.post("/search", json=body, headers=api.headers("admin")).status_code == 200
    body["scope"] = {"kind": "knowledge_base", "customer_id": taro}
    bad = api.client.post("/search", json=body, headers=api.headers("agent"))
    assert bad.status_code == 400 and "scope" in bad.json()["error"]["message"]


def test_panel_page_is_served(api: ApiHarness) -> None:
    r = api.client.get("/")
    assert r.status_code == 200 and "<html" in r.text.lower()
    assert api.client.get("/static/app.js").status_code == 200
