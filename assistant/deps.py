"""What every job is given: its settings, the database, retrieval, the model, and SQL lookups."""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel
from sqlalchemy.orm import Session, sessionmaker

from assistant.grounding import GroundingPolicy
from assistant.llm.factory import llm_label
from assistant.llm.masked import MaskedChatModel, masking_wanted
from assistant.masking.known import KnownFromSQL
from knowledge.errors import RecordNotFound
from knowledge.profiles import build_profile
from knowledge.records import CustomerProfile, InteractionRecord
from knowledge.repository import list_interactions, record_customer_id
from knowledge.settings import Settings
from retrieval.types import Scope, SearchFilters, SearchHit


class Searcher(Protocol):
    """The part of retrieval.service.Retrieval the assistant uses."""

    embedder: Any

    def search(
        self, query: str, scope: Scope, *, k: int = 8, filters: SearchFilters | None = None
    ) -> list[SearchHit]: ...


class AssistantDeps:
    """The dependencies every job shares, each read from one place.

    `config` is settings.assistant (budgets, agent bounds), `policy` every grounding threshold,
    `max_tokens` the model's own cap on one reply (settings.llm.max_tokens).
    """

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        retrieval: Searcher,
        llm: BaseChatModel,
    ) -> None:
        self.config = settings.assistant
        self.analytics = settings.analytics
        self.policy = GroundingPolicy.from_settings(settings.assistant)
        self.max_tokens = settings.llm.max_tokens
        self.sessions = sessions
        self.retrieval = retrieval
        self.model = llm_label(llm, settings.llm)
        if masking_wanted(settings.llm):
            llm = MaskedChatModel(inner=llm, known=KnownFromSQL(sessions))
        self.llm = llm

    def profile(self, customer_id: int) -> CustomerProfile:
        """The customer's profile (follows merges; CustomerNotFound when absent)."""
        with self.sessions() as s:
            return build_profile(s, customer_id, self.analytics)

    def interactions(self, customer_id: int) -> list[InteractionRecord]:
        """Every interaction of the customer, as knowledge.repository lists them."""
        with self.sessions() as s:
            return list_interactions(s, customer_id)

    def owner_of(self, record_id: str) -> int | None:
        """Which customer a record belongs to, asked of SQL (None for articles or unknown)."""
        with self.sessions() as s:
            try:
                return record_customer_id(s, record_id)
            except RecordNotFound:
                return None


def new_output_id() -> str:
    """A fresh id for one generated output (audit, feedback)."""
    return uuid.uuid4().hex
