"""Ingest through the API: one interaction, batches and file uploads, all idempotent."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import select

from knowledge.enrichment_store import interactions_to_enrich
from knowledge.importing.canonical import CanonicalInteraction
from knowledge.models import SourceRecord
from knowledge.records import InteractionRecord
from knowledge.vocabulary import INTERACTION_KINDS
from tests.api.conftest import ApiHarness


def wait_job(api: ApiHarness, job_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = api.client.get(f"/imports/{job_id}", headers=api.headers("admin")).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"import job {job_id} did not finish")


def wait_searchable(
    api: ApiHarness, query: str, customer_id: int, timeout: float = 30
) -> list[Any]:
    body = {"query": query, "scope": {"kind": "customer", "customer_id": customer_id}, "k": 3}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hits = api.client.post("/search", json=body, headers=api.headers("agent")).json()
        if any(query in h["text"] for h in hits):
            return hits
        time.sleep(0.2)
    raise AssertionError(f"{query!r} never became searchable")


def wait_enriched(api: ApiHarness, timeout: float = 30) -> dict[str, InteractionRecord]:
    """Every interaction, by external id, once the background pass left none unenriched."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with api.services.sessions() as s:
            if not interactions_to_enrich(s):
                ids = dict(
                    s.execute(
                        select(SourceRecord.entity_id, SourceRecord.external_id).where(
                            SourceRecord.entity == "interaction"
                        )
                    ).all()
                )
                done = interactions_to_enrich(s, only_missing=False)
                return {ids[i.id]: i for i in done}
        time.sleep(0.1)
    raise AssertionError("interactions were never enriched")


def test_every_ingest_route_enriches_interactions_in_the_background(api: ApiHarness) -> None:
    with api.services.sessions() as s:
        assert interactions_to_enrich(s)  # the seed was imported unenriched
    note = {
        "external_id": "E-1",
        "customer_external_id": "C-2",
        "kind": "email",
        "occurred_at": "2025-03-05T09:30:00Z",
        "body": "The parcel arrived broken, I want a refund.",
    }
    one = {"source": "test-crm", **note}
    r = api.client.post("/interactions", json=one, headers=api.headers("agent"))
    assert r.status_code == 201, r.text
    done = wait_enriched(api)
    assert (done["E-1"].sentiment, done["E-1"].intent) == ("negative", "product_defect")
    assert all(i.sentiment in ("positive", "neutral", "negative") for i in done.values())
    # Changed text resets the enrichment; the next pass makes it again from the new text.
    fixed = {**one, "body": "Thank you, the replacement works well."}
    r = api.client.post("/interactions", json=fixed, headers=api.headers("agent"))
    assert r.json()["updated"] == 1
    assert wait_enriched(api)["E-1"].sentiment == "positive"
    records = [{**note, "external_id": "E-2", "body": "ありがとうございます。大満足です。"}]
    batch = {"source": "test-crm", "entity": "interaction", "records": records}
    r = api.client.post("/ingest", json=batch, headers=api.headers("admin"))
    assert r.json()["inserted"] == 1
    assert wait_enriched(api)["E-2"].sentiment == "positive"
    line = {**note, "external_id": "E-3", "body": "How do I reset the password?"}
    files = {"file": ("interactions.jsonl", json.dumps(line).encode(), "application/x-ndjson")}
    r = api.client.post(
        "/imports", data={"source": "test-crm"}, files=files, headers=api.headers("admin")
    )
    assert wait_job(api, r.json()["job_id"])["status"] == "done"
    done = wait_enriched(api)
    assert (done["E-3"].sentiment, done["E-3"].intent) == ("neutral", "how_to")


def test_create_interaction_is_idempotent_and_becomes_searchable(api: ApiHarness) -> None:
    body = {
        "source": "helpdesk",
        "references_source": "test-crm",
        "external_id": "T-77",
        "customer_external_id": "C-1",
        "kind": "ticket",
        "phase": "support",
        "occurred_at": "2025-03-05T09:30:00+09:00",
        "subject": "配送遅延",
        "body": "配送遅延のお詫びとしてクーポンを発行しました。",
        "status": "open",
    }
    first = api.client.post("/interactions", json=body, headers=api.headers("agent"))
    assert first.status_code == 201, first.text
    assert first.json()["inserted"] == 1
    again = api.client.post("/interactions", json=body, headers=api.headers("agent")).json()
    assert (again["inserted"], again["unchanged"]) == (0, 1)
    changed = api.client.post(
        "/interactions", json={**body, "status": "resolved"}, headers=api.headers("agent")
    ).json()
    assert changed["updated"] == 1
    hits = wait_searchable(api, "クーポン", api.customers["C-1"])
    assert all(h["customer_id"] in (api.customers["C-1"], None) for h in hits)


