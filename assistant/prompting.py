"""Prompt templates are files in prompts/<language>/; one render function fills them."""

from __future__ import annotations

import importlib.resources
import string
from functools import cache
from typing import Any

import yaml

from assistant.errors import PromptError
from knowledge.vocabulary import LANGUAGES


@cache
def load_template(name: str, language: str) -> str:
    """The text of prompts/<language>/<name> (cached; templates are read-only data)."""
    if language not in LANGUAGES:
        raise PromptError(f"no prompts for language {language!r}; expected one of {LANGUAGES}")
    resource = importlib.resources.files("prompts") / language / name
    try:
        return resource.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise PromptError(f"prompt template prompts/{language}/{name} does not exist") from e


def render_text(template: str, variables: dict[str, Any], where: str) -> str:
    """Fill $name / ${name} placeholders; a missing variable raises PromptError naming it."""
    try:
        return string.Template(template).substitute(
            {k: "" if v is None else str(v) for k, v in variables.items()}
        )
    except KeyError as e:
        raise PromptError(f"{where}: missing variable {e.args[0]!r}") from e
    except ValueError as e:
        raise PromptError(f"{where}: malformed placeholder ({e})") from e


def render_prompt(name: str, language: str, **variables: Any) -> str:
    """Render prompts/<language>/<name>.txt with the given variables (all must be supplied)."""
    return render_text(load_template(f"{name}.txt", language), variables, f"{language}/{name}")


@cache
def email_templates(language: str) -> dict[str, Any]:
    """The per-purpose e-mail frames (subject, opening, closing, ...) of one language."""
    data = yaml.safe_load(load_template("email_templates.yaml", language))
    if not isinstance(data, dict):
        raise PromptError(f"prompts/{language}/email_templates.yaml must map purpose -> fields")
    return data
