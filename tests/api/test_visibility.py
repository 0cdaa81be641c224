"""Who sees which customer beyond the route matrix: conversations bound to a key and a
customer, interaction kinds a role may not read, the agent's tools, and the read audit."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from assistant.jobs.agent_tools import AgentTools
from knowledge.apikeys import create_key
from knowledge.journal import add_turn, recent_turns
from knowledge.models import Interaction
from knowledge.settings import VisibilitySettings
from knowledge.visibility import Visibility, assign_customer
from tests.api.conftest import ApiHarness
from tests.api.seed import TEAM
from tests.api.test_generation import ask


def _key(api: ApiHarness, role: str, *, name: str, user: str | None = None, teams: Any = ()) -> Any:
    plain = create_key(api.services.sessions, name=name, role=role, user=user, teams=teams)[1]
    return {"Authorization": f"Bearer {plain}"}


def _interaction_ids(api: ApiHarness, customer: str) -> dict[str, int]:
    with api.services.sessions() as s:
        rows = s.scalars(
            select(Interaction).where(Interaction.customer_id == api.customers[customer])
        )
        return {r.kind: r.id for r in rows}


# -- conversations ----------------------------------------------------------------------------


def test_a_conversation_belongs_to_its_key_not_to_its_name(api: ApiHarness) -> None:
    taro = api.customers["C-1"]
    cid = ask(api, {"question": "異音の件は？", "customer_id": taro})[0][1]["conversation_id"]
    # A second key with the very same name (names are not unique) may not continue it.
    twin = _key(api, "agent", name="agent-1", teams=[TEAM])
    body = {"question": "続き", "customer_id": taro, "conversation_id": cid}
    r = api.client.post("/chat/answer", json=body, headers=twin)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    # Its owner may, and admin may read on.
    assert api.client.post("/chat/answer", json=body, headers=api.headers("agent")).is_success
    assert api.client.post("/chat/answer", json=body, headers=api.headers("admin")).is_success


def test_a_conversation_stays_with_its_customer(api: ApiHarness) -> None:
    taro, acme = api.customers["C-1"], api.customers["C-2"]
    first = ask(api, {"question": "異音の件は？", "customer_id": taro})
    cid = first[0][1]["conversation_id"]
    for other in ({"customer_id": acme}, {}):  # another customer, or none at all
        body = {"question": "What about the renewal?", "conversation_id": cid, **other}
        for route in ("/chat/answer", "/chat"):
            r = api.client.post(route, json=body, headers=api.headers("agent"))
            assert r.status_code == 409, (route, other, r.text)
            assert r.json()["error"]["code"] == "conversation_customer_mismatch"
    # Nothing of taro's conversation was written under Acme.
    assert recent_turns(api.services.sessions, cid, 20, customer_id=acme) == []


def test_turns_about_another_customer_never_reach_the_history() -> None:
    """Below the API too: the history of a conversation holds only turns about its customer."""
    from knowledge.db import make_engine, make_session_factory, migrate
    from knowledge.settings import DatabaseSettings

    engine = make_engine(DatabaseSettings(url="sqlite://"))
    migrate(engine)
    sessions = make_session_factory(engine)
    add_turn(sessions, "c", role="user", text="A の話", customer_id=1, key_id=7)
    add_turn(sessions, "c", role="user", text="B の話", customer_id=2, key_id=7)
    add_turn(sessions, "c", role="user", text="誰か別の鍵", customer_id=1, key_id=8)
    assert [t.text for t in recent_turns(sessions, "c", customer_id=2, key_id=7)] == ["B の話"]
    assert [t.text for t in recent_turns(sessions, "c", customer_id=1, key_id=7)] == ["A の話"]
    assert recent_turns(sessions, "c", customer_id=None) == []


# -- interaction kinds --------------------------------------------------------------------------


def test_marketing_reads_no_support_conversation(api: ApiHarness) -> None:
    taro = api.customers["C-1"]
    kinds = _interaction_ids(api, "C-1")  # an inquiry and a call: support conversations
    market, desk = api.headers("marketing"), api.headers("agent")
    for kind, iid in kinds.items():
        assert api.client.get(f"/records/interaction:{iid}", headers=desk).status_code == 200
        hidden = api.client.get(f"/records/interaction:{iid}", headers=market)
        assert hidden.status_code == 404, kind
    profile = api.client.get(f"/customers/{taro}", headers=market).json()
    assert profile["latest_interactions"] == [] and profile["open_interactions"] == []
    draft = api.client.post(
        "/drafts/email", json={"customer_id": taro, "purpose": "thank_you"}, headers=market
    ).json()
    assert not [c for c in draft["citations"] if c["record_id"].startswith("interaction:")]
    assert "異音" not in draft["body"]
    # The policy is configuration: with no restriction marketing reads them.
    api.services.settings.visibility = VisibilitySettings(text_kinds={})
    iid = next(iter(kinds.values()))
    assert api.client.get(f"/records/interaction:{iid}", headers=market).status_code == 200


# -- the agent's tools --------------------------------------------------------------------------


def test_agent_tools_see_only_visible_customers(api: ApiHarness) -> None:
    taro, acme = api.customers["C-1"], api.customers["C-2"]
    assign_customer(api.services.sessions, taro, owner="rep-a", team="east")
    assign_customer(api.services.sessions, acme, owner="rep-b", team="west")
    assert api.services.assistant is not None
    east = Visibility.of("sales", "rep-x", ["east"], VisibilitySettings())
    tools = AgentTools(api.services.assistant.deps.bound(east, None), "en", pinned_customer=None)
    found, _ = tools.call("find_customer", {"name": "Acme"})
    assert "Acme" not in found and f"customer_id={acme}" not in found
    assert f"customer_id={taro}" in tools.call("find_customer", {"name": "山田"})[0]
    for tool, args in (
        ("customer_profile", {"customer_id": acme}),
        ("list_orders", {"customer_id": acme}),
        ("search_customer_records", {"customer_id": acme, "query": "renewal"}),
    ):
        text, step = tools.call(tool, args)
        assert text.startswith("ERROR") and not step.ok and "customer_not_found" in str(step.error)
    summary, _ = tools.call("segment_summary", {})
    assert sum(int(n) for n in re.findall(r"(\d+) customers", summary)) == 1
    _, profile_step = tools.call("customer_profile", {"customer_id": taro})
    assert profile_step.ok


# -- hidden looks like absent --------------------------------------------------------------------


def test_a_hidden_customer_answers_exactly_like_an_unknown_one(api: ApiHarness) -> None:
    taro = api.customers["C-1"]
    assign_customer(api.services.sessions, taro, owner="someone", team="elsewhere")
    stranger = _key(api, "sales", name="s", user="nobody", teams=["nowhere"])
    hidden = api.client.get(f"/customers/{taro}", headers=stranger)
    absent = api.client.get("/customers/987654", headers=stranger)
    assert hidden.status_code == absent.status_code == 404
    assert hidden.json()["error"]["code"] == absent.json()["error"]["code"]
    found = api.client.get("/customers", params={"q": "山田"}, headers=stranger)
    assert found.status_code == 200 and found.json() == []
    # The owner sees it, whatever the team and whatever the case and spaces of the owner.
    assign_customer(api.services.sessions, taro, owner=" Nobody ")
    assert api.client.get(f"/customers/{taro}", headers=stranger).status_code == 200


# -- read audit -----------------------------------------------------------------------------------


def test_every_read_of_customer_data_is_audited_by_id(api: ApiHarness) -> None:
    taro = api.customers["C-1"]
    h = api.headers("sales")
    iid = next(iter(_interaction_ids(api, "C-1").values()))
    api.client.get("/customers", params={"q": "taro.yamada@example.jp"}, headers=h)
    api.client.get(f"/customers/{taro}", headers=h)
    api.client.get(f"/records/interaction:{iid}", headers=h)
    api.client.post(
        "/search",
        json={"query": "異音", "scope": {"kind": "customer", "customer_id": taro}},
        headers=h,
    )
    me = api.client.get("/keys", headers=api.headers("admin")).json()
    sales_id = next(k["id"] for k in me if k["name"] == "sales-1")
    rows = api.client.get(
        "/audit", params={"kind": "read", "key_id": sales_id}, headers=api.headers("admin")
    ).json()
    by_action = {r["action"]: r for r in rows}
    assert set(by_action) == {"find_customers", "view_profile", "open_record", "search"}
    assert all(r["actor"] == "sales-1" and r["key_id"] == sales_id for r in rows)
    assert all(r["output_id"] is None and r["model"] is None for r in rows)
    assert by_action["find_customers"]["details"]["customer_ids"] == [taro]
    assert by_action["view_profile"]["customer_id"] == taro
    assert by_action["open_record"]["cited_records"] == [f"interaction:{iid}"]
    assert by_action["search"]["customer_id"] == taro
    # Ids, never what was asked or read: no query, no name, no record text.
    dumped = str(rows)
    for personal in ("taro.yamada", "山田", "異音", "加湿器"):
        assert personal not in dumped
    # Filters: one action, one customer, a time window, generations only.
    only = api.client.get(
        "/audit",
        params={"action": "view_profile", "customer_id": taro},
        headers=api.headers("admin"),
    ).json()
    assert [r["action"] for r in only] == ["view_profile"]
    later = api.client.get(
        "/audit", params={"since": "2999-01-01T00:00:00Z"}, headers=api.headers("admin")
    ).json()
    assert later == []
    gens = api.client.get("/audit", params={"kind": "generation"}, headers=api.headers("admin"))
    assert all(r["output_id"] for r in gens.json())


def test_generations_record_the_key_id(api: ApiHarness) -> None:
    taro = api.customers["C-1"]
    result = ask(api, {"question": "異音の件は？", "customer_id": taro})[-1][1]
    rows = api.client.get("/audit", params={"kind": "generation"}, headers=api.headers("admin"))
    row = next(r for r in rows.json() if r["output_id"] == result["output_id"])
    keys = api.client.get("/keys", headers=api.headers("admin")).json()
    assert row["key_id"] == next(k["id"] for k in keys if k["name"] == "agent-1")


def test_keys_carry_a_user_and_teams(api: ApiHarness) -> None:
    r = api.client.post(
        "/keys",
        json={"name": "rep", "role": "sales", "user": "hanako@example.jp", "teams": ["east"]},
        headers=api.headers("admin"),
    )
    assert r.status_code == 201
    assert (r.json()["user"], r.json()["teams"]) == ("hanako@example.jp", ["east"])
    # Without a user the key's name is its user.
    plain = api.client.post(
        "/keys", json={"name": "bob", "role": "agent"}, headers=api.headers("admin")
    )
    assert (plain.json()["user"], plain.json()["teams"]) == ("bob", [])
