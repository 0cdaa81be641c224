"""Fixed user-facing phrases per language (prompts/<lang>/labels.yaml), filled by code."""

from __future__ import annotations

from functools import cache

import yaml

from assistant.errors import PromptError
from assistant.prompting import load_template, render_text


@cache
def _labels(language: str) -> dict[str, str]:
    data = yaml.safe_load(load_template("labels.yaml", language))
    if not isinstance(data, dict):
        raise PromptError(f"prompts/{language}/labels.yaml must map names to phrases")
    return data


def label(key: str, language: str, **variables: object) -> str:
    """The phrase `key` in the language, with its $variables filled."""
    try:
        text = _labels(language)[key]
    except KeyError as e:
        raise PromptError(f"prompts/{language}/labels.yaml has no phrase {key!r}") from e
    return render_text(text, dict(variables), f"{language}/labels.yaml:{key}")
