"""The packaged GGUF chat model, run in a supervised child process, as a LangChain BaseChatModel."""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict

from assistant.llm.messages import parse_tool_calls, to_chat_dicts
from assistant.llm.supervisor import RuntimeStatus, Supervisor, runtime_command

log = logging.getLogger(__name__)

# One model process per file, context size and thread count, shared by every chat model
# instance (bind_tools copies, the CLI's and the API's): loading costs seconds and ~1.2 GB.
_RUNTIMES: dict[tuple[str, ...], Supervisor] = {}
_RUNTIMES_LOCK = threading.Lock()


def runtime_for(command: list[str]) -> Supervisor:
    """The supervised model process of this command line (created, not yet started)."""
    key = tuple(command)
    with _RUNTIMES_LOCK:
        if key not in _RUNTIMES:
            supervisor = Supervisor(command)
            atexit.register(supervisor.close)
            _RUNTIMES[key] = supervisor
        return _RUNTIMES[key]


class LocalChatModel(BaseChatModel):
    """A llama.cpp chat model in its own process: streamed, one at a time, stoppable, with a
    time limit; a crash of that process fails the call (LLMUnavailable), never the caller."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    model_label: str = "local"
    n_ctx: int = 4096
    n_threads: int = 2
    temperature: float = 0.0
    max_tokens: int = 256
    timeout_s: float = 120.0
    tools: list[dict[str, Any]] | None = None
    # The model process's command line; None: this interpreter running assistant.llm.runtime.
    command: list[str] | None = None

    @property
    def _llm_type(self) -> str:
        return "kizuna-llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.model_label, "temperature": self.temperature}

    @property
    def runtime(self) -> Supervisor:
        """The model process this chat model talks to."""
        return runtime_for(
            self.command or runtime_command(self.model_path, self.n_ctx, self.n_threads)
        )

    def start(self, on_ready: Callable[[], Any] | None = None) -> None:
        """Start loading the model now; on_ready runs after this and every later (re)start."""
        if on_ready is not None:
            self.runtime.on_ready(on_ready)
        self.runtime.start()

    def close(self) -> None:
        """Stop the model process (the next call starts it again)."""
        self.runtime.close()

    def status(self) -> RuntimeStatus:
        """The model process's state (starting, ready, restarting, stopped)."""
        return self.runtime.status()

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        """Tools go into the model's own chat template; <tool_call> blocks are parsed back.

        tool_choice="none" leaves the tools out of the prompt: the template then asks for no call
        (the history may still hold earlier calls and their results).
        """
        if kwargs.get("tool_choice") == "none":
            return self.model_copy(update={"tools": None})
        specs = [convert_to_openai_tool(t) for t in tools]
        return self.model_copy(update={"tools": specs})

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        request = {
            "messages": to_chat_dicts(messages),
            "max_tokens": int(kwargs.get("max_tokens", self.max_tokens)),
            "temperature": self.temperature,
            "stop": stop,
            "tools": self.tools,
        }
        # A caller may bound one call more tightly (the agent passes the time its run has left).
        timeout_s = min(self.timeout_s, float(kwargs.get("timeout") or self.timeout_s))
        # Closing this generator (client gone) closes the runtime's, which cancels the request.
        for delta in self.runtime.generate(request, timeout_s):
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
            if run_manager:
                run_manager.on_llm_new_token(delta, chunk=chunk)
            yield chunk

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(
            str(c.message.content) for c in self._stream(messages, stop, run_manager, **kwargs)
        )
        calls: list[dict[str, Any]] = []
        if self.tools:
            text, calls = parse_tool_calls(text)
        message = AIMessage(content=text, tool_calls=calls)  # type: ignore[arg-type]
        return ChatResult(generations=[ChatGeneration(message=message)])
