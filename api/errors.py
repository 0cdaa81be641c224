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
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

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


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors()[:10]:
        where = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return error_response(422, "validation_error", "; ".join(parts) or "invalid request")


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return error_response(exc.status_code, "http_error", str(exc.detail))


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
