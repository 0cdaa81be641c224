"""Request and response bodies at the HTTP edge (the domain layers keep their own types)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from assistant.vocabulary import Length, Purpose, Tone
from knowledge.apikeys import Role
from knowledge.importing.canonical import CanonicalInteraction
from knowledge.importing.coerce import Body, Whole
from knowledge.vocabulary import (
    Entity,
    InteractionKind,
    Language,
    Phase,
    Segment,
)
from retrieval.service import Mode
from retrieval.types import ScopeKind

MAX_ID = 2**62  # ids fit a 64-bit SQL integer


def _said_something(value: str) -> str:
    # Python's str.strip(), which the layers below use, also drops the ASCII separators
    # \x1c-\x1f that pydantic's strip keeps: "\x1f" passed here and became an empty key name
    # below (a 400 the route does not document; found by a schemathesis run, seed 6).
    stripped = value.strip()
    if not stripped:
        raise ValueError("must not be blank")
    return stripped


# Text that must say something: surrounding whitespace is dropped, then it may not be empty.
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_said_something)
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SessionCreate(Strict):
    api_key: Text = Field(min_length=1, max_length=200, examples=["kz_3f9a1c2b7d4e_..."])


class Me(BaseModel):
    name: str
    role: str


class Vocabulary(BaseModel):
    """The value lists clients choose from, and what the caller's role may do."""

    role: Role
    actions: list[str] = Field(
        description="what this role may do: customers, segments, search, chat, brief, draft, "
        "write (one interaction), import, admin"
    )
    roles: list[Role]
    languages: list[Language]
    purposes: list[Purpose]
    tones: list[Tone]
    lengths: list[Length]
    interaction_kinds: list[InteractionKind]
    phases: list[Phase]
    segments: list[Segment]
    draft_defaults: dict[str, str] = Field(
        description="the tone and length a draft gets when the request names none"
    )


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    ready: bool
    database: bool
    retrieval: bool
    assistant: bool
    llm: str = ""  # ready | starting | restarting | stopped | remote (an openai server, not probed)
    model: str = ""
    errors: dict[str, str] = Field(default_factory=dict)
    # "busy" while the background pass after an ingest (or at start-up) enriches and indexes.
    index_refresh: Literal["idle", "busy"] = "idle"


Stars = Annotated[int, Field(ge=1, le=5)]


class InteractionCreate(CanonicalInteraction):
    """One interaction: the import contract's record (see docs/imports.md) and its source."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source": "helpdesk",
                    "references_source": "demo-ec",
                    "external_id": "T-1042",
                    "customer_external_id": "C-0007",
                    "kind": "inquiry",
                    "phase": "support",
                    "channel": "phone",
                    "occurred_at": "2025-03-02T10:15:00+09:00",
                    "subject": "加湿器の異音",
                    "body": "購入した加湿器から異音がするとのお問い合わせ。",
                    "status": "open",
                    "language": "ja",
                }
            ]
        },
    )

    source: Text = Field(default="api", max_length=64)
    references_source: str | None = Field(
        default=None,
        max_length=64,
        description="the source whose external ids `customer_external_id` (and other "
        "references) use; default: `source` itself",
    )
    # Bounds of this route only (a file import takes longer texts and other rating scales):
    # the contract's rule reads the value, then pydantic checks the bound.
    body: Annotated[str, BeforeValidator(Body().check), Field(min_length=1, max_length=100_000)]
    rating: Annotated[Stars | None, BeforeValidator(Whole().check)] = None


class BatchIngest(Strict):
    """Canonical records of one entity from one source; re-sending the same batch is a no-op."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "source": "crm-sync",
                    "entity": "interaction",
                    "records": [
                        {
                            "external_id": "N-1",
                            "customer_external_id": "C-0007",
                            "kind": "meeting_note",
                            "occurred_at": "2025-03-01T14:00:00+09:00",
                            "body": "Renewal discussed; promised a quote by Friday.",
                        }
                    ],
                }
            ]
        },
    )

    source: Text = Field(max_length=64)
    references_source: str | None = Field(
        default=None,
        max_length=64,
        description="the source whose external ids `customer_external_id` (and other "
        "references) use; default: `source` itself",
    )
    entity: Entity = "interaction"
    records: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=10_000,
        description="records of the entity's import contract (docs/imports.md); each one is "
        "validated on its own, and a rejected one is reported in `rejected_rows`, not a 422",
    )


class RejectedRowOut(BaseModel):
    file: str | None = None
    row: int | None = None
    field: str | None = None
    reason: str


class ImportReportOut(BaseModel):
    run_id: int | None = None
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejected_rows: list[RejectedRowOut] = Field(default_factory=list)


