"""Request limits applied before any route runs: body size, compressed bodies, generation load.

Two plain ASGI middlewares, so a limit holds whatever a route does with its body:

- `BodyLimit`: a body larger than its route's limit is refused with 413 — at once when the
  declared Content-Length says so (nothing is read), else as soon as the bytes received pass
  the limit (chunked uploads), so a 2 GB upload never reaches memory or disk. A request body
  with a Content-Encoding (gzip, a zip bomb in disguise) is refused with 415: nothing here
  inflates what a client sends.
- `GenerationLimits`: the routes that run the language model (chat, briefs, drafts) admit
  `api.generations_per_minute` per key (token bucket, 429) and `api.max_generations` at
  once across all keys (503); both answers carry Retry-After. A request counts until its
  response has been sent, so a chat stream holds its slot while it streams.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

from knowledge.settings import ApiSettings

COOKIE_NAME = "kizuna_session"  # api/auth.py's; not imported: auth imports the app's errors

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_PATHS = frozenset({"/imports"})
MULTIPART_SLACK = 64 * 1024  # form fields and part headers around the uploaded file
# POST routes that run the language model (the API's generation routes).
GENERATION_PATHS = re.compile(
    r"^/(chat|chat/answer|drafts/email|drafts/rewrite|customers/[^/]+/brief(\.md)?)$"
)
MAX_BUCKETS = 10_000  # keys remembered by the rate limiter (oldest forgotten first)


async def send_error(
    send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> None:
    """Answer with the API's JSON error body from inside a middleware."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class BodyLimit:
    """413 for bodies over the route's limit, 415 for compressed request bodies."""

    def __init__(self, app: ASGIApp, settings: ApiSettings) -> None:
        self.app = app
        self.max_body = settings.max_body_bytes
        self.max_upload = settings.max_upload_bytes + MULTIPART_SLACK

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        upload = scope["path"] in UPLOAD_PATHS
        limit = self.max_upload if upload else self.max_body
        what = "api.max_upload_bytes" if upload else "api.max_body_bytes"
        encoding = (_header(scope, b"content-encoding") or "identity").strip().lower()
        if encoding != "identity":
            await send_error(
                send, 415, "unsupported_encoding",
                f"request bodies with Content-Encoding {encoding!r} are not accepted; "
                "send the file uncompressed",
            )  # fmt: skip
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await send_error(
                send, 413, "too_large",
                f"the body ({int(declared)} bytes) is larger than {what} ({limit} bytes)",
            )  # fmt: skip
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the route's body parsing: the app's handler answers 413.
                    raise HTTPException(413, f"the body is larger than {what} ({limit} bytes)")
            return message

        await self.app(scope, counted, send)


class RateLimiter:
    """Token buckets per key: `per_minute` tokens, refilled continuously; thread-safe."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when the key may go ahead (a token is spent), else seconds until it may."""
        now = self.clock()
        with self._lock:
            tokens, since = self._buckets.pop(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - since) * self.rate)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
            return wait


def credential_of(scope: Scope) -> str | None:
    """A stable, non-secret name of the credential the caller is authenticated by.

    Read in api/auth.py's order (a Bearer key, else X-API-Key, else the session cookie's
    value), so that no other header or cookie sent alongside changes the name.
    """
    raw = None
    auth = _header(scope, b"authorization") or ""
    scheme, _, token = auth.strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        raw = token.strip()
    raw = raw or (_header(scope, b"x-api-key") or "").strip()
    if not raw:
        for part in (_header(scope, b"cookie") or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE_NAME and value:
                raw = f"cookie:{value}"
    if not raw:
        return None
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


class GenerationLimits:
    """Per-key rate (429) and global concurrency (503) of the generation routes."""

    def __init__(self, app: ASGIApp, settings: ApiSettings) -> None:
        self.app = app
        self.max_running = settings.max_generations
        self.rate = (
            RateLimiter(settings.generations_per_minute)
            if settings.generations_per_minute > 0
            else None
        )
        self.running = 0  # touched only on the event loop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not GENERATION_PATHS.match(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        who = credential_of(scope)
        if self.rate is not None and who is not None:
            wait = self.rate.take(who)
            if wait > 0:
                await send_error(
                    send, 429, "rate_limited",
                    "this key asked for more generations than api.generations_per_minute "
                    f"({int(self.rate.capacity)}); retry in {math.ceil(wait)} s",
                    {"Retry-After": str(math.ceil(wait))},
                )  # fmt: skip
                return
        if self.max_running > 0 and self.running >= self.max_running:
            await send_error(
                send, 503, "busy",
                f"{self.running} generations are running (api.max_generations); retry shortly",
                {"Retry-After": "2"},
            )  # fmt: skip
            return
        self.running += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.running -= 1
