"""Typed results of the jobs (answer, brief, e-mail draft, rewrite) and their stream events."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from knowledge.vocabulary import Language


class Citation(BaseModel):
    record_id: str  # interaction:{id} | article:{id} | order:{id} | profile:{customer id}
    kind: str
    date: datetime | None = None
    quote: str  # the quoted span that supports the sentence


class Sentence(BaseModel):
    """A sentence shown to the user, with the records that support it."""

    text: str
    citations: list[str] = Field(default_factory=list)  # record ids
    generated: bool = True  # False: assembled by code from data


class GuardReport(BaseModel):
    invalid_citations_removed: int = 0
    unsupported_sentences_dropped: int = 0
    unsafe_tokens_removed: int = 0  # URLs, e-mails, phone numbers not in the sources


class AnswerResult(BaseModel):
    output_id: str
    question: str
    language: Language
    text: str
    sentences: list[Sentence] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    facts: dict[str, Any] = Field(default_factory=dict)
    answered: bool = True  # False: the records do not answer the question
    customer_id: int | None = None
    conversation_id: str | None = None
    model: str
    guard: GuardReport = Field(default_factory=GuardReport)
    degraded: str | None = None  # why the model's text was not used (records/facts only)


class BriefSection(BaseModel):
    title: str
    sentences: list[Sentence] = Field(default_factory=list)
    warning: bool = False  # the panel shows it with a warning badge (flagged records)


class BriefContact(BaseModel):
    """A person at a company customer, as the brief lists them (from SQL, not the model)."""

    name: str
    name_kana: str | None = None
    role: str | None = None  # title or role, as the CRM holds it
    decision_maker: bool = False


class BriefResult(BaseModel):
    output_id: str
    customer_id: int
    language: Language
    sections: list[BriefSection]
    contacts: list[BriefContact] = Field(default_factory=list)  # decision makers first
    citations: list[Citation] = Field(default_factory=list)
    facts: dict[str, Any] = Field(default_factory=dict)
    model: str
    generated_at: datetime
    guard: GuardReport = Field(default_factory=GuardReport)
    degraded: str | None = None  # why the model's text was not used (records/facts only)
    markdown: str


class EmailDraft(BaseModel):
    output_id: str
    customer_id: int
    purpose: str
    tone: str
    length: str
    language: Language
    subject: str
    body: str
    citations: list[Citation] = Field(default_factory=list)
    facts: dict[str, Any] = Field(default_factory=dict)
    model: str
    guard: GuardReport = Field(default_factory=GuardReport)
    degraded: str | None = None  # why the model's text was not used (records/facts only)
    step: int | None = None  # for F2 sequences


class RewriteResult(BaseModel):
    """A text rewritten by an instruction; its output_id takes feedback like any draft's."""

    output_id: str
    text: str
    instruction: str
    language: Language
    customer_id: int | None = None  # given, or the customer of the rewritten output
    source_output_id: str | None = None  # the output (e.g. an e-mail draft) this rewrites
    model: str
    guard: GuardReport = Field(default_factory=GuardReport)
    degraded: str | None = None  # why the model's text was not used (the original is kept)


class StreamEvent(BaseModel):
    """One event of a streamed answer: progress while the model writes, each sentence once it
    has passed the checks (with the citations so far), then the final result.

    No raw model text is ever an event: what the user sees has been checked.
    """

    type: Literal["progress", "sentence", "result", "error"]
    text: str = ""  # sentence: the sentence with its [n] markers; error: the message
    sentence: Sentence | None = None
    citations: list[Citation] = Field(default_factory=list)  # sentence: all cited so far
    written: int = 0  # progress: pieces the model has written so far
    result: AnswerResult | None = None


class ToolStep(BaseModel):
    """One tool call of an agent run, as the trace shows it."""

    tool: str
    args: dict[str, Any] = Field(default_factory=dict)
    ok: bool = True
    error: str | None = None  # bad arguments, unknown tool, out of scope: fed back to the model
    seconds: float = 0.0
    records: list[str] = Field(default_factory=list)  # record ids the call returned
    call_format: Literal["native", "tagged", "json"] = "native"  # how the model wrote the call


class AgentResult(AnswerResult):
    """An answer gathered by tool calls: the answer fields plus the tool-call trace."""

    steps: list[ToolStep] = Field(default_factory=list)
    # answered: the model stopped calling tools; the others are bounds or failures.
    stopped: Literal["answered", "max_steps", "timeout", "context", "repeated", "model_error"] = (
        "answered"
    )
    model_calls: int = 0
    turn_seconds: list[float] = Field(default_factory=list)  # wall time of each model turn
    draft: str = ""  # the model's final text before grounding (shown dimmed, like ask's stream)
    seconds: float = 0.0
