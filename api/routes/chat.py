"""Chat: a grounded answer streamed as Server-Sent Events (checked sentences, then the result).

Generation runs in one worker thread per stream (bounded by the app's limiter) that pushes
events onto an asyncio queue; the event loop only relays them. When the client goes away the
thread is told to stop and closes the assistant's iterator, which cancels generation.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from collections.abc import AsyncIterator
from typing import Any

import anyio
from fastapi import APIRouter
from sse_starlette import EventSourceResponse

from api.access import Access
from api.deps import ChatAccess
from api.errors import (
    AUTH_RESPONSES,
    BAD_REQUEST,
    CONFLICT,
    NOT_FOUND,
    UNAVAILABLE,
    Conflict,
    NotVisible,
    Responses,
    error_from_exception,
)
from api.schemas import ChatRequest, utc
from assistant.service import Assistant
from assistant.types import AnswerResult
from knowledge.apikeys import conversation_owner

log = logging.getLogger(__name__)
router = APIRouter(tags=["chat"])
_END = object()

SSE_DOC: Responses = {
    200: {
        "description": (
            "`text/event-stream`: `event: start` (conversation_id); then, in any order, "
            '`event: progress` (`{"written"}`: pieces the model has written, no text) and '
            '`event: sentence` (`{"text", "sentence", "citations"}`: one sentence that has '
            "passed the checks, its [n] markers numbered by the citations so far); then one "
            "`event: result` (the AnswerResult, whose sentences are the ones streamed) or "
            '`event: error` (`{"code", "message"}`). Raw model text is never sent.'
        ),
        "content": {
            "text/event-stream": {
                "schema": {
                    "type": "object",
                    "required": ["data"],
                    "properties": {
                        "event": {
                            "type": "string",
                            "enum": ["start", "progress", "sentence", "result", "error"],
                        },
                        "data": {"type": "string", "description": "JSON text"},
                        "id": {"type": "string"},
                        "retry": {"type": "integer"},
                    },
                }
            }
        },
    }
}


def _check_access(access: Access, body: ChatRequest) -> None:
    """404 for a customer the caller cannot see or a conversation another key started; 409
    for a conversation about another customer (its turns must not reach this one's answer)."""
    customer_id = access.customer(body.customer_id) if body.customer_id is not None else None
    if body.conversation_id is None:
        return
    owner = conversation_owner(access.services.sessions, body.conversation_id)
    if owner is None:
        return
    if owner.key_id != access.principal.key_id and not access.principal.is_admin:
        raise NotVisible(f"conversation {body.conversation_id} does not exist")
    if owner.customer_id != customer_id:
        raise Conflict(
            f"conversation {body.conversation_id} is about another customer; "
            "start a new conversation (leave conversation_id out)",
            code="conversation_customer_mismatch",
        )


async def _stream(
    assistant: Assistant, access: Access, body: ChatRequest, conversation_id: str
) -> AsyncIterator[dict[str, str]]:
    services, actor = access.services, access.principal.actor
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    stop = threading.Event()

    def put(item: Any) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is gone (shutdown): stop generating
            stop.set()

    def produce() -> None:
        if stop.is_set():  # the client left while this stream waited for a thread
            put(_END)
            return
        events = assistant.answer_stream(
            body.question,
            customer_id=body.customer_id,
            conversation_id=conversation_id,
            actor=actor,
        )
        try:
            for event in events:
                put(event)
                if stop.is_set():
                    break
        except Exception as e:
            put(e)
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()  # cancels generation when we stopped early
            put(_END)

    yield {"event": "start", "data": json.dumps({"conversation_id": conversation_id})}
    services.spawn(lambda: services.run_cpu(produce))
    try:
        while True:
            item = await queue.get()
            if item is _END:
                break
            if isinstance(item, Exception):
                _status, code, message = error_from_exception(item)
                yield {"event": "error", "data": json.dumps({"code": code, "message": message})}
                continue
            if item.type == "progress":
                yield {"event": "progress", "data": json.dumps({"written": item.written})}
            elif item.type == "sentence" and item.sentence is not None:
                sentence = {
                    "text": item.text,
                    "sentence": item.sentence.model_dump(mode="json"),
                    "citations": [utc(c).model_dump(mode="json") for c in item.citations],
                }
                yield {"event": "sentence", "data": json.dumps(sentence, ensure_ascii=False)}
            elif item.type == "result" and item.result is not None:
                yield {"event": "result", "data": utc(item.result).model_dump_json()}
            else:
                yield {
                    "event": "error",
                    "data": json.dumps({"code": "generation_error", "message": item.text}),
                }
    finally:
        stop.set()


@router.post(
    "/chat",
    summary="Ask a question; the answer streams as Server-Sent Events",
    responses={
        **SSE_DOC,
        **AUTH_RESPONSES,
        **NOT_FOUND,
        **CONFLICT,
        **UNAVAILABLE,
        **BAD_REQUEST,
    },
)
async def chat(body: ChatRequest, access: ChatAccess) -> EventSourceResponse:
    """Stream an answer grounded in the customer's records and the knowledge base."""
    assistant = access.assistant()
    await anyio.to_thread.run_sync(_check_access, access, body)
    conversation_id = body.conversation_id or uuid.uuid4().hex
    return EventSourceResponse(_stream(assistant, access, body, conversation_id), ping=15)


@router.post(
    "/chat/answer",
    response_model=AnswerResult,
    summary="Ask a question; the whole answer in one JSON response",
    responses={**AUTH_RESPONSES, **NOT_FOUND, **CONFLICT, **UNAVAILABLE, **BAD_REQUEST},
)
async def answer(body: ChatRequest, access: ChatAccess) -> AnswerResult:
    """The same answer as /chat, not streamed (for scripts)."""
    assistant = access.assistant()
    await anyio.to_thread.run_sync(_check_access, access, body)
    conversation_id = body.conversation_id or uuid.uuid4().hex
    result = await access.services.run_cpu(
        lambda: assistant.answer(
            body.question,
            customer_id=body.customer_id,
            conversation_id=conversation_id,
            actor=access.principal.actor,
        )
    )
    return utc(result)
