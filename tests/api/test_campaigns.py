"""Campaigns end to end on the demo company through the API, with the fake LLM:
audience -> sequence -> run at a fixed clock -> drafts (citations, the offer as defined) ->
approve -> export CSV -> results -> report with conversions; a second run creates nothing."""

from __future__ import annotations

import csv
import io
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from demo import load_demo
from knowledge.apikeys import ROLES, create_key
from knowledge.audiences import create_audience
from knowledge.models import Customer, Interaction
from tests.api.conftest import ApiHarness, api_settings

CLOCK = "2026-11-21T12:00:00+09:00"  # the day after the demo's reference date
OFFER = {
    "code": "FIRST15",
    "kind": "percent",
    "value": 15,
    "currency": "JPY",
    "valid_until": "2027-02-28",
    "conditions": "2回目のご注文に1回限り",
}


@pytest.fixture(scope="module")
def demo_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiHarness]:
    settings = api_settings(tmp_path_factory.mktemp("campaigns") / "data")
    app = create_app(settings)
    with TestClient(app) as client:
        services = app.state.services
        keys = {r: create_key(services.sessions, name=f"{r}-1", role=r)[1] for r in ROLES}
        load_demo(services.sessions, settings, scale=0.1)
        yield ApiHarness(client, services, keys, {}, app)


def call(api: ApiHarness, method: str, url: str, status: int = 200, **kw: Any) -> Any:
    r = api.client.request(method, url, headers=api.headers("marketing"), **kw)
    assert r.status_code == status, r.text
    return r


def wait(api: ApiHarness, job_id: str) -> dict[str, Any]:
    for _ in range(600):
        job = call(api, "GET", f"/jobs/{job_id}").json()
        if job["status"] not in ("queued", "running"):
            return dict(job)
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def test_campaigns_are_for_marketing_and_admin(demo_api: ApiHarness) -> None:
    for role, status in (("agent", 403), ("sales", 403), ("marketing", 200), ("admin", 200)):
        r = demo_api.client.get("/campaigns", headers=demo_api.headers(role))
        assert r.status_code == status, role
    names = [c["name"] for c in call(demo_api, "GET", "/campaigns").json()["items"]]
    assert {"F2 初回購入者フォロー", "休眠顧客ウィンバック"} <= set(names)


def test_a_bad_definition_is_refused_naming_the_field(demo_api: ApiHarness) -> None:
    body = {
        "name": "bad",
        "trigger": {"field": "first_order_at"},
        "steps": [{"purpose": "f2_step", "delay_days": 7, "offer": {**OFFER, "kind": "gift"}}],
    }
    r = demo_api.client.post("/campaigns", json=body, headers=demo_api.headers("marketing"))
    assert r.status_code == 422 and "kind" in r.text
    body["steps"] = [{"purpose": "birthday", "delay_days": 0}]
    r = demo_api.client.post("/campaigns", json=body, headers=demo_api.headers("marketing"))
    assert r.status_code == 400 and "steps.0.purpose" in r.json()["error"]["message"]


