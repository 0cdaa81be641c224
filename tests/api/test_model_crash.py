"""A crash of the model process never takes the API down: the request in flight gets the
extractive, cited answer marked degraded, /ready tells the truth, and the next request works.

The model process here is tests/assistant/fake_runtime.py (the runtime's protocol, no model);
tests/assistant/test_local_llm_integration.py kills the real one the same way.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services
from assistant.llm.local import LocalChatModel
from knowledge.apikeys import create_key
from tests.api.conftest import api_settings, seed

FAKE = str(Path(__file__).parents[1] / "assistant" / "fake_runtime.py")
QUESTION = "How do I reset the tea maker?"


@pytest.fixture
def crashable(tmp_path: Path) -> Iterator[tuple[TestClient, Services, dict[str, str]]]:
    command = [sys.executable, FAKE, "--delay", "0.05", "--tag", str(tmp_path)]
    llm = LocalChatModel(model_path="fake.gguf", command=command)
    app = create_app(api_settings(tmp_path / "data"), llm=llm)
    with TestClient(app) as client:
        services: Services = app.state.services
        seed(services)
        key = create_key(services.sessions, name="agent-1", role="agent")[1]
        yield client, services, {"Authorization": f"Bearer {key}"}


def _ready(client: TestClient, timeout: float = 20.0) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        r = client.get("/ready")
        if r.status_code == 200 or time.monotonic() > deadline:
            return dict(r.json())
        time.sleep(0.1)


def test_killing_the_model_mid_answer_degrades_that_answer_only(
    crashable: tuple[TestClient, Services, dict[str, str]],
) -> None:
    client, services, headers = crashable
    body = _ready(client)
    assert body["ready"] is True and body["llm"] == "ready", body
    pid = services.llm.status().pid
    assert pid

    killed = False
    result = None
    with client.stream("POST", "/chat", json={"question": QUESTION}, headers=headers) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            if line.startswith("event: progress") and not killed:
                os.kill(pid, signal.SIGKILL)
                killed = True
            if line.startswith("data:") and '"output_id"' in line:
                result = json.loads(line[5:])
    assert killed and result is not None
    assert "SIGKILL" in (result["degraded"] or ""), result
    assert result["answered"] and result["citations"], result  # the records, cited
    assert all(not s["generated"] for s in result["sentences"])

    # /ready reports the crash and the restart truthfully, then the model is back.
    body = _ready(client)
    assert body["llm"] == "ready" and "SIGKILL" in body["errors"]["llm"], body
    assert services.llm.status().pid != pid and services.llm.status().restarts == 1

    again = client.post("/chat/answer", json={"question": QUESTION}, headers=headers)
    assert again.status_code == 200
    assert again.json()["degraded"] is None, again.json()
    assert client.get("/health").status_code == 200
