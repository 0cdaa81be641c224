"""A chat model that masks personal data before the inner model sees it and restores it after.

Every job reaches the model through AssistantDeps.llm, so wrapping that one model covers chat,
brief, drafts, rewrites and the agent (with its tool calls) alike.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from assistant.masking.masker import KnownValues, Masker
from knowledge.settings import LLMSettings

log = logging.getLogger(__name__)

_LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}


def masking_wanted(settings: LLMSettings) -> bool:
    """Whether prompts are masked: `always`, or `auto` with an OpenAI-compatible server that is
    not on this machine (a local model's prompt never leaves it)."""
    if settings.mask_personal_data != "auto":
        return settings.mask_personal_data == "always"
    if settings.mode != "openai":
        return False
    host = (urlsplit(settings.openai_base_url).hostname or "").lower()
    return not (host in _LOOPBACK or host.startswith("127."))


class MaskedChatModel(BaseChatModel):
    """Wraps a chat model (or a tool-bound one): masked messages in, restored text out."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: Any  # a BaseChatModel, or what its bind_tools returned
    known: Callable[[], KnownValues]  # the names and values SQL knows, cached by the caller

    @property
    def _llm_type(self) -> str:
        return "kizuna-masked"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        """The inner model's tool binding, masked the same way."""
        return self.model_copy(update={"inner": self.inner.bind_tools(tools, **kwargs)})

    def _masked(self, messages: list[BaseMessage]) -> tuple[Masker, list[BaseMessage]]:
        masker = Masker(self.known())
        out = [_mask_message(masker, m) for m in messages]
        log.debug("masked personal data for the model: %s", masker.masked_count())
        return masker, out

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        masker, masked = self._masked(messages)
        reply = self.inner.invoke(masked, stop=stop, **kwargs)
        message = AIMessage(
            content=masker.restore(str(reply.content)),
            tool_calls=[_restore_call(masker, c) for c in getattr(reply, "tool_calls", [])],
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        masker, masked = self._masked(messages)
        restorer = masker.restorer()
        calls: AIMessageChunk | None = None
        stream = self.inner.stream(masked, stop=stop, **kwargs)
        try:
            for chunk in stream:
                if getattr(chunk, "tool_call_chunks", None):
                    # A call's arguments arrive in pieces: restored once they are whole.
                    part = AIMessageChunk(content="", tool_call_chunks=chunk.tool_call_chunks)
                    calls = part if calls is None else calls + part
                text = restorer.feed(str(chunk.content)) if chunk.content else ""
                if text:
                    yield _chunk(text, run_manager)
        finally:
            stream.close()  # closing this stream stops the inner generation too
        rest = restorer.flush()
        if rest:
            yield _chunk(rest, run_manager)
        if calls is not None:
            restored = [_restore_call(masker, c) for c in calls.tool_calls]
            yield ChatGenerationChunk(
                message=AIMessageChunk(
                    content="",
                    tool_call_chunks=[
                        {
                            "name": c["name"],
                            "args": _json(c["args"]),
                            "id": c.get("id"),
                            "index": i,
                            "type": "tool_call_chunk",
                        }
                        for i, c in enumerate(restored)
                    ],
                )
            )


def _chunk(text: str, run_manager: CallbackManagerForLLMRun | None) -> ChatGenerationChunk:
    chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
    if run_manager:
        run_manager.on_llm_new_token(text, chunk=chunk)
    return chunk


def _mask_message(masker: Masker, message: BaseMessage) -> BaseMessage:
    update: dict[str, Any] = {"content": _mask_content(masker, message.content)}
    if isinstance(message, AIMessage) and message.tool_calls:
        update["tool_calls"] = [
            {**c, "args": _map_strings(c["args"], masker.mask)} for c in message.tool_calls
        ]
    return message.model_copy(update=update)


def _mask_content(masker: Masker, content: Any) -> Any:
    if isinstance(content, str):
        return masker.mask(content)
    return [
        {**p, "text": masker.mask(p["text"])}
        if isinstance(p, dict) and "text" in p
        else masker.mask(p)
        if isinstance(p, str)
        else p
        for p in content
    ]


def _restore_call(masker: Masker, call: Any) -> Any:
    return {**call, "args": _map_strings(call.get("args", {}), masker.restore)}


def _map_strings(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, dict):
        return {k: _map_strings(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    return value


def _json(args: Any) -> str:
    return json.dumps(args, ensure_ascii=False)
