"""Erasure leaves no byte of the person behind: the database file, Chroma's folder and the
keyword index are grepped for a marker planted in every place their text can reach.

Real SQLite file, real embedded Chroma (persistent folder), real keyword index; fake embedder
and fake LLM. Re-run: `pytest tests/api/test_erasure_grep.py` (docs/SECURITY.md).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from tests.api.conftest import ApiHarness
from tests.knowledge.erasure_seed import Planted, plant


def grep(root: Path, text: str) -> list[str]:
    """Files under root whose bytes hold text (UTF-8, and UTF-16 in case a store uses it)."""
    needles = (text.encode(), text.encode("utf-16-le"))
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and any(n in p.read_bytes() for n in needles)
    )


def generate(h: ApiHarness, person: Planted) -> None:
    """A chat exchange, a brief and a draft about the person, and feedback on the draft."""
    agent = h.headers("agent")
    asked = {
        "question": f"What did they say about {person.marker}?",
        "customer_id": person.customer_id,
        "conversation_id": f"real-{person.external_id}",
    }
    assert h.client.post("/chat/answer", json=asked, headers=agent).status_code == 200
    brief = h.client.post(f"/customers/{person.customer_id}/brief", headers=agent)
    assert brief.status_code == 200, brief.text
    draft = h.client.post(
        "/drafts/email",
        json={"customer_id": person.customer_id, "purpose": "thank_you"},
        headers=agent,
    )
    assert draft.status_code == 200, draft.text
    feedback = {
        "output_id": draft.json()["output_id"],
        "rating": -1,
        "edited_text": f"Dear {person.marker}, thank you for your review.",
    }
    assert h.client.post("/feedback", json=feedback, headers=agent).status_code == 201


def test_erased_customer_leaves_no_trace_on_disk(api: ApiHarness) -> None:
    h, data_dir = api, api.services.settings.data_dir
    assert h.services.settings.database.url.endswith(str(data_dir / "kizuna.db"))
    stores = {
        "data_dir": data_dir,  # kizuna.db with its -wal / -shm files, and all below
        "chroma": Path(h.services.settings.retrieval.chroma_path),
        "keyword": Path(h.services.settings.retrieval.keyword_index_path),
    }
    a = plant(h.services.sessions, "a", f"zqmarka{uuid.uuid4().hex[:10]}")
    b = plant(h.services.sessions, "b", f"zqmarkb{uuid.uuid4().hex[:10]}")
    assert h.services.retrieval is not None
    h.services.retrieval.index(progress=False)
    generate(h, a)
    generate(h, b)
    for name, root in stores.items():
        assert grep(root, a.marker), f"the marker never reached {name}: the test proves nothing"

    exported = h.client.get(f"/customers/{a.customer_id}/export", headers=h.headers("admin"))
    assert exported.status_code == 200
    body = exported.json()
    assert body["customer_ids"] == sorted({a.customer_id, a.merged_id})
    assert all(a.marker in json.dumps(body["indexes"][i]) for i in ("vector", "keyword"))
    assert b.marker not in exported.text
    denied = h.client.delete(f"/customers/{a.customer_id}", headers=h.headers("sales"))
    assert denied.status_code == 403

    erased = h.client.delete(f"/customers/{a.merged_id}", headers=h.headers("admin"))
    assert erased.status_code == 200, erased.text
    report = erased.json()
    assert report["deleted"]["index:vector"] == report["deleted"]["index:keyword"] > 0

    assert {name: grep(root, a.marker) for name, root in stores.items()} == {
        name: [] for name in stores
    }
    for name, root in stores.items():
        assert grep(root, b.marker), f"the other customer's data is gone from {name}"
    check = h.services.retrieval.check()
    assert (check.missing, check.orphaned, check.stale) == ([], [], [])
    found = h.client.post(
        "/search",
        json={"query": b.marker, "scope": {"kind": "customer", "customer_id": b.customer_id}},
        headers=h.headers("agent"),
    )
    assert found.status_code == 200 and found.json(), "search still works for the others"
    audit = h.client.get("/audit", params={"limit": 500}, headers=h.headers("admin")).json()
    logged = [e for e in audit if e["action"] == "erase_customer"]
    assert len(logged) == 1 and logged[0]["customer_id"] == a.merged_id
    exports = [e for e in audit if e["action"] == "export_customer"]
    assert [(e["actor"], e["customer_id"]) for e in exports] == [("admin-1", a.customer_id)]
    profile = h.client.get(f"/customers/{a.customer_id}", headers=h.headers("admin"))
    assert profile.status_code == 200 and profile.json()["customer"]["name"] == "(erased)"


def test_no_index_pass_runs_during_an_erasure(
    api: ApiHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass that read a customer's records before the erasure would write them back after
    it: while paused, a pass asked for waits, and runs once the erasure is done."""
    services, later = api.services, []
    with services.refresh_paused():
        services.schedule_refresh()  # an ingest meanwhile: its pass cannot start
        monkeypatch.setattr(services, "schedule_refresh", lambda: later.append("pass"))
    assert later == ["pass"]
