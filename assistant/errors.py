"""Errors of the assistant layer, each with a stable code the API maps to a status."""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every assistant-layer error."""

    code = "assistant_error"


class LLMUnavailable(AssistantError):
    """The language model cannot be loaded or reached (missing file, server down, timeout)."""

    code = "llm_unavailable"


class ModelFileError(LLMUnavailable):
    """The packaged GGUF parts are missing or the assembled file fails its checksum."""

    code = "model_file_invalid"


class PromptError(AssistantError):
    """A prompt template is missing, or rendering it lacks a variable."""

    code = "prompt_error"


class InvalidRequest(AssistantError):
    """A request the assistant cannot serve as asked (unknown purpose, bad step, empty text)."""

    code = "invalid_request"
