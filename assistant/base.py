"""What every job shares: settings, database, retrieval, the model, and small helpers."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from sqlalchemy.orm import Session, sessionmaker

from assistant.context import ContextRecord
from assistant.llm.factory import llm_label
from assistant.types import Citation, GuardReport
from knowledge.journal import write_audit
from knowledge.records import CustomerProfile
from knowledge.settings import Settings
from retrieval.types import Scope, SearchFilters, SearchHit

log = logging.getLogger(__name__)


class Searcher(Protocol):
    """The part of retrieval.service.Retrieval the assistant uses."""

    embedder: Any

    def search(
        self, query: str, scope: Scope, *, k: int = 8, filters: SearchFilters | None = None
    ) -> list[SearchHit]: ...


class Jobs:
    """Dependencies of the three jobs, and the helpers they share."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        retrieval: Searcher,
        llm: BaseChatModel,
    ) -> None:
        self.settings = settings
        self.cfg = settings.assistant
        self.sessions = sessions
        self.retrieval = retrieval
        self.llm = llm
        self.model = llm_label(llm, settings.llm)

    def profile(self, customer_id: int) -> CustomerProfile:
        """The customer's profile (follows merges; CustomerNotFound when absent)."""
        from knowledge.profiles import build_profile

        with self.sessions() as s:
            return build_profile(s, customer_id, self.settings.analytics)

    def owner_of(self, record_id: str) -> int | None:
        """Which customer a record belongs to, asked of SQL (None for articles or unknown)."""
        from knowledge.errors import RecordNotFound
        from knowledge.repository import record_customer_id

        with self.sessions() as s:
            try:
                return record_customer_id(s, record_id)
            except RecordNotFound:
                return None

    def generate(self, messages: list[BaseMessage], max_tokens: int | None = None) -> Iterator[str]:
        """Stream the model's text; closing the iterator stops generation."""
        kwargs: dict[str, Any] = {}
        if max_tokens:
            kwargs["max_tokens"] = max_tokens
        stream = self.llm.stream(messages, **kwargs)
        try:
            for chunk in stream:
                text = chunk.content if isinstance(chunk.content, str) else str(chunk.content)
                if text:
                    yield text
        finally:
            stream.close()  # type: ignore[attr-defined]

    def complete(
        self, messages: list[BaseMessage], max_tokens: int | None = None
    ) -> tuple[str, str | None]:
        """The model's whole text, or ('', reason) when the model failed (callers fall back)."""
        try:
            return "".join(self.generate(messages, max_tokens)), None
        except Exception as e:  # any backend failure degrades to the extractive result
            log.warning("LLM generation failed (%s): %s", type(e).__name__, e)
            return "", f"{type(e).__name__}: {e}"

    def audit(
        self,
        *,
        output_id: str,
        actor: str,
        action: str,
        customer_id: int | None,
        citations: list[Citation],
        guard: GuardReport,
        details: dict[str, Any] | None = None,
    ) -> None:
        """One audit_log row per generation."""
        write_audit(
            self.sessions,
            output_id=output_id,
            actor=actor,
            action=action,
            customer_id=customer_id,
            cited_records=[c.record_id for c in citations],
            model=self.model,
            details={"guard": guard.model_dump(), **(details or {})},
        )


def new_output_id() -> str:
    """A fresh id for one generated output (audit, feedback)."""
    return uuid.uuid4().hex


def code_citation(record: ContextRecord, quote: str | None = None) -> Citation:
    """A citation for a sentence assembled by code from the record itself."""
    return Citation(
        record_id=record.record_id,
        kind=record.kind,
        date=record.date,
        quote=(quote or record.span or record.text)[:300],
    )
