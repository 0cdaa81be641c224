"""Every route × every role → the documented status (docs/api.md, "Roles").

The table below is the documentation's matrix in code; a route the app serves that is not
in the table fails the test, so new routes must say who may call them.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from knowledge.apikeys import ROLES, create_key
from tests.api.conftest import ApiHarness

ALL = frozenset(ROLES)
PUBLIC = frozenset({"public"})


@dataclass
class Call:
    roles: frozenset[str]  # who gets `ok`; the other roles get 403, no/bad key 401
    ok: int = 200
    json: Callable[[ApiHarness], Any] | None = None
    path_args: Callable[[ApiHarness], dict[str, Any]] = field(default=lambda h: {})
    files: bool = False
    params: dict[str, Any] = field(default_factory=dict)


def taro(h: ApiHarness) -> int:
    return h.customers["C-1"]


def _interaction_id(h: ApiHarness) -> dict[str, Any]:
    profile = h.client.get(f"/customers/{taro(h)}", headers=h.headers("admin")).json()
    return {"record_id": f"interaction:{profile['latest_interactions'][0]['id']}"}


def _job(h: ApiHarness) -> dict[str, Any]:
    files = {"file": ("interactions.jsonl", io.BytesIO(b""), "application/json")}
    r = h.client.post("/imports", data={"source": "m"}, files=files, headers=h.headers("admin"))
    return {"job_id": r.json()["job_id"]}


def _fresh_key(h: ApiHarness) -> dict[str, Any]:
    return {"key_id": create_key(h.services.sessions, name="spare", role="agent")[0].id}


def _interaction(h: ApiHarness) -> dict[str, Any]:
    return {
        "source": "matrix",
        "external_id": "M-1",
        "customer_external_id": "C-1",
        "kind": "call",
        "occurred_at": "2025-03-01T10:00:00+09:00",
        "body": "電話で配送日を確認。",
    }


PERSONS = {"field": "kind", "op": "eq", "value": "person"}


def _audience(h: ApiHarness) -> dict[str, Any]:
    """A fresh saved audience (DELETE needs one per call)."""
    from knowledge.audiences import create_audience
    from knowledge.db import transaction

    with transaction(h.services.sessions) as s:
        saved = create_audience(s, f"matrix {uuid.uuid4().hex[:8]}", PERSONS)
    return {"audience_id": saved.id}


MARKETING = frozenset({"marketing"})
SEQUENCE = {
    "trigger": {"field": "first_order_at"},
    "steps": [{"purpose": "win_back", "delay_days": 0}],
}


def _new_campaign(h: ApiHarness) -> dict[str, Any]:
    return {"name": f"matrix {uuid.uuid4().hex[:8]}", **SEQUENCE}


def _campaign(h: ApiHarness) -> dict[str, Any]:
    from knowledge.campaigns.store import create_campaign

    with h.services.sessions() as s:
        cid = create_campaign(s, _new_campaign(h), "matrix").id
        s.commit()
    return {"campaign_id": cid}


def _run(h: ApiHarness) -> dict[str, Any]:
    from knowledge.campaigns.store import create_run

    job_id = uuid.uuid4().hex
    with h.services.sessions() as s:
        create_run(s, job_id, _campaign(h)["campaign_id"], datetime.now(UTC), True, "matrix")
        s.commit()
    return {"job_id": job_id}


def _draft(h: ApiHarness) -> dict[str, Any]:
    from knowledge.campaigns.models import Message

    with h.services.sessions() as s:
        msg = Message(
            campaign_id=_campaign(h)["campaign_id"],
            step_index=0,
            customer_id=taro(h),
            status="draft",
            subject="s",
            body="b",
            citations=[],
            facts={},
            scheduled_at=datetime.now(UTC),
        )
        s.add(msg)
        s.commit()
        return {"draft_id": msg.id}


MATRIX: dict[tuple[str, str], Call] = {
    ("GET", "/health"): Call(PUBLIC),
    ("GET", "/ready"): Call(PUBLIC),
    ("POST", "/session"): Call(PUBLIC, json=lambda h: {"api_key": h.keys["agent"]}),
    ("DELETE", "/session"): Call(PUBLIC, ok=204),
    ("GET", "/session"): Call(ALL),
    ("GET", "/vocabulary"): Call(ALL),
    ("GET", "/customers"): Call(frozenset({"agent", "sales", "marketing"}), params={"q": "山田"}),
    ("GET", "/customers/{customer_id}"): Call(
        frozenset({"agent", "sales", "marketing"}), path_args=lambda h: {"customer_id": taro(h)}
    ),
    ("GET", "/records/{record_id}"): Call(
        frozenset({"agent", "sales", "marketing"}), path_args=_interaction_id
    ),
    ("GET", "/segments"): Call(frozenset({"sales", "marketing"})),
    ("POST", "/search"): Call(
        frozenset({"agent", "sales"}),
        json=lambda h: {"query": "異音", "scope": {"kind": "customer", "customer_id": taro(h)}},
    ),
    ("POST", "/chat"): Call(
        frozenset({"agent"}), json=lambda h: {"question": "異音は？", "customer_id": taro(h)}
    ),
    ("POST", "/chat/answer"): Call(
        frozenset({"agent"}), json=lambda h: {"question": "異音は？", "customer_id": taro(h)}
    ),
    ("POST", "/customers/{customer_id}/brief"): Call(
        frozenset({"agent", "sales"}), path_args=lambda h: {"customer_id": taro(h)}
    ),
    ("POST", "/customers/{customer_id}/brief.md"): Call(
        frozenset({"agent", "sales"}), path_args=lambda h: {"customer_id": taro(h)}
    ),
    ("POST", "/drafts/email"): Call(
        frozenset({"agent", "sales", "marketing"}),
        json=lambda h: {"customer_id": taro(h), "purpose": "thank_you"},
    ),
    ("POST", "/drafts/rewrite"): Call(
        frozenset({"agent", "sales", "marketing"}),
        json=lambda h: {"text": "明日連絡します。", "instruction": "丁寧に"},
    ),
    ("POST", "/interactions"): Call(frozenset({"agent"}), ok=201, json=_interaction),
    ("POST", "/ingest"): Call(
        frozenset(), json=lambda h: {"source": "matrix", "records": [_interaction(h)]}
    ),
    ("POST", "/imports"): Call(frozenset(), ok=202, files=True),
    ("GET", "/imports/{job_id}"): Call(frozenset(), path_args=_job),
    ("POST", "/feedback"): Call(ALL, ok=201),  # on the caller's own output, made per role
    ("GET", "/audit"): Call(frozenset()),
    ("GET", "/gaps"): Call(frozenset()),
    ("GET", "/keys"): Call(frozenset()),
    ("POST", "/keys"): Call(frozenset(), ok=201, json=lambda h: {"name": "n", "role": "sales"}),
    ("DELETE", "/keys/{key_id}"): Call(frozenset(), path_args=_fresh_key),
    ("GET", "/audiences/fields"): Call(MARKETING),
    ("POST", "/audiences/count"): Call(MARKETING, json=lambda h: {"condition": PERSONS}),
    ("POST", "/audiences/members"): Call(MARKETING, json=lambda h: {"condition": PERSONS}),
    ("POST", "/audiences"): Call(
        MARKETING, ok=201, json=lambda h: {"name": uuid.uuid4().hex, "condition": PERSONS}
    ),
    ("GET", "/audiences"): Call(MARKETING),
    ("GET", "/audiences/{audience_id}"): Call(MARKETING, path_args=_audience),
    ("DELETE", "/audiences/{audience_id}"): Call(MARKETING, ok=204, path_args=_audience),
    ("GET", "/audiences/{audience_id}/members"): Call(MARKETING, path_args=_audience),
    ("GET", "/campaigns"): Call(MARKETING),
    ("POST", "/campaigns"): Call(MARKETING, ok=201, json=_new_campaign),
    ("GET", "/campaigns/{campaign_id}"): Call(MARKETING, path_args=_campaign),
    ("POST", "/campaigns/{campaign_id}/run"): Call(
        MARKETING, ok=202, path_args=_campaign, json=lambda h: {"code_only": True}
    ),
    ("GET", "/jobs/{job_id}"): Call(MARKETING, path_args=_run),
    ("POST", "/jobs/{job_id}/cancel"): Call(MARKETING, path_args=_run),
    ("DELETE", "/jobs/{job_id}"): Call(MARKETING, path_args=_run),
    ("GET", "/campaigns/{campaign_id}/drafts"): Call(MARKETING, path_args=_campaign),
    ("GET", "/drafts/{draft_id}"): Call(MARKETING, path_args=_draft),
    ("PUT", "/drafts/{draft_id}"): Call(
        MARKETING, path_args=_draft, json=lambda h: {"subject": "s", "body": "b2"}
    ),
    ("POST", "/drafts/{draft_id}/approve"): Call(MARKETING, path_args=_draft),
    ("POST", "/drafts/{draft_id}/reject"): Call(MARKETING, path_args=_draft),
    ("POST", "/campaigns/{campaign_id}/drafts/approve"): Call(
        MARKETING, path_args=_campaign, json=lambda h: {"all": True}
    ),
    ("POST", "/campaigns/{campaign_id}/export"): Call(MARKETING, path_args=_campaign),
    ("GET", "/outbox"): Call(MARKETING),
    ("POST", "/campaigns/results"): Call(
        MARKETING, json=lambda h: {"events": [{"message_id": 1, "event": "sent"}]}
    ),
    ("POST", "/campaigns/results/file"): Call(MARKETING, files=True),
    ("GET", "/campaigns/{campaign_id}/report"): Call(MARKETING, path_args=_campaign),
}


def _own_output(h: ApiHarness, role: str) -> dict[str, Any]:
    """Feedback needs an output this role produced: a rewrite (any role may rewrite but...)."""
    if role in ("agent", "sales", "marketing", "admin"):
        r = h.client.post(
            "/drafts/rewrite",
            json={"text": "了解です。", "instruction": "丁寧に"},
            headers=h.headers(role),
        )
        assert r.status_code == 200, r.text
    from knowledge.journal import list_audit

    mine = [a for a in list_audit(h.services.sessions, limit=1000) if a.actor == f"{role}-1"]
    return {"output_id": mine[0].output_id, "rating": 1}


def request(
    h: ApiHarness, method: str, path: str, call: Call, headers: dict[str, str], role: str | None
) -> int:
    url = path.format(**call.path_args(h))
    kwargs: dict[str, Any] = {"headers": headers, "params": call.params}
    if call.json is not None:
        kwargs["json"] = call.json(h)
    if path == "/feedback":
        kwargs["json"] = _own_output(h, role or "admin")
    if call.files:
        kwargs["files"] = {"file": ("interactions.jsonl", io.BytesIO(b""), "application/json")}
        kwargs["data"] = {"source": "matrix"}
    if method == "POST" and path == "/chat":
        with h.client.stream(method, url, **kwargs) as r:
            r.read()
            return r.status_code
    return h.client.request(method, url, **kwargs).status_code


def test_every_documented_route_is_in_the_matrix(shared_api: ApiHarness) -> None:
    paths = shared_api.app.openapi()["paths"]
    served = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    assert served == set(MATRIX), f"missing: {served - set(MATRIX)}, stale: {set(MATRIX) - served}"


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_auth_matrix(shared_api: ApiHarness, method: str, path: str) -> None:
    h, call = shared_api, MATRIX[(method, path)]
    h.client.cookies.clear()  # POST /session (sorted before PUT) leaves the panel's cookie
    got: dict[str, int] = {}
    want: dict[str, int] = {}
    for who in ("no key", "wrong key", *ROLES):
        if who == "no key":
            headers: dict[str, str] = {}
        elif who == "wrong key":
            headers = {"Authorization": "Bearer kz_000000000000_wrong"}
        else:
            headers = h.headers(who)
        if call.roles == PUBLIC:
            want[who] = call.ok
        elif who in ("no key", "wrong key"):
            want[who] = 401
        else:
            want[who] = call.ok if who in call.roles or who == "admin" else 403
        got[who] = request(h, method, path, call, headers, who if who in ROLES else None)
    assert got == want


def test_x_api_key_header_works_too(shared_api: ApiHarness) -> None:
    r = shared_api.client.get("/session", headers={"X-API-Key": shared_api.keys["sales"]})
    assert r.status_code == 200 and r.json() == {"name": "sales-1", "role": "sales"}
