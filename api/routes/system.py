"""Health, readiness, and the panel's sign-in (API key → session cookie)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from api.auth import clear_session_cookie, set_session_cookie
from api.deps import AnyRole, ServicesDep, may
from api.errors import AUTH_RESPONSES, ErrorResponse, Unauthorized
from api.schemas import DraftRequest, Health, Me, Readiness, SessionCreate, Vocabulary
from assistant.vocabulary import LENGTHS, PURPOSES, TONES
from knowledge.apikeys import ROLES, verify_key
from knowledge.vocabulary import INTERACTION_KINDS, LANGUAGES, PHASES, SEGMENTS

router = APIRouter(tags=["system"])


@router.get("/health", response_model=Health, summary="Liveness: the process answers")
async def health() -> Health:
    """Liveness probe; touches nothing, so it stays fast under load."""
    return Health()


@router.get(
    "/ready",
    response_model=Readiness,
    summary="Readiness: database, retrieval, assistant and model loaded",
    responses={503: {"model": Readiness, "description": "Not ready; `errors` says why"}},
)
def ready(services: ServicesDep) -> JSONResponse:
    """Readiness probe: 200 when every part is loaded, 503 with the reasons otherwise."""
    db_ok = services.database_ok()
    llm, last_exit = services.llm_state()
    errors = {**services.errors, **({"llm": last_exit} if last_exit else {})}
    loaded = services.retrieval is not None and services.assistant is not None
    body = Readiness(
        ready=db_ok and loaded and llm in ("ready", "remote"),
        database=db_ok,
        retrieval=services.retrieval is not None,
        assistant=services.assistant is not None,
        llm=llm,
        model=services.model_name,
        errors=errors,
        index_refresh="busy" if services.refresh_busy() else "idle",
    )
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)


@router.post(
    "/session",
    response_model=Me,
    summary="Sign in with an API key; sets the HttpOnly session cookie",
    responses={
        401: {"model": ErrorResponse, "description": "Unknown, wrong or revoked key"},
        422: AUTH_RESPONSES[422],
    },
)
def sign_in(body: SessionCreate, response: Response, services: ServicesDep) -> Me:
    """Exchange an API key for a signed session cookie (the panel's sign-in)."""
    record = verify_key(services.sessions, body.api_key.strip())
    if record is None:
        raise Unauthorized("the API key is unknown, wrong or revoked")
    set_session_cookie(response, services.settings.api, record.id)
    return Me(name=record.name, role=record.role)


@router.get("/session", response_model=Me, summary="Who am I", responses=AUTH_RESPONSES)
def whoami(principal: AnyRole) -> Me:
    """The caller's key name and role."""
    return Me(name=principal.name, role=principal.role)


@router.delete("/session", status_code=204, summary="Sign out (clears the cookie)")
def sign_out(response: Response) -> Response:
    """Clear the session cookie; always succeeds."""
    response.status_code = 204
    clear_session_cookie(response)
    return response


@router.get(
    "/vocabulary",
    response_model=Vocabulary,
    summary="The value lists (purposes, tones, kinds...) and what the caller may do",
    responses=AUTH_RESPONSES,
)
def vocabulary(principal: AnyRole) -> Vocabulary:
    """Every list a client offers as choices, from their one definition; the panel reads it."""
    return Vocabulary.model_validate(
        {
            "role": principal.role,
            "actions": may(principal.role),
            "roles": ROLES,
            "languages": LANGUAGES,
            "purposes": PURPOSES,
            "tones": TONES,
            "lengths": tuple(LENGTHS),
            "interaction_kinds": INTERACTION_KINDS,
            "phases": PHASES,
            "segments": SEGMENTS,
            "draft_defaults": {
                name: DraftRequest.model_fields[name].default for name in ("tone", "length")
            },
        }
    )