def test_interaction_for_unknown_customer_is_reported_not_stored(api: ApiHarness) -> None:
    body = {
        "external_id": "T-78",
        "customer_external_id": "NOPE",
        "kind": "call",
        "occurred_at": "2025-03-05T09:30:00+09:00",
        "body": "x",
    }
    r = api.client.post("/interactions", json=body, headers=api.headers("agent")).json()
    assert r["inserted"] == 0 and r["rejected"] == 1
    assert r["rejected_rows"][0]["field"] == "customer_external_id"


def test_malformed_interaction_is_422_naming_the_field(api: ApiHarness) -> None:
    r = api.client.post(
        "/interactions", json={"external_id": "x", "kind": "fax"}, headers=api.headers("agent")
    )
    assert r.status_code == 422
    assert "kind" in r.json()["error"]["message"]


def test_interaction_body_is_the_import_contract_with_the_importers_words(
    api: ApiHarness,
) -> None:
    schemas = api.app.openapi()["components"]["schemas"]
    fields = set(schemas["InteractionCreate"]["properties"])
    assert fields == set(CanonicalInteraction.model_fields) | {"source", "references_source"}
    assert schemas["InteractionCreate"]["properties"]["kind"]["enum"] == list(INTERACTION_KINDS)
    r = api.client.post(
        "/interactions",
        json={"external_id": "x", "customer_external_id": "C-1", "kind": "fax",
              "occurred_at": "2025-03-05", "body": "x"},
        headers=api.headers("agent"),
    )  # fmt: skip
    assert r.status_code == 422
    assert "body.kind: 'fax' is not one of inquiry, ticket" in r.json()["error"]["message"]
    # What a file import accepts, the route accepts: case and width folded, 2025/03/05.
    r = api.client.post(
        "/interactions",
        json={"references_source": "test-crm", "external_id": "T-contract",
              "customer_external_id": "C-1", "kind": "Meeting Note",
              "occurred_at": "2025/03/05", "body": "ｘ", "rating": "5"},
        headers=api.headers("agent"),
    )  # fmt: skip
    assert r.status_code == 201 and r.json()["inserted"] == 1, r.text
    r = api.client.post(
        "/interactions",
        json={"external_id": "T-6", "customer_external_id": "C-1", "kind": "call",
              "occurred_at": "2025-03-05", "body": "x", "rating": 6},
        headers=api.headers("agent"),
    )  # fmt: skip
    assert r.status_code == 422 and "body.rating" in r.json()["error"]["message"]


def test_batch_ingest_customers_then_rerun_is_a_no_op(api: ApiHarness) -> None:
    records = [
        {"external_id": f"B-{n}", "name": f"顧客 {n}", "email": f"b{n}@example.jp"}
        for n in range(5)
    ] + [{"external_id": "B-bad", "name": "壊れた", "email": "not-an-email"}]
    body = {"source": "batch", "entity": "customer", "records": records}
    r = api.client.post("/ingest", json=body, headers=api.headers("admin")).json()
    assert (r["read"], r["inserted"], r["rejected"]) == (6, 5, 1)
    assert r["rejected_rows"][0]["row"] == 6 and r["rejected_rows"][0]["field"] == "email"
    again = api.client.post("/ingest", json=body, headers=api.headers("admin")).json()
    assert (again["inserted"], again["unchanged"], again["rejected"]) == (0, 5, 1)
    found = api.client.get(
        "/customers", params={"q": "b3@example.jp"}, headers=api.headers("agent")
    )
    assert [c["name"] for c in found.json()] == ["顧客 3"]


