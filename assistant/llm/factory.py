"""Choose the chat model by configuration: local GGUF (default), OpenAI-compatible, or fake."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from assistant.errors import LLMUnavailable
from assistant.llm.model_file import model_name, resolve_model_path
from knowledge.settings import LLMSettings


def build_llm(settings: LLMSettings) -> BaseChatModel:
    """The chat model for settings.mode; nothing heavy happens until the first call."""
    if settings.mode == "fake":
        from assistant.llm.fake import FakeChatModel

        return FakeChatModel()
    if settings.mode == "openai":
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as e:
            raise LLMUnavailable("langchain-openai is not installed (pip install kizuna)") from e
        return ChatOpenAI(
            base_url=settings.openai_base_url,
            model=settings.openai_model,
            api_key=settings.openai_api_key,  # type: ignore[arg-type]
            timeout=settings.timeout_s,
            max_retries=1,
            temperature=settings.temperature,
            max_completion_tokens=settings.max_tokens,
            seed=0,
        )
    from assistant.llm.local import LocalChatModel

    return LocalChatModel(
        model_path=str(resolve_model_path(settings)),
        model_label=model_name(settings),
        n_ctx=settings.n_ctx,
        n_threads=settings.n_threads,
        temperature=settings.temperature,
        max_tokens=settings.max_tokens,
        timeout_s=settings.timeout_s,
    )


def llm_label(llm: BaseChatModel, settings: LLMSettings) -> str:
    """The model name recorded on results and in the audit log."""
    label = getattr(llm, "model_label", None)
    if isinstance(label, str) and label != "local":
        return label
    return model_name(settings)
