"""Who is calling: an API key (header) or the panel's signed session cookie, and its role.

Keys are checked against their stored hash (knowledge.apikeys). The panel exchanges a key
for a cookie holding only the key id, an expiry and an HMAC signature, so the secret never
sits in the browser and revoking the key ends the session too.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.errors import Forbidden, Unauthorized
from knowledge.apikeys import ApiKeyRecord, get_key, verify_key
from knowledge.settings import ApiSettings, VisibilitySettings
from knowledge.visibility import EVERYTHING, Visibility

COOKIE_NAME = "kizuna_session"

_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer kz_...`")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="the API key")
_cookie = APIKeyCookie(name=COOKIE_NAME, auto_error=False, description="panel session")


@dataclass(frozen=True)
class Principal:
    """The caller: the key's id, its name (the audit actor), its role, and what it may see."""

    key_id: int
    name: str
    role: str
    visibility: Visibility = EVERYTHING

    @property
    def actor(self) -> str:
        return self.name

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _sign(secret: str, payload: str) -> str:
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()


def make_session_cookie(settings: ApiSettings, key_id: int, now: float | None = None) -> str:
    """A signed cookie value naming the key id, valid for session_max_age_s."""
    expires = int((now or time.time()) + settings.session_max_age_s)
    payload = f"{key_id}.{expires}"
    return f"{payload}.{_sign(settings.session_secret, payload)}"


def read_session_cookie(settings: ApiSettings, value: str, now: float | None = None) -> int | None:
    """The key id in a valid, unexpired cookie value, or None."""
    parts = value.split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    payload = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(parts[2], _sign(settings.session_secret, payload)):
        return None
    if int(parts[1]) < (now or time.time()):
        return None
    return int(parts[0])


def set_session_cookie(response: Response, settings: ApiSettings, key_id: int) -> None:
    """Attach the panel's session cookie (HttpOnly, SameSite=Strict)."""
    response.set_cookie(
        COOKIE_NAME,
        make_session_cookie(settings, key_id),
        max_age=settings.session_max_age_s,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict")


def _principal(record: ApiKeyRecord, settings: VisibilitySettings) -> Principal:
    visibility = Visibility.of(record.role, record.user, record.teams, settings)
    return Principal(key_id=record.id, name=record.name, role=record.role, visibility=visibility)


def current_principal(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    header_key: Annotated[str | None, Depends(_header)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> Principal:
    """The authenticated caller; 401 when no valid key or session is presented."""
    # A plain `def`: FastAPI runs it in its thread pool, so the key lookup never blocks the loop.
    services = request.app.state.services
    key = (bearer.credentials if bearer else None) or header_key
    if key:
        record = verify_key(services.sessions, key.strip())
        if record is None:
            raise Unauthorized("the API key is unknown, wrong or revoked")
        return _principal(record, services.settings.visibility)
    if cookie:
        key_id = read_session_cookie(services.settings.api, cookie)
        record = get_key(services.sessions, key_id) if key_id is not None else None
        if record is None:
            raise Unauthorized("the session expired or its key was revoked; sign in again")
        return _principal(record, services.settings.visibility)
    raise Unauthorized("an API key is required (Authorization: Bearer <key> or X-API-Key)")


def require(*roles: str):  # type: ignore[no-untyped-def]
    """A dependency admitting the given roles (admin is always admitted); 403 otherwise."""
    allowed = frozenset(roles) | {"admin"}

    async def _check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(
                f"role {principal.role!r} may not use this route (allowed: "
                f"{', '.join(sorted(allowed))})"
            )
        return principal

    return _check