class ImportJob(BaseModel):
    job_id: str
    status: Literal["queued", "running", "done", "failed"]
    source: str
    file: str
    started_at: datetime
    finished_at: datetime | None = None
    report: ImportReportOut | None = None
    error: str | None = None


class ScopeIn(Strict):
    kind: ScopeKind
    customer_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class FiltersIn(Strict):
    kinds: list[str] = Field(default_factory=list, max_length=20)
    phases: list[str] = Field(default_factory=list, max_length=10)
    languages: list[str] = Field(default_factory=list, max_length=5)
    since: datetime | None = None
    until: datetime | None = None


class SearchRequest(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"query": "返品の約束", "scope": {"kind": "customer", "customer_id": 1}, "k": 5}
            ]
        },
    )

    query: Text = Field(min_length=1, max_length=2000)
    scope: ScopeIn
    k: int = Field(default=8, ge=1, le=50)
    filters: FiltersIn | None = None
    mode: Mode = "hybrid"


class SearchHitOut(BaseModel):
    chunk_id: str
    record_id: str
    customer_id: int | None
    kind: str
    occurred_at: datetime | None
    title: str | None
    text: str
    span: str
    score: float
    language: str | None = None
    phase: str | None = None
    sources: list[str] = Field(default_factory=list)


class ChatRequest(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"question": "この顧客は以前にも同じ不具合がありましたか？", "customer_id": 1}
            ]
        },
    )

    question: Text = Field(min_length=1, max_length=4000)
    customer_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    conversation_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$"
    )


class BriefRequest(Strict):
    language: Language | None = None


class DraftRequest(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "customer_id": 1,
                    "purpose": "thank_you",
                    "tone": "polite",
                    "length": "medium",
                    "language": "ja",
                }
            ]
        },
    )

    customer_id: int = Field(ge=1, le=MAX_ID)
    purpose: Purpose = Field(
        description="marketing purposes (f2_step, win_back) are refused with 409 for "
        "customers who opted out of e-mail; the others are service mail"
    )
    tone: Tone = "polite"
    length: Length = "medium"
    language: Language | None = None
    step: int | None = Field(default=None, ge=1, le=10)


class RewriteRequest(Strict):
    text: Text = Field(min_length=1, max_length=20_000)
    instruction: Text = Field(min_length=1, max_length=1000, examples=["もっと丁寧に"])
    language: Language | None = None
    customer_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="the customer the text is about (audit log)"
    )
    source_output_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="the output_id of the draft being rewritten (one of this key's outputs); "
        "its customer is recorded when customer_id is not given",
    )


class FeedbackCreate(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"output_id": "ans_1a2b3c", "rating": 1}]},
    )

    output_id: Text = Field(min_length=1, max_length=64)
    rating: Literal[-1, 1] | None = None
    edited_text: str | None = Field(default=None, max_length=50_000)
    comment: str | None = Field(default=None, max_length=5000)


class FeedbackOut(BaseModel):
    id: int
    output_id: str
    rating: int | None = None


class KeyCreate(Strict):
    name: Text = Field(min_length=1, max_length=100)
    role: Role
    user: Text | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="who the key belongs to, as customers' `owner` names them (default: name)",
    )
    teams: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=20, description="the teams whose customers it may see"
    )


class KeyOut(BaseModel):
    id: int
    name: str
    prefix: str
    role: str
    user: str | None = None
    teams: list[str] = Field(default_factory=list)
    created_at: datetime | None = None
    revoked_at: datetime | None = None


class KeyCreated(KeyOut):
    key: str = Field(description="the plain key; shown once, store it now")


M = TypeVar("M", bound=BaseModel)


def _aware(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value
    if isinstance(value, dict):
        return {k: _aware(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_aware(v) for v in value]
    return value


def utc(model: M) -> M:
    """The model with naive datetimes marked UTC (SQLite returns them without an offset)."""
    return type(model).model_validate(_aware(model.model_dump()))


class ErasureResult(BaseModel):
    """What `DELETE /customers/{id}` did, per table (and index), by count."""

    customer_id: int
    customer_ids: list[int] = Field(description="the person's records: survivor and merged")
    deleted: dict[str, int] = Field(description="rows (and index chunks) removed, per place")
    kept: dict[str, int] = Field(description="rows kept for accounting (orders, order lines)")
    scrubbed: dict[str, int] = Field(
        description="rows kept with personal fields replaced (tombstone customer, audit entries)"
    )
    audit_output_id: str = Field(description="the audit entry recording this erasure")
    seconds: dict[str, float] = Field(
        description="time per step: sql, each index, compact (the database file's VACUUM)"
    )
