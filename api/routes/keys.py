"""API keys over HTTP (admin): create (the plain key is shown once), list, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import Admin, ServicesDep
from api.errors import AUTH_RESPONSES, NOT_FOUND
from api.schemas import KeyCreate, KeyCreated, KeyOut, utc
from knowledge.apikeys import create_key, list_keys, revoke_key

router = APIRouter(tags=["keys"])


@router.get("/keys", response_model=list[KeyOut], summary="List API keys", responses=AUTH_RESPONSES)
def keys(_p: Admin, services: ServicesDep) -> list[KeyOut]:
    """Every key without its secret, newest first."""
    return [utc(KeyOut.model_validate(k.model_dump())) for k in list_keys(services.sessions)]


@router.post(
    "/keys",
    response_model=KeyCreated,
    status_code=201,
    summary="Create an API key (the plain key appears only in this response)",
    responses=AUTH_RESPONSES,
)
def new_key(body: KeyCreate, _p: Admin, services: ServicesDep) -> KeyCreated:
    """Create a key with a role, the user it belongs to and its teams."""
    record, plain = create_key(
        services.sessions, name=body.name, role=body.role, user=body.user, teams=body.teams
    )
    return utc(KeyCreated(**record.model_dump(), key=plain))


@router.delete(
    "/keys/{key_id}",
    response_model=KeyOut,
    summary="Revoke an API key (its sessions end too)",
    responses={**AUTH_RESPONSES, **NOT_FOUND},
)
def revoke(
    _p: Admin, services: ServicesDep, key_id: Annotated[int, Path(ge=1, le=2**62)]
) -> KeyOut:
    """Revoke by id; revoking twice is harmless."""
    return utc(KeyOut.model_validate(revoke_key(services.sessions, key_id).model_dump()))
