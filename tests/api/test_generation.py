"""Chat (SSE), briefs, e-mail drafts, rewrites, feedback and the audit trail, with the fake LLM."""

from __future__ import annotations

import json
from typing import Any

from tests.api.conftest import ApiHarness


def sse_events(text: str) -> list[tuple[str, Any]]:
    """Parse a text/event-stream body into (event, data) pairs."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", ""
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data += line[5:].lstrip(" ")
        if data:
            events.append((name, json.loads(data)))
    return events


def ask(api: ApiHarness, body: dict[str, Any], role: str = "agent") -> list[tuple[str, Any]]:
    with api.client.stream("POST", "/chat", json=body, headers=api.headers(role)) as r:
        assert r.status_code == 200, r.read()
        assert r.headers["content-type"].startswith("text/event-stream")
        return sse_events(r.read().decode())


def test_chat_streams_checked_sentences_then_a_cited_result(api: ApiHarness) -> None:
    taro = api.customers["C-1"]
    events = ask(
        api,
        {"question": "加湿器の異音について過去に問い合わせはありましたか？", "customer_id": taro},
    )
    names = [e for e, _ in events]
    assert names[0] == "start" and names[-1] == "result"
    # Progress while the model writes, then sentences that passed the checks; no raw text.
    assert names.count("progress") >= 2 and "token" not in names, names
    streamed = [d["sentence"] for e, d in events if e == "sentence"]
    result = events[-1][1]
    assert streamed and streamed == result["sentences"]
    assert result["customer_id"] == taro
    assert result["conversation_id"] == events[0][1]["conversation_id"]
    cited = [c["record_id"] for c in result["citations"]]
    assert cited, result
    # Every citation opens, and belongs to this customer or the knowledge base.
    for rid in cited:
        rec = api.client.get(f"/records/{rid}", headers=api.headers("agent"))
        assert rec.status_code == 200
        assert rec.json().get("customer_id") in (taro, None)
    audit = api.client.get("/audit", params={"customer_id": taro}, headers=api.headers("admin"))
    row = next(a for a in audit.json() if a["output_id"] == result["output_id"])
    assert row["actor"] == "agent-1" and row["action"] == "answer"
    assert set(row["cited_records"]) == set(cited)
    assert row["model"] == result["model"]


def test_conversation_continues_and_is_private_to_its_key(api: ApiHarness) -> None:
    taro = api.customers["C-1"]
    first = ask(api, {"question": "交換品の約束はありますか？", "customer_id": taro})
    cid = first[0][1]["conversation_id"]
    again = ask(
        api, {"question": "それはいつですか？", "customer_id": taro, "conversation_id": cid}
    )
    assert again[0][1]["conversation_id"] == cid and again[-1][0] == "result"
    # Another agent key may not read or extend this conversation.
    from knowledge.apikeys import create_key

    _, other = create_key(api.services.sessions, name="agent-2", role="agent")
    r = api.client.post(
        "/chat",
        json={"question": "続き", "customer_id": taro, "conversation_id": cid},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert r.status_code == 404


def test_chat_json_answer_and_unknown_customer(api: ApiHarness) -> None:
    r = api.client.post(
        "/chat/answer",
        json={"question": "How do I reset the humidifier?"},
        headers=api.headers("agent"),
    )
    assert r.status_code == 200, r.text
    assert any(c["record_id"].startswith("article:") for c in r.json()["citations"])
    r = api.client.post(
        "/chat", json={"question": "x", "customer_id": 987654}, headers=api.headers("agent")
    )
    assert r.status_code == 404 and r.json()["error"]["code"] == "customer_not_found"


def test_brief_json_and_markdown(api: ApiHarness) -> None:
    acme = api.customers["C-2"]
    r = api.client.post(
        f"/customers/{acme}/brief", json={"language": "en"}, headers=api.headers("sales")
    )
    assert r.status_code == 200, r.text
    brief = r.json()
    assert brief["customer_id"] == acme and brief["language"] == "en" and brief["sections"]
    md = api.client.post(f"/customers/{acme}/brief.md", headers=api.headers("sales"))
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "Acme Trading" in md.text
    # Whom the rep meets: the decision maker first and marked, no e-mail addresses.
    assert [(c["name"], c["decision_maker"]) for c in brief["contacts"]] == [
        ("John Smith", True),
        ("Jane Roe", False),
    ]
    contacts = next(s for s in brief["sections"] if s["title"] == "Contacts")
    assert [s["text"] for s in contacts["sentences"]] == [
        "John Smith, CFO — decision maker",
        "Jane Roe, Facilities manager",
    ]
    assert "## Contacts\n\n- John Smith, CFO — decision maker\n" in md.text
    assert "jane.roe@" not in md.text


def test_brief_of_a_person_has_no_contacts(api: ApiHarness) -> None:
    taro = api.customers["C-1"]
    r = api.client.post(f"/customers/{taro}/brief", headers=api.headers("agent"))
    assert r.status_code == 200, r.text
    brief = r.json()
    assert brief["contacts"] == []
    assert not any(s["title"] in ("先方の担当者", "Contacts") for s in brief["sections"])
    assert "先方の担当者" not in brief["markdown"]


def test_email_draft_then_feedback_and_consent(api: ApiHarness) -> None:
    taro, acme = api.customers["C-1"], api.customers["C-2"]
    body = {"customer_id": taro, "purpose": "thank_you", "tone": "polite", "language": "ja"}
    r = api.client.post("/drafts/email", json=body, headers=api.headers("marketing"))
    assert r.status_code == 200, r.text
    draft = r.json()
    assert draft["subject"] and draft["body"] and draft["language"] == "ja"
    fb = {"output_id": draft["output_id"], "rating": 1, "edited_text": draft["body"] + "\n追記"}
    assert (
        api.client.post("/feedback", json=fb, headers=api.headers("marketing")).status_code == 201
    )
    # Feedback on someone else's output (or an unknown one) is "not found".
    assert api.client.post("/feedback", json=fb, headers=api.headers("sales")).status_code == 404
    fb["output_id"] = "no-such-output"
    assert api.client.post("/feedback", json=fb, headers=api.headers("admin")).status_code == 404
    # Acme opted out of e-mail: a marketing purpose is refused, an apology is service mail.
    refused = api.client.post(
        "/drafts/email",
        json={**body, "customer_id": acme, "purpose": "win_back"},
        headers=api.headers("marketing"),
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "consent_refused"
    ok = api.client.post(
        "/drafts/email",
        json={**body, "customer_id": acme, "purpose": "apology", "language": "en"},
        headers=api.headers("sales"),
    )
    assert ok.status_code == 200, ok.text


def test_rewrite_has_an_output_id_that_takes_feedback_and_an_audited_customer(
    api: ApiHarness,
) -> None:
    taro = api.customers["C-1"]
    body = {"text": "明日お電話します。", "instruction": "もっと丁寧に", "language": "ja"}
    r = api.client.post(
        "/drafts/rewrite", json={**body, "customer_id": taro}, headers=api.headers("sales")
    )
    assert r.status_code == 200, r.text
    rewrite = r.json()
    assert rewrite["text"].strip() and rewrite["output_id"] and rewrite["customer_id"] == taro
    assert rewrite["model"] and rewrite["language"] == "ja" and "guard" in rewrite
    fb = {"output_id": rewrite["output_id"], "rating": 1, "edited_text": rewrite["text"]}
    assert api.client.post("/feedback", json=fb, headers=api.headers("sales")).status_code == 201
    rows = api.client.get("/audit", headers=api.headers("admin")).json()
    row = next(r for r in rows if r["output_id"] == rewrite["output_id"])
    assert (row["action"], row["customer_id"], row["actor"]) == ("rewrite", taro, "sales-1")
    # Without a customer the rewrite still has an id for feedback; an unknown customer is 404.
    plain = api.client.post("/drafts/rewrite", json=body, headers=api.headers("marketing"))
    assert plain.status_code == 200 and plain.json()["output_id"]
    assert plain.json()["customer_id"] is None
    unknown = api.client.post(
        "/drafts/rewrite", json={**body, "customer_id": 987654}, headers=api.headers("sales")
    )
    assert unknown.status_code == 404


def test_rewrite_of_a_draft_records_the_drafts_customer(api: ApiHarness) -> None:
    acme = api.customers["C-2"]
    h = api.headers("sales")
    draft = api.client.post(
        "/drafts/email",
        json={"customer_id": acme, "purpose": "apology", "language": "en"},
        headers=h,
    ).json()
    body = {"text": draft["body"], "instruction": "shorter", "source_output_id": draft["output_id"]}
    r = api.client.post("/drafts/rewrite", json=body, headers=h)
    assert r.status_code == 200, r.text
    rewrite = r.json()
    assert rewrite["customer_id"] == acme and rewrite["source_output_id"] == draft["output_id"]
    assert rewrite["output_id"] != draft["output_id"]
    rows = api.client.get("/audit", headers=api.headers("admin")).json()
    row = next(r for r in rows if r["output_id"] == rewrite["output_id"])
    assert row["customer_id"] == acme and row["details"]["source_output_id"] == draft["output_id"]
    assert (
        api.client.post(
            "/feedback", json={"output_id": rewrite["output_id"], "rating": -1}, headers=h
        ).status_code
        == 201
    )
    # Another key's draft is not visible; a customer other than the draft's is refused.
    other = api.client.post("/drafts/rewrite", json=body, headers=api.headers("marketing"))
    assert other.status_code == 404
    mixed = api.client.post(
        "/drafts/rewrite", json={**body, "customer_id": api.customers["C-1"]}, headers=h
    )
    assert mixed.status_code == 400 and mixed.json()["error"]["code"] == "invalid_request"


def test_gaps_list_unanswerable_questions(api: ApiHarness) -> None:
    q = {"question": "ロケットエンジンの保証期間は？"}
    result = api.client.post("/chat/answer", json=q, headers=api.headers("agent")).json()
    assert result["answered"] is False and result["citations"] == []
    gaps = api.client.get("/gaps", headers=api.headers("admin")).json()
    assert [g["question"] for g in gaps] == [q["question"]] and gaps[0]["count"] == 1


def test_every_generation_is_audited_with_the_key_name(api: ApiHarness) -> None:
    taro = api.customers["C-1"]
    h = api.headers("sales")
    brief = api.client.post(f"/customers/{taro}/brief", headers=h).json()
    draft = api.client.post(
        "/drafts/email", json={"customer_id": taro, "purpose": "apology"}, headers=h
    ).json()
    api.client.post(
        "/drafts/rewrite", json={"text": "了解です。", "instruction": "丁寧に"}, headers=h
    )
    rows = api.client.get("/audit", headers=api.headers("admin")).json()
    mine = [r for r in rows if r["actor"] == "sales-1"]
    assert sorted(r["action"] for r in mine) == ["brief", "draft_email", "rewrite"]
    by_id = {r["output_id"]: r for r in mine}
    assert by_id[brief["output_id"]]["customer_id"] == taro
    assert set(by_id[draft["output_id"]]["cited_records"]) == {
        c["record_id"] for c in draft["citations"]
    }
    assert all(r["model"] for r in mine)
    assert all(r["at"].endswith(("Z", "+00:00")) for r in mine)
