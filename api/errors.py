"""The one place that maps layer errors to HTTP statuses.

Domain code raises its own errors (knowledge/errors.py, retrieval/errors.py,
assistant/errors.py) with stable codes; here they become ``{"error": {"code", "message"}}``
responses. Nothing below api/ knows about HTTP.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.limits import GENERATION_PATHS
from assistant import errors as aerr
from knowledge import errors as kerr
from retrieval import errors as rerr

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error raised by the API layer itself (auth, visibility, bad request shape)."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotVisible(ApiError):
    """The object does not exist or this key may not see it (the two are not told apart)."""

    status = 404
    code = "not_found"


class Conflict(ApiError):
    """The request contradicts what is stored (a conversation about another customer)."""

    status = 409
    code = "conflict"


class TooLarge(ApiError):
    status = 413
    code = "too_large"


class Unavailable(ApiError):
    status = 503
    code = "unavailable"


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


def _status_for(exc: Exception) -> int:
    """HTTP status of a layer error, by class."""
    if isinstance(exc, ApiError):
        return exc.status
    if isinstance(exc, kerr.CustomerNotFound | kerr.RecordNotFound | kerr.AudienceNotFound):
        return 404
    if isinstance(exc, kerr.AudienceExists):
        return 409
    if isinstance(exc, kerr.InvalidCondition):
        return 422
    if isinstance(exc, kerr.ConsentError | kerr.MergeError):
        return 409
    if type(exc).__name__ == "ApiKeyNotFound":
        return 404
    if isinstance(exc, kerr.KnowledgeError):
        return 400  # ImportRejected, RowRejected, bad key role ...
    if isinstance(exc, aerr.LLMUnavailable):
        return 503
    if isinstance(exc, aerr.InvalidRequest):
        return 400
    if isinstance(exc, rerr.EmbedderUnavailable | rerr.IndexUnavailable | rerr.EmbedderMismatch):
        return 503
    if isinstance(exc, rerr.ScopeRequired):
        return 400
    return 500


def error_response(status: int, code: str, message: str) -> JSONResponse:
    """The JSON error body every error status uses."""
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    body = {"error": {"code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


def error_from_exception(exc: Exception) -> tuple[int, str, str]:
    """(status, code, message) for any exception; 500s never leak internals."""
    status = _status_for(exc)
    code = getattr(exc, "code", "internal_error")
    if status >= 500 and status != 503:
        return status, "internal_error", "internal error; see the server log"
    return status, str(code), str(exc)


async def _layer_error(_request: Request, exc: Exception) -> JSONResponse:
    status, code, message = error_from_exception(exc)
    if status >= 500:
        # The exception text may carry customer data: the code and type only at ERROR.
        log.error("request failed: %s (%s)", code, type(exc).__name__, exc_info=status != 503)
    return error_response(status, code, message)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors()[:10]:
        if err.get("type") == "json_invalid":
            try:  # the body was read (and kept) before it failed to parse
                body: bytes | None = await request.body()
            except RuntimeError:
                body = None
            parts.append(_json_position(err, body))
            continue
        where = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return error_response(422, "validation_error", "; ".join(parts) or "invalid request")


def _json_position(err: dict[str, Any], body: bytes | None) -> str:
    """'body: malformed JSON at character N (line L, column C): why' for a JSON decode error."""
    loc = err.get("loc", ())
    pos = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    why = (err.get("ctx") or {}).get("error", "invalid JSON")
    if pos is None:
        return f"body: malformed JSON: {why}"
    where = f"character {pos}"
    if body:
        text = body.decode("utf-8", "replace")
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        where += f" (line {line}, column {column})"
    return f"body: malformed JSON at {where}: {why}"


PARSE_FAILED = "There was an error parsing the body"  # FastAPI's 400 for an undecodable body


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == PARSE_FAILED:
        # Bytes that are not UTF-8 where JSON was expected, a broken form: a malformed
        # request like any other, so 422 (the status every route documents), saying where.
        cause = exc.__cause__
        if isinstance(cause, UnicodeDecodeError):
            why = f"byte 0x{cause.object[cause.start]:02x} at position {cause.start} is not UTF-8"
        else:
            why = type(cause).__name__ if cause else "unreadable"
        return error_response(422, "validation_error", f"body: cannot be parsed ({why})")
    code = "too_large" if exc.status_code == 413 else "http_error"
    return error_response(exc.status_code, code, str(exc.detail))


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping on the app."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for base in (ApiError, kerr.KnowledgeError, rerr.RetrievalError, aerr.AssistantError):
        app.add_exception_handler(base, _layer_error)


Responses = dict[int | str, dict[str, Any]]

# Responses every authenticated route documents (OpenAPI) besides its own success.
AUTH_RESPONSES: Responses = {
    401: {"model": ErrorResponse, "description": "Missing or wrong API key"},
    403: {"model": ErrorResponse, "description": "The key's role may not use this route"},
    422: {"model": ErrorResponse, "description": "The request is malformed"},
}
NOT_FOUND: Responses = {
    404: {"model": ErrorResponse, "description": "Not found, or not visible to this key"}
}
BAD_REQUEST: Responses = {
    400: {"model": ErrorResponse, "description": "The request cannot be served as asked"}
}
CONFLICT: Responses = {
    409: {"model": ErrorResponse, "description": "The conversation is about another customer"}
}
UNAVAILABLE: Responses = {
    503: {"model": ErrorResponse, "description": "The language model or index is unavailable"}
}

LIMIT_RESPONSES: Responses = {
    413: {"model": ErrorResponse, "description": "The body is larger than the configured limit"},
    415: {"model": ErrorResponse, "description": "Compressed request bodies are not accepted"},
}
RATE_RESPONSES: Responses = {
    429: {
        "model": ErrorResponse,
        "description": "This key's generations per minute are used up (see Retry-After)",
    },
    503: {
        "model": ErrorResponse,
        "description": "Model or index unavailable, or too many generations running "
        "(see Retry-After)",
    },
}


# OpenAPI links: which field of one answer feeds which later request (clients and the
# stateful property tests follow them). (operation, status) -> [(name, target, wiring)].
_OUTPUT_ID = "$response.body#/output_id"
LINKS: dict[tuple[str, str, str], list[tuple[str, str, str, dict[str, Any]]]] = {
    ("post", "/chat/answer", "200"): [
        ("Feedback", "post", "/feedback", {"requestBody": {"output_id": _OUTPUT_ID, "rating": 1}}),
    ],
    ("post", "/drafts/email", "200"): [
        ("Feedback", "post", "/feedback", {"requestBody": {"output_id": _OUTPUT_ID, "rating": -1}}),
        (
            "Rewrite",
            "post",
            "/drafts/rewrite",
            {
                "requestBody": {
                    "text": "$response.body#/body",
                    "instruction": "shorter",
                    "source_output_id": _OUTPUT_ID,
                }
            },
        ),
    ],
    ("post", "/imports", "202"): [
        (
            "Status",
            "get",
            "/imports/{job_id}",
            {"parameters": {"path.job_id": "$response.body#/job_id"}},
        ),
    ],
}


def _add_links(schema: dict[str, Any]) -> None:
    paths = schema.get("paths", {})
    for (method, path, status), links in LINKS.items():
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is None:
            continue
        for name, to_method, to_path, wiring in links:
            target = paths.get(to_path, {}).get(to_method, {}).get("operationId")
            if target:
                response.setdefault("links", {})[name] = {"operationId": target, **wiring}


def document_limits(app: FastAPI) -> None:
    """Add api/limits.py's answers to the OpenAPI of the operations they apply to, and the
    links between operations (LINKS).

    The middlewares answer before any route runs, so the routes cannot declare them.
    """

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            ref = {"$ref": "#/components/schemas/ErrorResponse"}
            for path, operations in schema.get("paths", {}).items():
                for method, operation in operations.items():
                    added: Responses = {}
                    if "requestBody" in operation:
                        added.update(LIMIT_RESPONSES)
                    if method == "post" and GENERATION_PATHS.match(path):
                        added.update(RATE_RESPONSES)
                    responses = operation.setdefault("responses", {})
                    for status, doc in added.items():
                        responses.setdefault(
                            str(status),
                            {
                                "description": doc["description"],
                                "content": {"application/json": {"schema": ref}},
                            },
                        )
            _add_links(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
