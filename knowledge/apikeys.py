"""API keys: created once (the plain key is shown a single time), stored only as a hash.

A key reads ``kz_<prefix>_<secret>``: the prefix is stored in clear so a key can be found
(and named in lists and logs) without the secret; the whole key is stored as SHA-256. The
secret is 32 random bytes, so a fast hash is enough (no dictionary to attack).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, get_args

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import transaction
from knowledge.errors import KnowledgeError
from knowledge.models import ApiKey, AuditEntry, ConversationTurn
from knowledge.records import Record

Role = Literal["agent", "sales", "marketing", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
KEY_PREFIX = "kz_"


class ApiKeyError(KnowledgeError):
    code = "api_key_error"


class ApiKeyNotFound(ApiKeyError):
    code = "api_key_not_found"


class ApiKeyRecord(Record):
    """A stored key without its secret."""

    id: int
    name: str
    prefix: str
    role: Role
    user: str | None = None  # the person behind the key: customers.owner names them
    teams: list[str] = Field(default_factory=list)
    created_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def hash_key(key: str) -> str:
    """SHA-256 hex digest of a full plain key."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def split_key(key: str) -> str | None:
    """The lookup prefix of a plain key, or None when the key is not in our format."""
    if not key.startswith(KEY_PREFIX):
        return None
    parts = key[len(KEY_PREFIX) :].split("_", 1)
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return None
    return parts[0]


def create_key(
    sessions: sessionmaker[Session],
    *,
    name: str,
    role: str,
    user: str | None = None,
    teams: Sequence[str] = (),
) -> tuple[ApiKeyRecord, str]:
    """Create a key; returns its record and the plain key (shown once, never stored).

    `user` is the identity customers.owner names (default: the key's name); `teams` the
    teams whose customers a team-reach role sees (knowledge.visibility).
    """
    if role not in ROLES:
        raise ApiKeyError(f"role {role!r} is not one of {', '.join(ROLES)}")
    name = name.strip()
    if not name or len(name) > 100:
        raise ApiKeyError("name must be 1 to 100 characters")
    user = (user or name).strip()
    if not user or len(user) > 100:
        raise ApiKeyError("user must be 1 to 100 characters")
    team_list = list(dict.fromkeys(t.strip() for t in teams if t.strip()))
    if any(len(t) > 100 for t in team_list):
        raise ApiKeyError("a team name must be at most 100 characters")
    prefix = secrets.token_hex(6)
    plain = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction(sessions) as session:
        row = ApiKey(
            name=name,
            prefix=prefix,
            key_hash=hash_key(plain),
            role=role,
            user=user,
            teams=team_list,
        )
        session.add(row)
        session.flush()
        session.refresh(row)
        return ApiKeyRecord.model_validate(row), plain


def verify_key(sessions: sessionmaker[Session], key: str) -> ApiKeyRecord | None:
    """The active key record matching a plain key, or None (unknown, wrong or revoked)."""
    prefix = split_key(key)
    if prefix is None:
        return None
    with sessions() as session:
        row = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
        if row is None or row.revoked_at is not None:
            return None
        if not hmac.compare_digest(row.key_hash, hash_key(key)):
            return None
        return ApiKeyRecord.model_validate(row)


def get_key(sessions: sessionmaker[Session], key_id: int) -> ApiKeyRecord | None:
    """An active key by id (the session cookie refers to keys by id), or None."""
    with sessions() as session:
        row = session.get(ApiKey, key_id)
        if row is None or row.revoked_at is not None:
            return None
        return ApiKeyRecord.model_validate(row)


def list_keys(sessions: sessionmaker[Session]) -> list[ApiKeyRecord]:
    """Every key, newest first, revoked ones included."""
    with sessions() as session:
        rows = session.scalars(select(ApiKey).order_by(ApiKey.id.desc())).all()
        return [ApiKeyRecord.model_validate(r) for r in rows]


def revoke_key(sessions: sessionmaker[Session], prefix_or_id: str | int) -> ApiKeyRecord:
    """Revoke a key given its id or its visible prefix; revoking twice is harmless."""
    with transaction(sessions) as session:
        text = str(prefix_or_id)
        stmt = select(ApiKey).where(ApiKey.prefix == text)
        if text.isdigit():
            stmt = select(ApiKey).where((ApiKey.id == int(text)) | (ApiKey.prefix == text))
        row = session.scalar(stmt)
        if row is None:
            raise ApiKeyNotFound(f"no API key with id or prefix {text!r}")
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
        session.flush()
        return ApiKeyRecord.model_validate(row)


# -- what a key may see --------------------------------------------------------------------
# Generated outputs and conversations belong to the key (by id: names are not unique) that
# produced them; other non-admin keys get "not found" for them (the API answers 404, never
# telling the two cases apart).

NO_OWNER = -1  # rows written before keys were recorded by id: nobody but admin owns them


def output_owner(sessions: sessionmaker[Session], output_id: str) -> int | None:
    """The key id that produced a generated output (NO_OWNER when unrecorded), or None when
    there is no such output."""
    with sessions() as session:
        row = session.execute(
            select(AuditEntry.key_id).where(AuditEntry.output_id == output_id)
        ).first()
        if row is None:
            return None
        return row.key_id if row.key_id is not None else NO_OWNER


@dataclass(frozen=True)
class ConversationOwner:
    key_id: int  # NO_OWNER when the first turn did not record its key
    customer_id: int | None  # the customer the conversation is about (None: none)


def conversation_owner(
    sessions: sessionmaker[Session], conversation_id: str
) -> ConversationOwner | None:
    """Who started a conversation and about which customer, or None when it has no turns."""
    with sessions() as session:
        row = session.execute(
            select(ConversationTurn.key_id, ConversationTurn.customer_id)
            .where(ConversationTurn.conversation_id == conversation_id)
            .order_by(ConversationTurn.id)
            .limit(1)
        ).first()
        if row is None:
            return None
        key_id = row.key_id if row.key_id is not None else NO_OWNER
        return ConversationOwner(key_id, row.customer_id)
