"""Generation limits: the per-key token bucket (429) and the concurrency cap (503), both with
Retry-After; other routes and other keys are not affected."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from api.limits import GenerationLimits, RateLimiter, credential_of
from knowledge.apikeys import create_key
from knowledge.settings import ApiSettings
from tests.api.conftest import ApiHarness, api_settings, start


def test_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(3, clock=lambda: now[0])
    assert [limiter.take("k") for _ in range(3)] == [0, 0, 0]
    assert limiter.take("k") == pytest.approx(20.0)  # 3 a minute: one every 20 s
    assert limiter.take("other") == 0
    now[0] = 20.0
    assert limiter.take("k") == 0
    assert limiter.take("k") > 0


def test_the_credential_is_named_by_a_hash_never_the_key() -> None:
    scope = {"headers": [(b"authorization", b"Bearer kz_abc_secret")]}
    name = credential_of(scope)
    assert name and "secret" not in name
    assert credential_of({"headers": [(b"x-api-key", b"kz_abc_secret")]}) == name
    assert credential_of({"headers": []}) is None
    # Other headers and cookies sent alongside do not change the name (no way around it).
    also = [(b"authorization", b"Basic junk"), (b"x-api-key", b"kz_abc_secret")]
    assert credential_of({"headers": also}) == name
    cookie = [(b"cookie", b"a=1; kizuna_session=7.99.sig")]
    other_cookie = [(b"cookie", b"kizuna_session=7.99.sig; b=2")]
    assert credential_of({"headers": cookie}) == credential_of({"headers": other_cookie})


@pytest.fixture
def limited(tmp_path: Any) -> Iterator[ApiHarness]:
    settings = api_settings(tmp_path / "data")
    settings.api.generations_per_minute = 2
    yield from start(settings)


def test_past_its_rate_a_key_gets_429_with_retry_after(limited: ApiHarness) -> None:
    body = {"question": "加湿器の異音は？", "customer_id": limited.customers["C-1"]}
    h = limited.headers("agent")
    assert limited.client.post("/chat/answer", json=body, headers=h).status_code == 200
    assert limited.client.post("/chat/answer", json=body, headers=h).status_code == 200
    r = limited.client.post("/chat/answer", json=body, headers=h)
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "rate_limited"
    assert int(r.headers["retry-after"]) >= 1
    # Another key, and a route that does not generate, are not limited.
    other = create_key(limited.services.sessions, name="agent-2", role="agent")[1]
    r = limited.client.post("/chat/answer", json=body, headers={"Authorization": f"Bearer {other}"})
    assert r.status_code == 200
    search = {"query": "加湿器", "scope": {"kind": "customer", "customer_id": body["customer_id"]}}
    assert limited.client.post("/search", json=search, headers=h).status_code == 200


def test_past_the_cap_a_generation_gets_503_and_a_slot_frees_when_it_ends() -> None:
    release = asyncio.Event()

    async def slow_app(scope: Any, receive: Any, send: Any) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limits = GenerationLimits(slow_app, ApiSettings(max_generations=2, generations_per_minute=0))

    async def call(path: str) -> tuple[int, dict[bytes, bytes]]:
        sent: list[Any] = []

        async def send(message: Any) -> None:
            sent.append(message)

        async def receive() -> Any:
            return {"type": "http.request", "body": b""}

        scope = {"type": "http", "method": "POST", "path": path, "headers": []}
        await limits(scope, receive, send)
        return sent[0]["status"], dict(sent[0]["headers"])

    async def scenario() -> None:
        first = [asyncio.create_task(call("/chat")) for _ in range(2)]
        await asyncio.sleep(0.01)
        status, headers = await call("/drafts/email")
        assert status == 503 and headers[b"retry-after"] == b"2"
        release.set()
        assert [(await t)[0] for t in first] == [200, 200]
        assert limits.running == 0
        assert (await call("/customers/1/brief.md"))[0] == 200

    asyncio.run(scenario())
