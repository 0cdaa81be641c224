"""The citation kinds of fact answers open through GET /records: profile:ID and order:ID."""

from __future__ import annotations

from tests.api.conftest import ApiHarness
from tests.api.test_generation import ask


def test_profile_and_order_records_open(api: ApiHarness) -> None:
    taro = api.customers["C-1"]
    profile = api.client.get(f"/records/profile:{taro}", headers=api.headers("agent"))
    assert profile.status_code == 200
    body = profile.json()
    assert body["record_type"] == "profile" and body["customer_id"] == taro
    assert body["customer"]["name"] and "order_count" in body["facts"]
    order_id = body["recent_orders"][0]["id"]
    order = api.client.get(f"/records/order:{order_id}", headers=api.headers("agent"))
    assert order.status_code == 200 and order.json()["record_type"] == "order"
    assert order.json()["customer_id"] == taro
    missing = api.client.get("/records/profile:999999", headers=api.headers("agent"))
    assert missing.status_code == 404


def test_a_fact_question_streams_a_cited_fact_that_opens(api: ApiHarness) -> None:
    taro = api.customers["C-1"]
    events = ask(api, {"question": "最後に注文したのはいつですか？", "customer_id": taro})
    sentences = [d for e, d in events if e == "sentence"]
    result = events[-1][1]
    assert sentences and sentences[0]["sentence"] == result["sentences"][0]
    cited = [c["record_id"] for c in result["citations"]]
    assert cited and cited[0].startswith("order:")
    for rid in cited:
        rec = api.client.get(f"/records/{rid}", headers=api.headers("agent"))
        assert rec.status_code == 200 and rec.json()["customer_id"] == taro
