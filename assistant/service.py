"""The assistant's public face: answer, brief, draft_email, rewrite and agent."""

from __future__ import annotations

import copy
from collections.abc import Iterator

from langchain_core.language_models import BaseChatModel
from sqlalchemy.orm import Session, sessionmaker

from assistant.deps import AssistantDeps, Searcher
from assistant.jobs.agent import run_agent
from assistant.jobs.answer import answer_stream, warm_up
from assistant.jobs.brief import build_brief
from assistant.jobs.email import build_draft
from assistant.jobs.rewrite import rewrite_text
from assistant.llm.factory import build_llm
from assistant.types import (
    AgentResult,
    AnswerResult,
    BriefResult,
    EmailDraft,
    RewriteResult,
    StreamEvent,
)
from knowledge.settings import Settings
from knowledge.visibility import Visibility
from knowledge.vocabulary import Language

__all__ = ["Assistant", "build_llm"]


class Assistant:
    """Grounded answers, briefs and e-mail drafts; every call writes one audit_log row."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        retrieval: Searcher,
        llm: BaseChatModel,
    ) -> None:
        self.deps = AssistantDeps(settings, sessions, retrieval, llm)

    def as_viewer(self, visibility: Visibility, key_id: int | None) -> Assistant:
        """This assistant as one caller sees it: its jobs read only the customers and
        records `visibility` shows, and record `key_id` in audit rows and chat turns."""
        view = copy.copy(self)
        view.deps = self.deps.bound(visibility, key_id)
        return view

    @property
    def model(self) -> str:
        """The name of the model that writes (recorded on every result)."""
        return self.deps.model

    def warm_up(self) -> float:
        """Load the model and cache the chat's fixed prompt prefix; returns seconds taken."""
        return warm_up(self.deps)

    def answer_stream(
        self,
        question: str,
        *,
        customer_id: int | None = None,
        conversation_id: str | None = None,
        actor: str,
    ) -> Iterator[StreamEvent]:
        """Token events, then one result event; closing the iterator cancels generation."""
        return answer_stream(
            self.deps,
            question,
            customer_id=customer_id,
            conversation_id=conversation_id,
            actor=actor,
        )

    def answer(
        self,
        question: str,
        *,
        customer_id: int | None = None,
        conversation_id: str | None = None,
        actor: str,
    ) -> AnswerResult:
        """The checked answer to a support-desk question (scoped to the customer if given)."""
        for event in self.answer_stream(
            question, customer_id=customer_id, conversation_id=conversation_id, actor=actor
        ):
            if event.type == "result" and event.result is not None:
                return event.result
        raise RuntimeError("answer stream ended without a result")  # a bug, not user input

    def agent(self, question: str, *, customer_id: int | None = None, actor: str) -> AgentResult:
        """A question that needs several lookups, answered by the bounded tool-calling agent.

        Pinned to customer_id when given; the fixed chain (answer) stays the chat default.
        """
        return run_agent(self.deps, question, customer_id=customer_id, actor=actor)

    def brief(
        self, customer_id: int, *, language: Language | None = None, actor: str
    ) -> BriefResult:
        """The pre-meeting brief of a customer, with Markdown."""
        return build_brief(self.deps, customer_id, language=language, actor=actor)

    def draft_email(
        self,
        customer_id: int,
        *,
        purpose: str,
        tone: str = "polite",
        length: str = "medium",
        language: Language | None = None,
        step: int | None = None,
        actor: str,
    ) -> EmailDraft:
        """A follow-up e-mail draft (never sent); ConsentError for marketing to an opt-out."""
        return build_draft(
            self.deps,
            customer_id,
            purpose=purpose,
            tone=tone,
            length=length,
            language=language,
            step=step,
            actor=actor,
        )

    def rewrite(
        self,
        text: str,
        instruction: str,
        *,
        language: Language | None = None,
        customer_id: int | None = None,
        source_output_id: str | None = None,
        actor: str,
    ) -> RewriteResult:
        """The text rewritten as instructed, with no new facts, links or numbers.

        customer_id, or the output it rewrites (source_output_id), names the customer in the
        audit row; the result's output_id takes feedback.
        """
        return rewrite_text(
            self.deps,
            text,
            instruction,
            language=language,
            customer_id=customer_id,
            source_output_id=source_output_id,
            actor=actor,
        )