def test_file_upload_job_reports_counts_and_quarantine(api: ApiHarness) -> None:
    lines = [
        {
            "external_id": "F-1",
            "customer_external_id": "C-2",
            "kind": "email",
            "occurred_at": "2025-03-03T10:00:00Z",
            "body": "Asked for the invoice copy.",
        },
        {
            "external_id": "F-2",
            "customer_external_id": "C-2",
            "kind": "email",
            "occurred_at": "not a date",
            "body": "broken",
        },
    ]
    data = "\n".join(json.dumps(x) for x in lines).encode()
    files = {"file": ("interactions.jsonl", data, "application/x-ndjson")}
    r = api.client.post(
        "/imports", data={"source": "test-crm"}, files=files, headers=api.headers("admin")
    )
    assert r.status_code == 202, r.text
    job = wait_job(api, r.json()["job_id"])
    assert job["status"] == "done", job
    report = job["report"]
    assert (report["read"], report["inserted"], report["rejected"]) == (2, 1, 1)
    bad = report["rejected_rows"][0]
    assert bad["row"] == 2 and bad["field"] == "occurred_at" and bad["file"].endswith(".jsonl")
    wait_searchable(api, "invoice", api.customers["C-2"])


def test_upload_rejects_other_file_types_and_unknown_mappings(api: ApiHarness) -> None:
    h = api.headers("admin")
    r = api.client.post(
        "/imports", data={"source": "s"}, files={"file": ("x.exe", b"MZ")}, headers=h
    )
    assert r.status_code == 400 and "x.exe" in r.json()["error"]["message"]
    r = api.client.post(
        "/imports",
        data={"source": "s", "mapping": "/etc/passwd"},
        files={"file": ("customers.csv", b"external_id,name\n1,a\n")},
        headers=h,
    )
    assert r.status_code == 400 and "mapping" in r.json()["error"]["message"]
    assert api.client.get("/imports/" + "0" * 32, headers=h).status_code == 404


CP932_CUSTOMERS = (
    "external_id,name,email\r\nK-1,髙橋 一郎,k1@example.jp\r\nK-2,㈱山﨑商事 ①,k2@example.jp\r\n"
).encode("cp932")


def _upload(api: ApiHarness, name: str, data: bytes, **form: str) -> Any:
    return api.client.post(
        "/imports",
        data={"source": "core", **form},
        files={"file": (name, data, "text/csv")},
        headers=api.headers("admin"),
    )


def test_upload_of_a_cp932_csv_is_detected_or_taken_by_the_encoding_field(
    api: ApiHarness,
) -> None:
    r = _upload(api, "customers.csv", CP932_CUSTOMERS)
    assert r.status_code == 202, r.text
    job = wait_job(api, r.json()["job_id"])
    assert job["status"] == "done", job
    assert (job["report"]["inserted"], job["report"]["rejected"]) == (2, 0)
    found = api.client.get("/customers", params={"q": "髙橋"}, headers=api.headers("agent")).json()
    assert [c["name"] for c in found] == ["髙橋 一郎"]
    r = _upload(api, "customers.csv", CP932_CUSTOMERS, encoding="cp932")
    assert r.status_code == 202, r.text
    assert wait_job(api, r.json()["job_id"])["report"]["unchanged"] == 2
    utf16 = CP932_CUSTOMERS.decode("cp932").encode("utf-16")  # with BOM
    r = _upload(api, "customers.csv", utf16)
    assert r.status_code == 202, r.text
    assert wait_job(api, r.json()["job_id"])["report"]["unchanged"] == 2


def test_upload_that_no_encoding_fits_is_400_naming_file_line_and_encodings(
    api: ApiHarness,
) -> None:
    bad = b"external_id,name\r\nK-9,ok\r\nK-10,\x85\x40\x85\x40\r\n"
    r = _upload(api, "customers.csv", bad)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["code"] == "import_rejected"
    assert "customers.csv" in error["message"] and "line 3" in error["message"]
    assert "utf-8" in error["message"] and "cp932" in error["message"]
    r = _upload(api, "customers.csv", CP932_CUSTOMERS, encoding="klingon")
    assert r.status_code == 400 and "unknown text encoding" in r.json()["error"]["message"]
    # Named wrongly: the job fails with the line, it does not crash.
    r = _upload(api, "customers.csv", CP932_CUSTOMERS, encoding="utf-8")
    assert r.status_code == 202, r.text
    job = wait_job(api, r.json()["job_id"])
    assert job["status"] == "failed" and "line 2" in job["error"], job