def test_sequence_end_to_end_on_the_demo(demo_api: ApiHarness) -> None:
    api = demo_api
    sessions = api.services.sessions
    with sessions() as s:  # the audience: buyers who have not come back yet
        audience = create_audience(
            s,
            f"first-time buyers {uuid.uuid4().hex[:6]}",
            {"field": "f2_status", "op": "eq", "value": "first_only"},
        )
        s.commit()
    definition = {
        "name": "F2 e2e",
        "audience_id": audience.id,
        "trigger": {"field": "first_order_at", "within_days": 60},
        "steps": [
            {"purpose": "f2_step", "f2_step": 1, "delay_days": 7},
            {"purpose": "f2_step", "f2_step": 2, "delay_days": 21, "offer": OFFER},
            {"purpose": "f2_step", "f2_step": 3, "delay_days": 45},
        ],
        "exit_when": {"field": "order_count", "op": "gte", "value": 2},
        "holdout_percent": 10,
        "attribution_days": 14,
    }
    campaign = call(api, "POST", "/campaigns", 201, json=definition).json()
    cid = campaign["id"]
    assert campaign["definition"]["steps"][1]["offer"]["code"] == "FIRST15"

    job = call(api, "POST", f"/campaigns/{cid}/run", 202, json={"now": CLOCK}).json()
    job = wait(api, job["job_id"])
    assert job["status"] == "done" and job["entered"] > 0
    assert job["done"] == job["total"] == job["queued"] > 0

    drafts = call(api, "GET", f"/campaigns/{cid}/drafts", params={"per_page": 500}).json()
    assert drafts["total"] == job["done"]
    items = drafts["items"]
    offered = [d for d in items if d["step_index"] == 1]
    assert offered, "some first-time buyers are due for the coupon step"
    assert any(d["citations"] for d in items)
    with sessions() as s:
        for d in items:
            assert d["status"] == "draft" and d["model"] and d["subject"]
            customer = s.get(Customer, d["customer_id"])
            assert customer is not None and customer.merged_into_id is None
            assert not customer.email_opt_out
            assert customer.name in d["body"]
            for c in d["citations"]:  # every citation opens and is this customer's
                rec = api.client.get(f"/records/{c['record_id']}", headers=api.headers("marketing"))
                assert rec.status_code == 200
                assert rec.json().get("customer_id") == d["customer_id"]
        for d in offered:  # the offer exactly as defined, and no other
            assert d["offer"] == {**OFFER, "value": "15"}
            assert (
                "クーポンコード「FIRST15」で15%オフ"
                "（2027-02-28 まで。条件: 2回目のご注文に1回限り）" in d["body"]
            )
        for d in items:
            if d["step_index"] != 1:
                assert d["offer"] is None and "FIRST15" not in d["body"]
        emails = [d["email"].lower() for d in items if d["step_index"] == items[0]["step_index"]]
        assert len(emails) == len(set(emails))  # one mail per address per step

    # Review: reject one, edit one, approve the rest in bulk.
    first, second = items[0], items[1] if len(items) > 1 else None
    call(api, "POST", f"/drafts/{first['id']}/reject")
    if second is not None:
        edited = call(
            api,
            "PUT",
            f"/drafts/{second['id']}",
            json={"subject": second["subject"], "body": second["body"] + "\nP.S."},
        ).json()
        assert edited["status"] == "edited"
    bulk = call(api, "POST", f"/campaigns/{cid}/drafts/approve", json={"all": True}).json()
    assert bulk["approved"] == len(items) - (2 if second else 1)
    bad = api.client.post(f"/drafts/{first['id']}/approve", headers=api.headers("marketing"))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "campaign_error"

    # Export: CSV in the documented layout; each message recorded on its customer.
    r = call(api, "POST", f"/campaigns/{cid}/export", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert int(r.headers["X-Exported-Count"]) == len(rows) == len(items) - 1
    assert list(rows[0]) == [
        "message_id",
        "campaign_id",
        "campaign_name",
        "step_index",
        "purpose",
        "customer_id",
        "email",
        "name",
        "subject",
        "body",
        "scheduled_at",
        "offer_code",
    ]
    assert {r["offer_code"] for r in rows if r["step_index"] == "1"} <= {"FIRST15"}
    again = call(api, "POST", f"/campaigns/{cid}/export", params={"format": "jsonl"})
    assert again.text == "" and again.headers["X-Exported-Count"] == "0"
    # The pull endpoint: one export is one page even with a small limit; then nothing new.
    outbox = call(api, "GET", "/outbox", params={"limit": 1}).json()
    assert {i["message_id"] for i in outbox["items"]} == {int(r["message_id"]) for r in rows}
    assert outbox["items"][0]["body"] == rows[0]["body"].replace("\r\n", "\n")
    later = call(api, "GET", "/outbox", params={"since": outbox["next_since"]}).json()
    assert later["items"] == []
    with sessions() as s:
        recorded = s.scalars(
            select(Interaction).where(Interaction.author == f"campaign:{cid}")
        ).all()
        assert len(recorded) == len(rows)
        assert all(i.kind == "email" and i.phase == "marketing" for i in recorded)

    # Results: everyone sent, the first opened and clicked, the last unsubscribed.
    events = [{"message_id": int(r["message_id"]), "event": "sent"} for r in rows]
    events += [
        {"message_id": int(rows[0]["message_id"]), "event": e} for e in ("opened", "clicked")
    ]
    events += [{"message_id": int(rows[-1]["message_id"]), "event": "unsubscribed"}]
    events += [{"message_id": 999999, "event": "opened"}]
    res = call(api, "POST", "/campaigns/results", json={"events": events}).json()
    assert res["recorded"] == len(events) - 1 and res["rejected"] == 1
    assert res["rejected_rows"][0]["field"] == "message_id"
    assert (
        call(api, "POST", "/campaigns/results", json={"events": events}).json()["unchanged"]
        == len(events) - 1
    )
    upload = f"message_id,event,occurred_at\n{rows[0]['message_id']},sent,\nx,opened,\n"
    res_file = call(
        api,
        "POST",
        "/campaigns/results/file",
        files={"file": ("results.csv", upload.encode(), "text/csv")},
    ).json()
    assert (res_file["unchanged"], res_file["rejected"]) == (1, 1)
    with sessions() as s:
        assert s.get(Customer, int(rows[-1]["customer_id"])).email_opt_out  # type: ignore[union-attr]

    # A conversion: the first customer orders 3 days after the export.
    buyer = int(rows[0]["customer_id"])
    exported = call(api, "GET", f"/drafts/{rows[0]['message_id']}").json()["exported_at"]
    ordered = datetime.fromisoformat(exported) + timedelta(days=3)
    _add_order(api, buyer, ordered)

    report = call(api, "GET", f"/campaigns/{cid}/report").json()
    total = report["total"]
    assert total["exported"] == len(rows) and total["sent"] == len(rows)
    assert total["opened"] == 1 and total["clicked"] == 1 and total["unsubscribed"] == 1
    assert total["converted"] >= 1 and total["revenue"] >= 4800
    assert total["drafted"] == len(items) and total["approved"] == len(items) - 1
    step = report["steps"][int(rows[0]["step_index"])]
    assert step["converted"] >= 1

    # A second run at the same clock creates nothing; the customer who ordered again leaves.
    before = call(api, "GET", f"/campaigns/{cid}").json()["counts"]
    job2 = wait(
        api, call(api, "POST", f"/campaigns/{cid}/run", 202, json={"now": CLOCK}).json()["job_id"]
    )
    assert (job2["entered"], job2["queued"], job2["skipped"], job2["total"]) == (0, 0, 0, 0)
    after = call(api, "GET", f"/campaigns/{cid}").json()["counts"]
    assert job2["exited"] == 1 and after["exited"] == before["exited"] + 1
    messages = ("queued", "skipped", "draft", "approved", "edited", "rejected", "exported")
    assert {k: after[k] for k in messages} == {k: before[k] for k in messages}


def _add_order(api: ApiHarness, customer_id: int, at: datetime) -> None:
    from decimal import Decimal

    from knowledge.models import Order

    with api.services.sessions() as s:
        s.add(
            Order(
                customer_id=customer_id, ordered_at=at.astimezone(UTC), total_amount=Decimal("4800")
            )
        )
        s.commit()


def test_cancel_stops_a_run_and_the_next_run_drafts_the_rest(demo_api: ApiHarness) -> None:
    api = demo_api
    win_back = next(
        c
        for c in call(api, "GET", "/campaigns").json()["items"]
        if c["name"] == "休眠顧客ウィンバック"
    )
    job = call(
        api, "POST", f"/campaigns/{win_back['id']}/run", 202, json={"now": CLOCK, "code_only": True}
    ).json()
    call(api, "POST", f"/jobs/{job['job_id']}/cancel")
    job = wait(api, job["job_id"])
    assert job["status"] in ("cancelled", "done")
    rest = wait(
        api,
        call(
            api,
            "POST",
            f"/campaigns/{win_back['id']}/run",
            202,
            json={"now": CLOCK, "code_only": True},
        ).json()["job_id"],
    )
    counts = call(api, "GET", f"/campaigns/{win_back['id']}").json()["counts"]
    assert rest["status"] == "done" and counts["queued"] == 0 and counts["draft"] > 0
    assert rest["entered"] == 0  # nobody enters twice


def test_unknown_campaign_and_job_are_404(demo_api: ApiHarness) -> None:
    for url in ("/campaigns/999999", "/jobs/" + "0" * 32, "/drafts/999999"):
        r = demo_api.client.get(url, headers=demo_api.headers("marketing"))
        assert r.status_code == 404, url


def test_a_team_key_runs_reviews_and_exports_only_its_customers(api: ApiHarness) -> None:
    """marketing = "team": Acme moves to another team; the desk's marketing key no longer
    enrols, counts, lists, opens, reviews, exports or reports Acme's drafts."""
    from knowledge.settings import VisibilitySettings
    from knowledge.visibility import assign_customer

    h, admin = api, api.headers("admin")
    taro, acme = h.customers["C-1"], h.customers["C-2"]
    h.services.settings.visibility = VisibilitySettings(marketing="team")
    assign_customer(h.services.sessions, acme, team="elsewhere")
    with h.services.sessions() as s:
        everyone = {"field": "kind", "op": "in", "value": ["person", "company"]}
        audience = create_audience(s, "everyone", everyone)
        s.commit()
    definition = {
        "name": "thanks",
        "audience_id": audience.id,
        "steps": [{"purpose": "thank_you", "delay_days": 0}],  # service mail: no opt-out exit
    }
    cid = call(h, "POST", "/campaigns", 201, json=definition).json()["id"]
    run = {"now": "2025-03-01T12:00:00+09:00", "code_only": True}  # after 10:00, the send time
    job = wait(h, call(h, "POST", f"/campaigns/{cid}/run", 202, json=run).json()["job_id"])
    assert (job["status"], job["entered"], job["done"]) == ("done", 1, 1)
    drafts = call(h, "GET", f"/campaigns/{cid}/drafts").json()
    assert [d["customer_id"] for d in drafts["items"]] == [taro]
    # Someone who sees Acme runs it too: now Acme has a draft, which the team key cannot see.
    r = h.client.post(f"/campaigns/{cid}/run", json=run, headers=admin)
    job = wait(h, r.json()["job_id"])
    assert (job["entered"], job["done"]) == (1, 1)
    every = h.client.get(f"/campaigns/{cid}/drafts", headers=admin).json()["items"]
    hidden = next(d["id"] for d in every if d["customer_id"] == acme)
    assert call(h, "GET", f"/campaigns/{cid}/drafts").json()["total"] == 1
    assert call(h, "GET", f"/campaigns/{cid}").json()["counts"]["draft"] == 1
    assert h.client.get(f"/campaigns/{cid}", headers=admin).json()["counts"]["draft"] == 2
    unknown = h.client.get("/drafts/999999", headers=h.headers("marketing")).json()
    for method, url, body in (
        ("GET", f"/drafts/{hidden}", None),
        ("PUT", f"/drafts/{hidden}", {"subject": "s", "body": "b"}),
        ("POST", f"/drafts/{hidden}/approve", None),
        ("POST", f"/drafts/{hidden}/reject", None),
    ):
        r = call(h, method, url, 404, json=body)
        assert r.json() == json.loads(json.dumps(unknown).replace("999999", str(hidden))), url
    bulk = call(
        h, "POST", f"/campaigns/{cid}/drafts/approve", json={"ids": [d["id"] for d in every]}
    )
    assert bulk.json() == {"approved": 1, "not_approved": [hidden]}
    h.client.post(f"/drafts/{hidden}/approve", headers=admin)  # ready, but not the team key's
    r = call(h, "POST", f"/campaigns/{cid}/export", params={"format": "jsonl"})
    assert [json.loads(line)["customer_id"] for line in r.text.splitlines()] == [taro]
    assert [i["customer_id"] for i in call(h, "GET", "/outbox").json()["items"]] == [taro]
    report = call(h, "GET", f"/campaigns/{cid}/report").json()
    assert (report["total"]["drafted"], report["total"]["exported"]) == (1, 1)
    assert h.client.get(f"/drafts/{hidden}", headers=admin).json()["status"] == "approved"
    # What the team key read is in the read audit, ids only, and never Acme.
    audit = h.client.get("/audit", params={"kind": "read"}, headers=admin).json()
    mine = [r for r in audit if r["actor"] == "marketing-1"]
    assert {"campaign_drafts", "export_campaign", "outbox"} <= {r["action"] for r in mine}
    assert all(acme not in (r["details"].get("customer_ids") or []) for r in mine)
