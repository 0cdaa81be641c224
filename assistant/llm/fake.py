"""A deterministic fake chat model for unit tests: it echoes the context's records with markers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

_RECORD = re.compile(r"<<<RECORD (\d+)[^>]*>>>\n(.*?)\n<<<END RECORD \1>>>", re.DOTALL)
_FIRST_SENTENCE = re.compile(r"^(.+?[。.!?！？])(?:\s|$)", re.DOTALL)


def echo_records(prompt: str, limit: int = 2) -> str:
    """What the fake 'writes': the first sentence of the first records, each with its [n]."""
    parts = []
    for n, body in _RECORD.findall(prompt)[:limit]:
        text = " ".join(body.split())
        match = _FIRST_SENTENCE.match(text)
        sentence = (match.group(1) if match else text[:120]).rstrip("。.!?！？")
        parts.append(f"{sentence} [{n}].")
    return " ".join(parts) if parts else "NO_RECORDS"


class FakeChatModel(BaseChatModel):
    """Replays scripted replies in order when given; otherwise echoes the records it was shown."""

    replies: list[str | AIMessage] = Field(default_factory=list)
    calls: list[list[BaseMessage]] = Field(default_factory=list)  # what each call received

    @property
    def _llm_type(self) -> str:
        return "kizuna-fake"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        """Tools are accepted and ignored: scripted AIMessages carry the tool calls."""
        return self

    def _reply(self, messages: list[BaseMessage]) -> AIMessage:
        self.calls.append(list(messages))
        if self.replies:
            reply = self.replies.pop(0)
            return reply if isinstance(reply, AIMessage) else AIMessage(content=reply)
        return AIMessage(content=echo_records(str(messages[-1].content)))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._reply(messages))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        reply = self._reply(messages)
        # Word-sized pieces, so streaming code sees many tokens as with a real model.
        for piece in re.findall(r"\S+\s*|\s+", str(reply.content)):
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece))
        if reply.tool_calls:
            # Scripted tool calls arrive as one chunk, the way a streaming API ends a call.
            chunks = [
                tool_call_chunk(name=c["name"], args=json.dumps(c["args"]), id=c.get("id"), index=i)
                for i, c in enumerate(reply.tool_calls)
            ]
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_call_chunks=chunks))
