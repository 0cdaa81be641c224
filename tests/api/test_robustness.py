"""Hostile request bodies: oversized, chunked past the limit, malformed JSON, compressed,
archives, text encodings; each a clear 4xx and the app still answers afterwards.

The 2 GB upload runs against a real `kizuna serve` child process, so its memory can be read
from /proc (tests/api/test_big_upload.py); here the app runs in-process.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Iterator

import pytest

from tests.api.conftest import ApiHarness, api_settings, start
from tests.api.test_ingest import CP932_CUSTOMERS, wait_job

MAX_BODY = 4096
MAX_UPLOAD = 16 * 1024


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiHarness]:
    """An app whose body limits are small enough to pass in a test."""
    settings = api_settings(tmp_path_factory.mktemp("robust") / "data")
    settings.api.max_body_bytes = MAX_BODY
    settings.api.max_upload_bytes = MAX_UPLOAD
    yield from start(settings)


def _still_up(api: ApiHarness) -> None:
    assert api.client.get("/health").status_code == 200
    assert api.client.get("/vocabulary", headers=api.headers("agent")).status_code == 200


def test_a_declared_oversized_body_is_413_before_it_is_read(small: ApiHarness) -> None:
    body = json.dumps({"source": "s", "entity": "customer", "records": [{"x": "y" * MAX_BODY}]})
    r = small.client.post("/ingest", content=body, headers=small.headers("admin"))
    assert r.status_code == 413
    error = r.json()["error"]
    assert error["code"] == "too_large" and "api.max_body_bytes" in error["message"]
    _still_up(small)


def test_a_chunked_body_is_cut_off_at_the_limit(small: ApiHarness) -> None:
    sent = 0

    def pieces() -> Iterator[bytes]:  # no Content-Length: the server has to count
        nonlocal sent
        yield b'{"source": "s", "entity": "customer", "records": ['
        for _ in range(1000):
            sent += 1024
            yield b'{"external_id": "x"},' * 50
        yield b"{}]}"

    r = small.client.post("/ingest", content=pieces(), headers=small.headers("admin"))
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "too_large"
    _still_up(small)


def test_an_oversized_upload_is_413(small: ApiHarness) -> None:
    data = b"external_id,name\r\n" + b"K-1,a\r\n" * (MAX_UPLOAD // 7 + 10)
    r = small.client.post(
        "/imports",
        data={"source": "core"},
        files={"file": ("customers.csv", data, "text/csv")},
        headers=small.headers("admin"),
    )
    assert r.status_code == 413
    assert "api.max_upload_bytes" in r.json()["error"]["message"]
    _still_up(small)


def test_malformed_json_is_422_naming_the_position(small: ApiHarness) -> None:
    body = '{"question": "hello",\n "customer_id": 1,, }'
    r = small.client.post(
        "/chat/answer",
        content=body,
        headers={**small.headers("agent"), "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert "malformed JSON" in message and "line 2, column 19" in message, message
    _still_up(small)


def test_a_body_that_is_not_utf8_is_422_naming_the_byte(small: ApiHarness) -> None:
    # Found by the stateful schemathesis run (seed 3): FastAPI answered an undocumented 400.
    for path in ("/customers/1/brief", "/chat/answer"):
        r = small.client.post(
            path,
            content=b"\x80\xef\x8c\x90\x13.t",
            headers={**small.headers("admin"), "Content-Type": "application/json"},
        )
        assert r.status_code == 422, (path, r.text)
        assert "0x80 at position 0 is not UTF-8" in r.json()["error"]["message"]
    _still_up(small)


def test_text_of_separators_only_is_422_not_a_400_from_below(small: ApiHarness) -> None:
    # Found by schemathesis (seed 6): pydantic kept "\x1f", the key store's strip() did not.
    r = small.client.post(
        "/keys", json={"name": "\x1f", "role": "agent"}, headers=small.headers("admin")
    )
    assert r.status_code == 422, r.text
    assert "name" in r.json()["error"]["message"] and "blank" in r.json()["error"]["message"]
    r = small.client.post(
        "/chat/answer", json={"question": " \x1c\x1d "}, headers=small.headers("agent")
    )
    assert r.status_code == 422, r.text


def test_a_date_past_the_last_one_in_utc_is_422(small: ApiHarness) -> None:
    # Found by schemathesis (seeds 15 and 17): converting to UTC overflowed, a 500.
    body = {
        "external_id": "late",
        "customer_external_id": "C-1",
        "source": "test-crm",
        "kind": "inquiry",
        "occurred_at": "9999-12-31T23:59:59-05:00",
        "body": "x",
    }
    r = small.client.post("/interactions", json=body, headers=small.headers("admin"))
    assert r.status_code == 422, r.text
    assert "out of range once in UTC" in r.json()["error"]["message"]
    _still_up(small)


def test_compressed_request_bodies_are_415(small: ApiHarness) -> None:
    # A gzip bomb as a request body: 10 MB of zeros in about 10 kB; never inflated.
    bomb = gzip.compress(b"0" * 10_000_000)
    r = small.client.post(
        "/ingest",
        content=bomb,
        headers={
            **small.headers("admin"),
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        },
    )
    assert r.status_code == 415
    assert "Content-Encoding 'gzip'" in r.json()["error"]["message"]
    _still_up(small)


def test_archives_are_refused_as_uploads(small: ApiHarness) -> None:
    # A zip bomb (10 MB of one byte in ~10 kB) named as an archive, and one disguised as CSV.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("customers.csv", b"0" * 10_000_000)
    for name in ("customers.zip", "customers.csv.gz", "customers.csv"):
        r = small.client.post(
            "/imports",
            data={"source": "core"},
            files={"file": (name, buf.getvalue(), "application/zip")},
            headers=small.headers("admin"),
        )
        assert r.status_code == 400, (name, r.text)
        message = r.json()["error"]["message"]
        if name == "customers.csv":  # read as text: its bytes are no encoding Kizuna reads
            assert "encoding" in message and "customers.csv" in message, message
        else:
            assert "only .csv" in message, message
    _still_up(small)


def test_utf16_without_bom_is_refused_naming_the_encoding_then_taken_when_named(
    small: ApiHarness,
) -> None:
    data = CP932_CUSTOMERS.decode("cp932").encode("utf-16-le")  # no byte order mark

    def upload(**form: str) -> dict:
        r = small.client.post(
            "/imports",
            data={"source": "bomless", **form},
            files={"file": ("customers.csv", data, "text/csv")},
            headers=small.headers("admin"),
        )
        return {"http": r.status_code, **r.json()}

    refused = upload()
    assert refused["http"] == 400
    assert "UTF-16" in refused["error"]["message"] and "utf-16-le" in refused["error"]["message"]
    taken = upload(encoding="utf-16-le")
    assert taken["http"] == 202
    job = wait_job(small, taken["job_id"])
    assert job["status"] == "done" and job["report"]["inserted"] == 2, job
    _still_up(small)


def test_shift_jis_named_as_such_is_read_as_cp932(small: ApiHarness) -> None:
    r = small.client.post(
        "/imports",
        data={"source": "sjis", "encoding": "Shift_JIS"},
        files={"file": ("customers.csv", CP932_CUSTOMERS, "text/csv")},
        headers=small.headers("admin"),
    )
    assert r.status_code == 202, r.text
    job = wait_job(small, r.json()["job_id"])
    assert job["status"] == "done" and job["report"]["inserted"] == 2, job
    found = small.client.get("/customers", params={"q": "山﨑"}, headers=small.headers("agent"))
    assert any("山﨑" in c["name"] for c in found.json())


def test_limits_are_in_the_openapi_document(small: ApiHarness) -> None:
    paths = small.client.get("/openapi.json").json()["paths"]
    assert {"413", "415"} <= set(paths["/ingest"]["post"]["responses"])
    assert {"429", "503"} <= set(paths["/chat"]["post"]["responses"])
    assert "429" not in paths["/search"]["post"]["responses"]
    links = paths["/chat/answer"]["post"]["responses"]["200"]["links"]
    assert links["Feedback"]["requestBody"]["output_id"] == "$response.body#/output_id"
