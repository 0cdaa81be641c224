"""Closing the SSE connection stops generation (a real uvicorn on loopback; ~3 s)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk

from api.app import create_app
from assistant.llm.fake import FakeChatModel
from knowledge.apikeys import create_key
from tests.api.conftest import api_settings, seed
from tests.api.live import serving

PIECES = 1000  # 20 s of writing if nobody stops it
WRITTEN: list[int] = []  # what the slow model was allowed to write, across threads


class SlowModel(FakeChatModel):
    """Writes PIECES words slowly and counts how many it was allowed to write."""

    def _stream(
        self, messages: list[BaseMessage], *args: Any, **kwargs: Any
    ) -> Iterator[ChatGenerationChunk]:
        for n in range(PIECES):
            time.sleep(0.02)
            WRITTEN.append(n)
            yield ChatGenerationChunk(message=AIMessageChunk(content=f"w{n} "))


def test_closing_the_stream_cancels_generation(tmp_path: Path) -> None:
    settings = api_settings(tmp_path / "data")
    app = create_app(settings, llm=SlowModel())
    with serving(app) as url:
        services = app.state.services
        customers = seed(services)
        key = create_key(services.sessions, name="agent-x", role="agent")[1]
        body = {"question": "加湿器の異音はありましたか？", "customer_id": customers["C-1"]}
        tokens = 0
        with httpx.stream(
            "POST", url + "/chat", json=body, timeout=30, headers={"Authorization": f"Bearer {key}"}
        ) as r:
            assert r.status_code == 200
            for line in r.iter_lines():
                if line.startswith("event: progress"):
                    tokens += 1
                    if tokens == 3:
                        break  # the client goes away mid-answer
        # Generation must stop soon after the client left (allow a slow, loaded machine).
        deadline = time.monotonic() + 10
        before = -1
        while len(WRITTEN) != before and time.monotonic() < deadline:
            before = len(WRITTEN)
            time.sleep(0.5)
        assert len(WRITTEN) == before, "generation went on after the client left"
        assert 3 <= before < PIECES // 2
        assert threading.active_count() < 50
