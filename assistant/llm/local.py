"""In-process GGUF chat model over llama-cpp-python, as a LangChain BaseChatModel."""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, PrivateAttr

from assistant.errors import LLMUnavailable
from assistant.llm.messages import parse_tool_calls, to_chat_dicts

log = logging.getLogger(__name__)

# One loaded model per file and thread count, shared by every chat model instance: loading
# costs seconds and ~1.2 GB, and llama.cpp contexts are not safe for concurrent use.
_MODELS: dict[tuple[str, int, int], tuple[Any, threading.Lock]] = {}
_MODELS_LOCK = threading.Lock()


def _load(path: str, n_ctx: int, n_threads: int) -> tuple[Any, threading.Lock]:
    key = (path, n_ctx, n_threads)
    with _MODELS_LOCK:
        if key not in _MODELS:
            try:
                from llama_cpp import Llama, LlamaRAMCache
            except ImportError as e:
                raise LLMUnavailable(
                    "llama-cpp-python is not installed; install llama-cpp-python==0.3.36 "
                    "(CMAKE_ARGS=-DLLAVA_BUILD=OFF) or set llm.mode=openai"
                ) from e
            try:
                llama = Llama(
                    model_path=path, n_ctx=n_ctx, n_threads=n_threads, verbose=False, seed=0
                )
            except (ValueError, RuntimeError, OSError) as e:
                raise LLMUnavailable(f"cannot load GGUF model {path}: {e}") from e
            # Keeps the KV state of recent prompts: the fixed system prefix and a customer's
            # context are not evaluated again when the next request starts the same way.
            llama.set_cache(LlamaRAMCache(capacity_bytes=1 << 30))
            _fix_tool_call_example(llama)
            # Free the model before interpreter shutdown tears down llama.cpp's bindings;
            # otherwise Llama.__del__ fails noisily at exit.
            atexit.register(llama.close)
            _MODELS[key] = (llama, threading.Lock())
            log.info("loaded local model %s (n_ctx=%d, threads=%d)", path, n_ctx, n_threads)
        return _MODELS[key]


# Qwen2.5-Coder's chat template shows the tool-call format as {{"name": ..., "arguments": ...}}
# (Jinja string literal: the braces are printed doubled) and the 1.5B model copies the doubled
# braces. The in-process model gets the same template with the example written as JSON.
_DOUBLED_EXAMPLE = '{{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}}'
_JSON_EXAMPLE = '{\\"name\\": <function-name>, \\"arguments\\": <args-json-object>}'


def _fix_tool_call_example(llama: Any) -> None:
    """Use the GGUF's own chat template with its tool-call example corrected, if it has one."""
    template = llama.metadata.get("tokenizer.chat_template", "")
    if _DOUBLED_EXAMPLE not in template or llama.chat_handler is not None:
        return
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    eos_id, bos_id = llama.token_eos(), llama.token_bos()
    llama.chat_handler = Jinja2ChatFormatter(
        template=template.replace(_DOUBLED_EXAMPLE, _JSON_EXAMPLE),
        eos_token=llama._model.token_get_text(eos_id) if eos_id != -1 else "",
        bos_token=llama._model.token_get_text(bos_id) if bos_id != -1 else "",
        stop_token_ids=[eos_id],
    ).to_chat_handler()
    log.info("chat template: tool-call example corrected to single braces")


class LocalChatModel(BaseChatModel):
    """A llama.cpp chat model: streamed, serialised by a lock, stoppable, with a time limit."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    model_label: str = "local"
    n_ctx: int = 4096
    n_threads: int = 2
    temperature: float = 0.0
    max_tokens: int = 256
    timeout_s: float = 120.0
    tools: list[dict[str, Any]] | None = None
    _warm: bool = PrivateAttr(default=False)

    @property
    def _llm_type(self) -> str:
        return "kizuna-llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model": self.model_label, "temperature": self.temperature}

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
        llama, lock = _load(self.model_path, self.n_ctx, self.n_threads)
        started = time.monotonic()
        max_tokens = int(kwargs.get("max_tokens", self.max_tokens))
        # The lock is held for the whole generation; closing this generator (client gone)
        # runs the finally below, which stops llama.cpp and frees the lock for the next one.
        with lock:
            stream = llama.create_chat_completion(
                messages=to_chat_dicts(messages),  # type: ignore[arg-type]
                stream=True,
                temperature=self.temperature,
                max_tokens=max_tokens,
                stop=stop,
                tools=self.tools,  # type: ignore[arg-type]
                seed=0,
            )
            try:
                for part in stream:
                    delta = part["choices"][0]["delta"].get("content") or ""  # type: ignore[index]
                    if delta:
                        chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                        if run_manager:
                            run_manager.on_llm_new_token(delta, chunk=chunk)
                        yield chunk
                    if time.monotonic() - started > self.timeout_s:
                        log.warning("local generation stopped at the %.0f s limit", self.timeout_s)
                        break
            finally:
                close = getattr(stream, "close", None)
                if close:
                    close()

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
