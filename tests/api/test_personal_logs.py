"""A realistic run through the API (file import with a bad row, index, search, chat, brief,
drafts) against an external-style model server, with logging at DEBUG: no INFO or WARNING record
holds a planted personal value."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from knowledge.models import Customer
from tests.api.conftest import ApiHarness, api_settings, start
from tests.api.test_ingest import wait_job, wait_searchable
from tests.assistant.recording_llm import Recorder, recording_server
from tests.assistant.test_masking_server import CUSTOMERS, INTERACTIONS, PLANTED

# A row the importer rejects: its (malformed) e-mail and its name must not reach the log either.
BAD_CUSTOMER = {
    "external_id": "Z",
    "kind": "person",
    "name": "御手洗 潔",
    "email": "kiyoshi.mitarai@@example",
    "phone": "080-7777-1234",
}
BAD_PLANTED = ["御手洗", "kiyoshi.mitarai", "7777-1234"]


def _jsonl(records: list[dict[str, Any]]) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()


@pytest.fixture
def run(tmp_path: Path) -> Iterator[tuple[ApiHarness, Recorder]]:
    with recording_server() as recorder:
        settings = api_settings(tmp_path / "data")
        settings.llm = settings.llm.model_copy(
            update={
                "mode": "openai",
                "openai_base_url": recorder.base_url,
                "mask_personal_data": "always",
                "timeout_s": 10.0,
            }
        )
        for harness in start(settings):
            yield harness, recorder


def test_no_personal_value_in_info_or_warning_logs(
    run: tuple[ApiHarness, Recorder], caplog: pytest.LogCaptureFixture
) -> None:
    api, recorder = run
    caplog.set_level(logging.DEBUG)
    admin = api.headers("admin")
    for name, records in (
        ("customers.jsonl", [*CUSTOMERS, BAD_CUSTOMER]),
        ("interactions.jsonl", INTERACTIONS),
    ):
        files = {"file": (name, _jsonl(records), "application/x-ndjson")}
        r = api.client.post("/imports", data={"source": "crm"}, files=files, headers=admin)
        assert r.status_code == 202, r.text
        job = wait_job(api, r.json()["job_id"])
        assert job["status"] == "done", job
    with api.services.sessions() as s:
        ids = {c.name: c.id for c in s.query(Customer).all()}
    x, y = ids["榊原 美咲"], ids["Ingrid Lindqvist"]
    wait_searchable(api, "配送の遅れ", x)
    r = api.client.get("/customers", params={"q": "榊原"}, headers=admin)
    assert r.status_code == 200 and r.json()
    chat = {"question": "榊原 美咲様の配送の遅れの件は？", "customer_id": x}
    with api.client.stream("POST", "/chat", json=chat, headers=admin) as stream:
        events = "".join(stream.iter_text())
    assert "event: result" in events
    r = api.client.post(
        "/chat/answer",
        json={"question": "What did Ingrid Lindqvist say?", "customer_id": y},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert api.client.post(f"/customers/{x}/brief", headers=admin).status_code == 200
    for customer, purpose in ((x, "thank_you"), (y, "apology")):
        body = {"customer_id": customer, "purpose": purpose}
        assert api.client.post("/drafts/email", json=body, headers=admin).status_code == 200
    assert recorder.bodies  # the model was asked, through the masked path

    # The test's own client logs its requests (http://testserver/...): not the app's log.
    shown = [
        r
        for r in caplog.records
        if r.levelno >= logging.INFO and "http://testserver/" not in r.getMessage()
    ]
    assert any(r.name.startswith("knowledge.importing") for r in shown)  # the grep reads a log
    text = unquote("\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in shown))
    leaked = [v for v in [*PLANTED, *BAD_PLANTED] if v in text]
    assert leaked == [], [line for line in text.splitlines() if any(v in line for v in leaked)]
