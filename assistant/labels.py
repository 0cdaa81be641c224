"""Fixed user-facing phrases per language (prompts/<lang>/labels.yaml), filled by code."""

from __future__ import annotations

from functools import cache

import yaml

from assistant.errors import PromptError
from assistant.prompting import load_template, render_text


@cache
def _phrases(file: str, language: str) -> dict[str, str]:
    data = yaml.safe_load(load_template(file, language))
    if not isinstance(data, dict):
        raise PromptError(f"prompts/{language}/{file} must map names to phrases")
    return data


def has_phrase(file: str, key: str, language: str) -> bool:
    """Whether prompts/<language>/<file> has the phrase `key`."""
    return key in _phrases(file, language)


def phrase_from(file: str, key: str, language: str, **variables: object) -> str:
    """The phrase `key` of prompts/<language>/<file> (a YAML map) with its $variables filled."""
    try:
        text = _phrases(file, language)[key]
    except KeyError as e:
        raise PromptError(f"prompts/{language}/{file} has no phrase {key!r}") from e
    return render_text(text, dict(variables), f"{language}/{file}:{key}")


def label(key: str, language: str, **variables: object) -> str:
    """The phrase `key` of labels.yaml in the language, with its $variables filled."""
    return phrase_from("labels.yaml", key, language, **variables)
