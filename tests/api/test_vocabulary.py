"""Each value list is defined once and every consumer shows that one list.

The OpenAPI enums come from the owning layer's types, the e-mail frames exist for exactly the
purposes, `GET /vocabulary` hands the same lists (and the caller's actions) to the panel, and
the panel's files hold no copy of their own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml

from api.deps import ACTIONS, GRANTS
from assistant.vocabulary import LENGTHS, PURPOSES, TONES, Length
from knowledge.apikeys import ROLES
from knowledge.vocabulary import (
    ENTITIES,
    INTERACTION_KINDS,
    INTERACTION_STATUS,
    LANGUAGES,
    PHASES,
    SEGMENTS,
)
from retrieval.service import Mode
from retrieval.types import ScopeKind
from tests.api.conftest import ApiHarness

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "api" / "static"

# (schema, field) in the OpenAPI document -> the one list its enum must be.
FIELDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("DraftRequest", "purpose"): PURPOSES,
    ("DraftRequest", "tone"): TONES,
    ("DraftRequest", "length"): tuple(LENGTHS),
    ("DraftRequest", "language"): LANGUAGES,
    ("BriefRequest", "language"): LANGUAGES,
    ("RewriteRequest", "language"): LANGUAGES,
    ("KeyCreate", "role"): ROLES,
    ("InteractionCreate", "kind"): INTERACTION_KINDS,
    ("InteractionCreate", "phase"): PHASES,
    ("InteractionCreate", "status"): INTERACTION_STATUS,
    ("InteractionCreate", "language"): LANGUAGES,
    ("BatchIngest", "entity"): ENTITIES,
    ("ScopeIn", "kind"): get_args(ScopeKind),
    ("SearchRequest", "mode"): get_args(Mode),
    ("Vocabulary", "role"): ROLES,
    ("Vocabulary", "roles"): ROLES,
    ("Vocabulary", "languages"): LANGUAGES,
    ("Vocabulary", "purposes"): PURPOSES,
    ("Vocabulary", "tones"): TONES,
    ("Vocabulary", "lengths"): tuple(LENGTHS),
    ("Vocabulary", "interaction_kinds"): INTERACTION_KINDS,
    ("Vocabulary", "phases"): PHASES,
    ("Vocabulary", "segments"): SEGMENTS,
}


def enum_of(schema: dict[str, Any], doc: dict[str, Any]) -> list[Any] | None:
    """The enum of a property, through $ref, anyOf (optional) and array items."""
    if "$ref" in schema:
        return enum_of(doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]], doc)
    if "enum" in schema:
        return list(schema["enum"])
    for inner in schema.get("anyOf", []):
        found = enum_of(inner, doc)
        if found is not None:
            return found
    if "items" in schema:
        return enum_of(schema["items"], doc)
    return None


@pytest.mark.parametrize(("schema", "field"), sorted(FIELDS))
def test_openapi_enum_is_the_one_list(shared_api: ApiHarness, schema: str, field: str) -> None:
    doc = shared_api.app.openapi()
    prop = doc["components"]["schemas"][schema]["properties"][field]
    assert enum_of(prop, doc) == list(FIELDS[(schema, field)])


def test_every_length_has_its_sentence_count() -> None:
    assert tuple(LENGTHS) == get_args(Length) and all(n > 0 for n in LENGTHS.values())


@pytest.mark.parametrize("language", LANGUAGES)
def test_email_templates_hold_exactly_the_purposes(language: str) -> None:
    path = ROOT / "prompts" / language / "email_templates.yaml"
    frames = yaml.safe_load(path.read_text(encoding="utf-8"))
    purposes = {k for k, v in frames.items() if isinstance(v, dict)}
    assert purposes == set(PURPOSES)


# What the panel may show each role: its tabs follow these actions (docs/api.md, "Roles").
PANEL_ACTIONS = {
    "agent": {"chat", "brief", "draft"},
    "sales": {"brief", "draft"},
    "marketing": {"draft"},
    "admin": {"chat", "brief", "draft"},
}


@pytest.mark.parametrize("role", ROLES)
def test_vocabulary_endpoint(shared_api: ApiHarness, role: str) -> None:
    r = shared_api.client.get("/vocabulary", headers=shared_api.headers(role))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["role"] == role
    for (schema, field), values in FIELDS.items():
        if schema == "Vocabulary" and field != "role":
            assert body[field] == list(values), field
    assert body["draft_defaults"] == {"tone": "polite", "length": "medium"}
    assert set(body["actions"]) <= set(ACTIONS)
    assert set(body["actions"]) & {"chat", "brief", "draft"} == PANEL_ACTIONS[role]
    assert body["actions"] == [a for a in ACTIONS if role == "admin" or role in GRANTS[a]]


def test_vocabulary_needs_a_key(shared_api: ApiHarness) -> None:
    assert shared_api.client.get("/vocabulary").status_code == 401


# A copy in the page is an option value; in the script, a string literal or an object key
# (`agent: [...]`). i18n.js holds the labels, keyed by value (`p_thank_you: "お礼"`), and may
# say "sales" as a label; the script names "ja" and "en" as the languages of its own labels.
LISTS = (*PURPOSES, *TONES, *LENGTHS, *ROLES, *SEGMENTS)
COPY = {
    "index.html": (r"value=[\"']{}[\"']", (*LISTS, *LANGUAGES)),
    "app.js": (r"[\"'`]{0}[\"'`]|(?<![\w.$-]){0}\s*:", LISTS),
    "campaigns.js": (r"[\"'`]{0}[\"'`]|(?<![\w.$-]){0}\s*:", LISTS),
}


@pytest.mark.parametrize("name", sorted(COPY))
def test_panel_holds_no_copy_of_a_list(name: str) -> None:
    text = (STATIC / name).read_text(encoding="utf-8")
    pattern, values = COPY[name]
    copies = [v for v in values if re.search(pattern.format(re.escape(v)), text)]
    assert not copies, f"{name} hard-codes {copies}; read them from GET /vocabulary"
