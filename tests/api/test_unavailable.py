"""When a part fails to load, the app still starts: /ready says why, routes needing it say 503."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from knowledge.apikeys import create_key
from tests.api.conftest import api_settings


@pytest.mark.slow
def test_broken_embedder_gives_503_with_the_reason(tmp_path: Path) -> None:
    settings = api_settings(tmp_path / "data")
    settings.retrieval.embedder = "no-such-embedder"
    app = create_app(settings)
    with TestClient(app) as client:
        ready = client.get("/ready")
        assert ready.status_code == 503
        body = ready.json()
        assert body["database"] is True and body["retrieval"] is False
        assert "no-such-embedder" in body["errors"]["retrieval"]
        assert client.get("/health").status_code == 200
        key = create_key(app.state.services.sessions, name="a", role="admin")[1]
        h = {"Authorization": f"Bearer {key}"}
        chat = client.post("/chat/answer", json={"question": "hello"}, headers=h)
        assert chat.status_code == 503 and chat.json()["error"]["code"] == "unavailable"
        search = client.post(
            "/search", json={"query": "x", "scope": {"kind": "knowledge_base"}}, headers=h
        )
        assert search.status_code == 503
        # What needs no model keeps working.
        assert client.get("/customers", params={"q": "x"}, headers=h).status_code == 200
