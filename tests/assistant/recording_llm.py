"""An OpenAI-compatible chat server on loopback that records every request it receives.

It answers like the fake model (assistant.llm.fake.echo_records: the first sentence of the first
records of the prompt, with their [n]), so a masked prompt gets an answer full of placeholders;
streamed answers come in 3-character pieces, so placeholders are cut between chunks.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from assistant.llm.fake import echo_records


@dataclass
class Recorder:
    """The requests the server received, as raw bodies (what left the machine)."""

    bodies: list[str] = field(default_factory=list)
    base_url: str = ""

    def seen(self) -> str:
        """Everything that was sent, JSON-decoded so that \\u escapes do not hide a value."""
        return "\n".join(json.dumps(json.loads(b), ensure_ascii=False) for b in self.bodies)


def _reply(request: dict[str, Any]) -> str:
    user = [m for m in request.get("messages", []) if m.get("role") == "user"]
    content = user[-1]["content"] if user else ""
    return echo_records(content if isinstance(content, str) else json.dumps(content))


def _handler(recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # the test's output stays clean

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            recorder.bodies.append(raw)
            request = json.loads(raw)
            text = _reply(request)
            if request.get("stream"):
                self._stream(text)
            else:
                self._json(text)

        def _json(self, text: str) -> None:
            body = json.dumps(
                {
                    "id": "rec-1",
                    "object": "chat.completion",
                    "created": 0,
                    "model": "recorder",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "finish_reason": "stop",
                        }
                    ],
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _stream(self, text: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            pieces = [text[i : i + 3] for i in range(0, len(text), 3)]
            for n, piece in enumerate([*pieces, None]):
                delta = {"content": piece} if piece is not None else {}
                chunk = {
                    "id": "rec-1",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": "recorder",
                    "choices": [
                        {
                            "index": 0,
                            "delta": ({"role": "assistant"} if n == 0 else {}) | delta,
                            "finish_reason": None if piece is not None else "stop",
                        }
                    ],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    return Handler


@contextmanager
def recording_server() -> Iterator[Recorder]:
    """The server on 127.0.0.1 (a free port) until the block ends."""
    recorder = Recorder()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder))
    recorder.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
