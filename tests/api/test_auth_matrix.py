"""Every route × every role × whose customer it touches → the documented status.

MATRIX below is the documentation's table in code (docs/api.md, "Roles" and "Visibility").
Every route the app serves (`app.routes`) must have a row, so a new route fails
`test_every_route_is_in_the_matrix` until it says who may call it and whether it touches
one customer. To add a route: one `Call(...)` line, with

- `roles`: the roles admitted besides admin (PUBLIC: no key needed); others get 403,
- `about`: HIDDEN404 when it reads or writes one customer (a customer the key cannot see is
  404), LISTED when it lists customers (a hidden one is left out: give `sees`), else None,
- `json` / `path_args` / `params` / `files`: how to call it, on the customer `taro`.

Each role calls each route with three keys: the owner of taro (`own`), a key of taro's team
(`team`) and one of another team (`other`); what each may see follows the policy
(settings.visibility), checked for the defaults and for a strict policy.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.routing import Mount, Route

from knowledge.apikeys import ROLES, create_key
from knowledge.settings import Reach, VisibilitySettings
from knowledge.visibility import assign_customer
from tests.api.conftest import ApiHarness

ALL = frozenset(ROLES)
PUBLIC = frozenset({"public"})
NONE: frozenset[str] = frozenset()
HIDDEN404 = "404"  # about one customer: hidden means 404, as unknown does
LISTED = "listed"  # lists customers: a hidden one is left out
RELATIONS = ("own", "team", "other")
OWNER, TEAM, OTHER_TEAM = "owner-taro", "east", "west"


@dataclass
class Call:
    roles: frozenset[str]
    ok: int = 200
    about: str | None = None
    json: Callable[[ApiHarness], Any] | None = None
    path_args: Callable[[ApiHarness], dict[str, Any]] = field(default=lambda h: {})
    params: dict[str, Any] = field(default_factory=dict)
    files: bool = False
    sees: Callable[[Any, ApiHarness], bool] | None = None  # LISTED: is taro in the answer?


def taro(h: ApiHarness) -> int:
    return h.customers["C-1"]


def _job(h: ApiHarness) -> dict[str, Any]:
    files = {"file": ("interactions.jsonl", io.BytesIO(b""), "application/json")}
    r = h.client.post("/imports", data={"source": "m"}, files=files, headers=h.headers("admin"))
    return {"job_id": r.json()["job_id"]}


def _fresh_key(h: ApiHarness) -> dict[str, Any]:
    return {"key_id": create_key(h.services.sessions, name="spare", role="agent")[0].id}


def _fresh_customer(h: ApiHarness) -> dict[str, Any]:
    """A customer made for one erasure call (the shared app's customers stay)."""
    from knowledge.importing import import_records
    from knowledge.repository import find_customers

    name = f"Erase Me {uuid.uuid4().hex[:8]}"
    record = {"external_id": name, "name": name}
    settings = h.services.settings.imports
    import_records(
        h.services.sessions, [record], source="matrix", entity="customer", settings=settings
    )
    with h.services.sessions() as session:
        return {"customer_id": find_customers(session, name)[0].id}


def _interaction(h: ApiHarness) -> dict[str, Any]:
    return {
        "source": "matrix",
        "references_source": "test-crm",
        "external_id": "M-1",
        "customer_external_id": "C-1",
        "kind": "call",
        "occurred_at": "2025-03-01T10:00:00+09:00",
        "body": "電話で配送日を確認。",
    }


def _listed_taro(body: Any, h: ApiHarness) -> bool:
    return taro(h) in {c["id"] for c in body}


def _counted(body: Any, h: ApiHarness) -> bool:
    # Acme (C-2) has no owner or team: only an `all` reach counts it, so a restricted key
    # that sees taro counts exactly one customer, and none when taro is hidden.
    return sum(row["customers"] for row in body) > 0


def _ask(h: ApiHarness) -> dict[str, Any]:
    return {"question": "異音は？", "customer_id": taro(h)}


PERSONS = {"field": "kind", "op": "eq", "value": "person"}  # taro; Acme is a company


def _counts_taro(body: Any, h: ApiHarness) -> bool:
    # Restricted keys see no person but taro (the seed's Acme is a company).
    return bool(body["count"] > 0)


def _members_taro(body: Any, h: ApiHarness) -> bool:
    return taro(h) in {m["customer_id"] for m in body["items"]}


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


def _draft(h: ApiHarness, status: str = "draft") -> dict[str, Any]:
    """A fresh campaign with one message to taro, in `status`."""
    from knowledge.campaigns.models import Message

    cid = _campaign(h)["campaign_id"]
    with h.services.sessions() as s:
        msg = Message(
            campaign_id=cid,
            step_index=0,
            customer_id=taro(h),
            status=status,
            subject="s",
            body="b",
            citations=[],
            facts={},
            scheduled_at=datetime.now(UTC),
            exported_at=datetime.now(UTC) if status == "exported" else None,
        )
        s.add(msg)
        s.commit()
        return {"campaign_id": cid, "draft_id": msg.id}


def _drafts_of_taro(body: Any, h: ApiHarness) -> bool:
    # Every campaign message the matrix makes is to taro: a key that cannot see him counts none.
    reviewed = ("draft", "approved", "edited", "rejected", "exported")
    return sum(c["counts"][k] for c in body["items"] for k in reviewed) > 0


def _exported_taro(body: Any, h: ApiHarness) -> bool:
    return str(taro(h)) in {row["customer_id"] for row in csv.DictReader(io.StringIO(body))}


def _results_for_taro(h: ApiHarness) -> dict[str, Any]:
    message_id = _draft(h, "exported")["draft_id"]
    return {"events": [{"message_id": message_id, "event": "sent"}]}


MATRIX: dict[tuple[str, str], Call] = {
    # the panel, the API documents, probes and sign-in: no key needed
    ("GET", "/"): Call(PUBLIC),
    ("GET", "/docs/api"): Call(PUBLIC),  # redirects to /docs
    ("GET", "/docs"): Call(PUBLIC),
    ("GET", "/docs/oauth2-redirect"): Call(PUBLIC),
    ("GET", "/redoc"): Call(PUBLIC),
    ("GET", "/openapi.json"): Call(PUBLIC),
    ("GET", "/health"): Call(PUBLIC),
    ("GET", "/ready"): Call(PUBLIC),
    ("POST", "/session"): Call(PUBLIC, json=lambda h: {"api_key": h.keys["agent"]}),
    ("DELETE", "/session"): Call(PUBLIC, ok=204),
    # any key
    ("GET", "/session"): Call(ALL),
    ("GET", "/vocabulary"): Call(ALL),
    ("POST", "/feedback"): Call(ALL, ok=201),  # on the caller's own output, made per key
    # customers
    ("GET", "/customers"): Call(
        frozenset({"agent", "sales", "marketing"}),
        about=LISTED,
        params={"q": "山田"},
        sees=_listed_taro,
    ),
    ("GET", "/customers/{customer_id}"): Call(
        frozenset({"agent", "sales", "marketing"}),
        about=HIDDEN404,
        path_args=lambda h: {"customer_id": taro(h)},
    ),
    ("GET", "/customers/{customer_id}/export"): Call(
        NONE, about=HIDDEN404, path_args=lambda h: {"customer_id": taro(h)}
    ),
    ("DELETE", "/customers/{customer_id}"): Call(NONE, about=HIDDEN404, path_args=_fresh_customer),
    ("GET", "/records/{record_id}"): Call(
        frozenset({"agent", "sales", "marketing"}),
        about=HIDDEN404,
        path_args=lambda h: {"record_id": f"profile:{taro(h)}"},
    ),
    ("GET", "/segments"): Call(frozenset({"sales", "marketing"}), about=LISTED, sees=_counted),
    ("POST", "/search"): Call(
        frozenset({"agent", "sales"}),
        about=HIDDEN404,
        json=lambda h: {"query": "異音", "scope": {"kind": "customer", "customer_id": taro(h)}},
    ),
    # generation
    ("POST", "/chat"): Call(frozenset({"agent"}), about=HIDDEN404, json=_ask),
    ("POST", "/chat/answer"): Call(frozenset({"agent"}), about=HIDDEN404, json=_ask),
    ("POST", "/customers/{customer_id}/brief"): Call(
        frozenset({"agent", "sales"}),
        about=HIDDEN404,
        path_args=lambda h: {"customer_id": taro(h)},
    ),
    ("POST", "/customers/{customer_id}/brief.md"): Call(
        frozenset({"agent", "sales"}),
        about=HIDDEN404,
        path_args=lambda h: {"customer_id": taro(h)},
    ),
    ("POST", "/drafts/email"): Call(
        frozenset({"agent", "sales", "marketing"}),
        about=HIDDEN404,
        json=lambda h: {"customer_id": taro(h), "purpose": "thank_you"},
    ),
    ("POST", "/drafts/rewrite"): Call(
        frozenset({"agent", "sales", "marketing"}),
        about=HIDDEN404,
        json=lambda h: {"text": "明日連絡します。", "instruction": "丁寧", "customer_id": taro(h)},
    ),
    # writes
    ("POST", "/interactions"): Call(
        frozenset({"agent"}), ok=201, about=HIDDEN404, json=_interaction
    ),
    ("POST", "/ingest"): Call(
        NONE, json=lambda h: {"source": "matrix", "records": [_interaction(h)]}
    ),
    ("POST", "/imports"): Call(NONE, ok=202, files=True),
    ("GET", "/imports/{job_id}"): Call(NONE, path_args=_job),
    # admin
    ("GET", "/audit"): Call(NONE, params={"customer_id": 1, "kind": "read"}),
    ("GET", "/gaps"): Call(NONE),
    ("GET", "/keys"): Call(NONE),
    ("POST", "/keys"): Call(
        NONE, ok=201, json=lambda h: {"name": "n", "role": "sales", "teams": ["east"]}
    ),
    ("DELETE", "/keys/{key_id}"): Call(NONE, path_args=_fresh_key),
    ("GET", "/audiences/fields"): Call(MARKETING),
    ("POST", "/audiences/count"): Call(
        MARKETING, about=LISTED, json=lambda h: {"condition": PERSONS}, sees=_counts_taro
    ),
    ("POST", "/audiences/members"): Call(
        MARKETING, about=LISTED, json=lambda h: {"condition": PERSONS}, sees=_members_taro
    ),
    ("POST", "/audiences"): Call(
        MARKETING,
        ok=201,
        about=LISTED,
        json=lambda h: {"name": uuid.uuid4().hex, "condition": PERSONS},
        sees=_counts_taro,
    ),
    ("GET", "/audiences"): Call(MARKETING),  # definitions, not customer data
    ("GET", "/audiences/{audience_id}"): Call(
        MARKETING, about=LISTED, path_args=_audience, sees=_counts_taro
    ),
    ("DELETE", "/audiences/{audience_id}"): Call(MARKETING, ok=204, path_args=_audience),
    ("GET", "/audiences/{audience_id}/members"): Call(
        MARKETING, about=LISTED, path_args=_audience, sees=_members_taro
    ),
    # campaigns: rows that make a message to taro first (path_args may return unused keys)
    ("GET", "/campaigns"): Call(MARKETING, about=LISTED, path_args=_draft, sees=_drafts_of_taro),
    ("POST", "/campaigns"): Call(MARKETING, ok=201, json=_new_campaign),
    ("GET", "/campaigns/{campaign_id}"): Call(
        MARKETING, about=LISTED, path_args=_draft, sees=lambda b, h: b["counts"]["draft"] == 1
    ),
    ("POST", "/campaigns/{campaign_id}/run"): Call(
        MARKETING, ok=202, path_args=_campaign, json=lambda h: {"code_only": True}
    ),
    ("GET", "/jobs/{job_id}"): Call(MARKETING, path_args=_run),
    ("POST", "/jobs/{job_id}/cancel"): Call(MARKETING, path_args=_run),
    ("DELETE", "/jobs/{job_id}"): Call(MARKETING, path_args=_run),
    ("GET", "/campaigns/{campaign_id}/drafts"): Call(
        MARKETING, about=LISTED, path_args=_draft, sees=lambda b, h: b["total"] == 1
    ),
    ("GET", "/drafts/{draft_id}"): Call(MARKETING, about=HIDDEN404, path_args=_draft),
    ("PUT", "/drafts/{draft_id}"): Call(
        MARKETING,
        about=HIDDEN404,
        path_args=_draft,
        json=lambda h: {"subject": "s", "body": "b2"},
    ),
    ("POST", "/drafts/{draft_id}/approve"): Call(MARKETING, about=HIDDEN404, path_args=_draft),
    ("POST", "/drafts/{draft_id}/reject"): Call(MARKETING, about=HIDDEN404, path_args=_draft),
    ("POST", "/campaigns/{campaign_id}/drafts/approve"): Call(
        MARKETING,
        about=LISTED,
        path_args=_draft,
        json=lambda h: {"all": True},
        sees=lambda b, h: b["approved"] == 1,
    ),
    ("POST", "/campaigns/{campaign_id}/export"): Call(
        MARKETING,
        about=LISTED,
        path_args=lambda h: _draft(h, "approved"),
        sees=_exported_taro,
    ),
    ("GET", "/outbox"): Call(
        MARKETING,
        about=LISTED,
        path_args=lambda h: _draft(h, "exported"),
        params={"limit": 1000},
        sees=lambda b, h: taro(h) in {i["customer_id"] for i in b["items"]},
    ),
    ("POST", "/campaigns/results"): Call(
        MARKETING,
        about=LISTED,  # a hidden customer's message is rejected as an unknown one
        json=_results_for_taro,
        sees=lambda b, h: b["recorded"] == 1,
    ),
    ("POST", "/campaigns/results/file"): Call(MARKETING, files=True),
    ("GET", "/campaigns/{campaign_id}/report"): Call(
        MARKETING,
        about=LISTED,
        path_args=_draft,
        sees=lambda b, h: b["total"]["drafted"] == 1,
    ),
}

DEFAULT = VisibilitySettings()
STRICT = VisibilitySettings(agent="team", sales="own", marketing="team")
POLICIES = {"default": DEFAULT, "strict": STRICT}


def served_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route the app answers (static files aside)."""
    return set(_walk(app.routes, ""))


def _walk(routes: list[Any], prefix: str) -> Iterator[tuple[str, str]]:
    for route in routes:
        if isinstance(route, Route):  # APIRoute too
            yield from ((m, prefix + route.path) for m in route.methods or () if m != "HEAD")
        elif isinstance(route, Mount) and route.path == "/static":
            continue
        elif hasattr(route, "original_router"):  # FastAPI >= 0.165 wraps included routers
            context = getattr(route, "include_context", None)
            inner = prefix + getattr(context, "prefix", "")
            yield from _walk(route.original_router.routes, inner)
        else:  # a kind of route this walk does not know must not go unchecked
            raise AssertionError(f"unknown route type {type(route).__name__}: {route!r}")


@dataclass
class Matrix:
    h: ApiHarness
    keys: dict[tuple[str, str], str]  # (role, relation) -> plain key

    def headers(self, role: str, relation: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[(role, relation)]}"}


@pytest.fixture(scope="module")
def matrix(shared_api: ApiHarness) -> Iterator[Matrix]:
    h = shared_api
    assign_customer(h.services.sessions, taro(h), owner=OWNER, team=TEAM)
    keys = {}
    for role in ROLES:
        for relation in RELATIONS:
            user = OWNER if relation == "own" else f"{role}-{relation}"
            teams = [TEAM] if relation == "team" else [OTHER_TEAM]
            keys[(role, relation)] = create_key(
                h.services.sessions, name=f"{role}-{relation}", role=role, user=user, teams=teams
            )[1]
    yield Matrix(h, keys)
    h.services.settings.visibility = DEFAULT


def visible(policy: VisibilitySettings, role: str, relation: str) -> bool:
    reach: Reach = "all" if role == "admin" else getattr(policy, role)
    return reach == "all" or relation == "own" or (reach == "team" and relation == "team")


def want(call: Call, role: str, relation: str, policy: VisibilitySettings) -> int:
    if call.roles == PUBLIC or role == "admin" or role in call.roles:
        if call.about == HIDDEN404 and not visible(policy, role, relation):
            return 404
        return call.ok
    return 403


def send(m: Matrix, method: str, path: str, call: Call, headers: dict[str, str]) -> Any:
    h = m.h
    h.client.cookies.clear()  # POST /session leaves the panel's cookie in the client
    url = path.format(**call.path_args(h))
    kwargs: dict[str, Any] = {"headers": headers, "params": call.params}
    if call.json is not None:
        kwargs["json"] = call.json(h)
    if path == "/feedback":
        kwargs["json"] = _own_output(m, headers)
    if call.files:
        kwargs["files"] = {"file": ("interactions.jsonl", io.BytesIO(b""), "application/json")}
        kwargs["data"] = {"source": "matrix"}
    if method == "POST" and path == "/chat":
        with h.client.stream(method, url, **kwargs) as r:
            r.read()
            return r
    return h.client.request(method, url, **kwargs)


def _own_output(m: Matrix, headers: dict[str, str]) -> dict[str, Any]:
    """Feedback needs an output of the calling key: a rewrite it made (every role may)."""
    if headers.get("Authorization", "").removeprefix("Bearer ") not in m.keys.values():
        return {"output_id": "0" * 32, "rating": 1}  # no valid key: 401 comes first
    r = m.h.client.post(
        "/drafts/rewrite", json={"text": "了解です。", "instruction": "丁寧に"}, headers=headers
    )
    assert r.status_code == 200, r.text
    return {"output_id": r.json()["output_id"], "rating": 1}


def test_every_route_is_in_the_matrix(shared_api: ApiHarness) -> None:
    served = served_routes(shared_api.app)
    missing, stale = served - set(MATRIX), set(MATRIX) - served
    assert not missing, f"routes missing from MATRIX (add a Call line for each): {missing}"
    assert not stale, f"MATRIX rows for routes the app does not serve: {stale}"


def test_listed_routes_say_how_to_find_taro() -> None:
    assert all(c.sees is not None for c in MATRIX.values() if c.about == LISTED)


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_without_a_valid_key(matrix: Matrix, method: str, path: str) -> None:
    call = MATRIX[(method, path)]
    for headers in ({}, {"Authorization": "Bearer kz_000000000000_wrong"}):
        r = send(matrix, method, path, call, headers)
        assert r.status_code == (call.ok if call.roles == PUBLIC else 401), (headers, r.text)


@pytest.mark.parametrize("policy", sorted(POLICIES))
@pytest.mark.parametrize(("method", "path"), sorted(MATRIX))
def test_auth_matrix(matrix: Matrix, method: str, path: str, policy: str) -> None:
    call, rules = MATRIX[(method, path)], POLICIES[policy]
    matrix.h.services.settings.visibility = rules
    got: dict[str, int | str] = {}
    expected: dict[str, int | str] = {}
    for role in ROLES:
        for relation in RELATIONS:
            who = f"{role}/{relation}"
            r = send(matrix, method, path, call, matrix.headers(role, relation))
            got[who] = r.status_code
            expected[who] = want(call, role, relation, rules)
            if call.about == LISTED and r.status_code == call.ok:
                assert call.sees is not None
                got[who] = f"{call.ok}, lists taro: {call.sees(_body(r), matrix.h)}"
                expected[who] = f"{call.ok}, lists taro: {visible(rules, role, relation)}"
    assert got == expected


def _body(r: Any) -> Any:
    """JSON, or the text of a file answer (an export)."""
    return r.json() if "json" in r.headers.get("content-type", "") else r.text


def test_x_api_key_header_works_too(shared_api: ApiHarness) -> None:
    r = shared_api.client.get("/session", headers={"X-API-Key": shared_api.keys["sales"]})
    assert r.status_code == 200 and r.json() == {"name": "sales-1", "role": "sales"}
