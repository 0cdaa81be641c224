"""What every job is given: its settings, the database, retrieval, the model, and SQL lookups."""

from __future__ import annotations

import copy
import uuid
from typing import Any, Protocol, cast

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
from knowledge.visibility import EVERYTHING, Visibility
from retrieval.types import Scope, SearchFilters, SearchHit


class Searcher(Protocol):
    """The part of retrieval.service.Retrieval the assistant uses."""

    embedder: Any

    def search(
        self, query: str, scope: Scope, *, k: int = 8, filters: SearchFilters | None = None
    ) -> list[SearchHit]: ...


class VisibleSearcher:
    """Retrieval as one viewer sees it: a customer scope of a hidden customer is
    CustomerNotFound, hits of hidden customers or of unreadable interaction kinds are dropped."""

    def __init__(
        self, inner: Searcher, visibility: Visibility, sessions: sessionmaker[Session]
    ) -> None:
        self.inner = inner
        self.visibility = visibility
        self.sessions = sessions
        self.embedder = inner.embedder

    def search(
        self,
        query: str,
        scope: Scope,
        *,
        k: int = 8,
        filters: SearchFilters | None = None,
        **options: Any,
    ) -> list[SearchHit]:
        v = self.visibility
        with self.sessions() as s:
            if scope.customer_id is not None:
                v.require(s, scope.customer_id)
            visible = v.visible_ids(s) if scope.kind == "global" else None
        hits = self.inner.search(query, scope, k=k, filters=filters, **options)
        return [
            h
            for h in hits
            if (visible is None or h.customer_id is None or h.customer_id in visible)
            and (h.customer_id is None or v.reads_kind(h.kind) or not _is_interaction(h))
        ]


def _is_interaction(hit: SearchHit) -> bool:
    return hit.record_id.startswith("interaction:")


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
        if llm is not None and masking_wanted(settings.llm):
            llm = MaskedChatModel(inner=llm, known=KnownFromSQL(sessions))
        self.llm = llm
        self.visibility: Visibility = EVERYTHING  # what the caller may see
        self.key_id: int | None = None  # the caller's key, recorded in audit rows and turns

    def bound(self, visibility: Visibility, key_id: int | None) -> AssistantDeps:
        """These dependencies as one caller sees them: every customer read, search and tool
        of a job goes through `visibility`."""
        view = copy.copy(self)
        view.visibility, view.key_id = visibility, key_id
        if visibility != EVERYTHING and self.retrieval is not None:  # None: data_only
            view.retrieval = VisibleSearcher(self.retrieval, visibility, self.sessions)
        return view

    @classmethod
    def data_only(cls, settings: Settings, sessions: sessionmaker[Session]) -> AssistantDeps:
        """Deps for code-only jobs (templates + SQL): no model and no retrieval are loaded,
        so a job that reaches for either fails at once."""
        return cls(settings, sessions, cast(Any, None), cast(Any, None))

    def profile(self, customer_id: int) -> CustomerProfile:
        """The customer's profile (follows merges; CustomerNotFound when absent or hidden)."""
        with self.sessions() as s:
            cid = self.visibility.require(s, customer_id)
            return self.visibility.trim_profile(build_profile(s, cid, self.analytics))

    def interactions(self, customer_id: int) -> list[InteractionRecord]:
        """The customer's interactions the caller may read, as knowledge.repository lists them."""
        with self.sessions() as s:
            cid = self.visibility.require(s, customer_id)
            return [i for i in list_interactions(s, cid) if self.visibility.reads_kind(i.kind)]

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
