"""The support-desk chat: retrieve in scope, let the model connect, keep only cited sentences."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from langchain_core.messages import HumanMessage, SystemMessage

from assistant.citations import marked_text
from assistant.context import ContextRecord, render_facts, render_records
from assistant.deps import AssistantDeps, new_output_id
from assistant.errors import InvalidRequest
from assistant.facts import fact_lines, profile_facts
from assistant.labels import label
from assistant.language import Language, detect_language
from assistant.pipeline import (
    Generated,
    check,
    complete,
    count_and_list,
    declines,
    fall_back,
    gather,
    generate,
    prompt,
    record,
    save_exchange,
)
from assistant.prompting import render_prompt
from assistant.types import AnswerResult, Citation, GuardReport, Sentence, StreamEvent
from knowledge.journal import TurnRecord, recent_turns, record_gap
from knowledge.vocabulary import LANGUAGES

log = logging.getLogger(__name__)

# Three short sentences fit; a weak model otherwise rambles to max_tokens (seconds each).
ANSWER_TOKENS = 150
ANSWER_FACT_KEYS = [
    "name",
    "segment",
    "order_count",
    "total_spent",
    "last_order_at",
    "open_tickets",
    "email_opt_out",
]


def warm_up(deps: AssistantDeps) -> float:
    """Evaluate the chat's fixed prefix (system prompt) in both languages once; returns seconds.

    The local model keeps the evaluated prefix (KV cache), so the first question of each
    language only evaluates its own facts, records and question: that is most of the time to
    first token on two cores.
    """
    started = time.perf_counter()
    for language in LANGUAGES:
        # The user turn's opening matches every real prompt up to its first character.
        messages = [SystemMessage(render_prompt("answer_system", language)), HumanMessage("-")]
        failed = complete(deps, messages, max_tokens=1).degraded
        if failed:
            log.warning("warm-up of the %s prefix failed: %s", language, failed)
    return time.perf_counter() - started


@dataclass
class Question:
    """One question as the answer job sees it: who asks about whom, in which conversation."""

    text: str
    language: Language
    customer_id: int | None
    facts: dict[str, object]
    history: list[TurnRecord]


@dataclass
class Reply:
    """The checked answer as it is built: sentences, their citations, and what the checks did."""

    answered: bool
    sentences: list[Sentence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    guard: GuardReport = field(default_factory=GuardReport)
    degraded: str | None = None


def answer_stream(
    deps: AssistantDeps,
    question: str,
    *,
    customer_id: int | None,
    conversation_id: str | None,
    actor: str,
) -> Iterator[StreamEvent]:
    """Token events while the model writes, then one result event with the checked answer."""
    if not question.strip():
        raise InvalidRequest("the question is empty")
    asked = _question(deps, question, customer_id, conversation_id)
    relevant, context = gather(deps, _search_query(asked), asked.customer_id)
    reply = Reply(answered=bool(context))
    if context:
        yield from _write(deps, asked, context, reply)
    listing = count_and_list(asked.text, context, asked.language, deps.retrieval.embedder)
    if listing and reply.answered:  # counted and listed by code, each record cited
        reply.sentences, reply.citations = listing
    if not reply.answered:
        if not any(h.customer_id is None for h in relevant):  # no article either: a gap
            record_gap(deps.sessions, question, asked.language)
        reply.sentences = [Sentence(text=label("not_answered", asked.language), generated=False)]
        reply.citations = []
    result = _result(deps, asked, reply, conversation_id)
    if conversation_id:
        save_exchange(
            deps,
            conversation_id,
            question=question,
            answer=result.text,
            customer_id=result.customer_id,
            actor=actor,
        )
    record(
        deps,
        result,
        actor=actor,
        action="answer",
        details={"question": question, "answered": result.answered, "degraded": result.degraded},
    )
    yield StreamEvent(type="result", result=result)


def _question(
    deps: AssistantDeps, text: str, customer_id: int | None, conversation_id: str | None
) -> Question:
    """Gather what is known before searching: language, the customer's facts, the history."""
    facts: dict[str, object] = {}
    if customer_id is not None:
        profile = deps.profile(customer_id)
        customer_id = profile.customer.id  # a merged customer's question goes to the survivor
        facts = {k: v for k, v in profile_facts(profile).items() if k in ANSWER_FACT_KEYS}
    history = (
        recent_turns(deps.sessions, conversation_id, deps.config.history_turns)
        if conversation_id
        else []
    )
    return Question(text, detect_language(text), customer_id, facts, history)


def _search_query(asked: Question) -> str:
    """A follow-up ("and what about the refund?") needs the previous question to retrieve well."""
    last_user = next((t.text for t in reversed(asked.history) if t.role == "user"), "")
    return f"{last_user} {asked.text}" if last_user and len(asked.text) < 40 else asked.text


def _write(
    deps: AssistantDeps, asked: Question, context: list[ContextRecord], reply: Reply
) -> Iterator[StreamEvent]:
    """Prompt, stream the model's tokens, check its sentences, fall back to the records."""
    language = asked.language
    facts_text = render_facts(fact_lines(asked.facts, language), language)
    history_text = "\n".join(f"{t.role}: {t.text}" for t in asked.history)
    if history_text:
        history_text = f"{label('history_header', language)}\n{history_text}"
    messages = prompt(
        "answer",
        language,
        facts=facts_text,
        records=render_records(context, language),
        history=history_text,
        question=asked.text,
    )
    draft = Generated()
    for piece in generate(deps, messages, min(deps.max_tokens, ANSWER_TOKENS), draft):
        yield StreamEvent(type="token", text=piece)
    grounded = check(
        deps,
        draft.text,
        context,
        customer_id=asked.customer_id,
        facts_text=facts_text,
        question=asked.text,
    )
    reply.guard, reply.degraded = grounded.guard, draft.degraded
    reply.sentences, reply.citations = grounded.sentences, grounded.citations
    if not reply.sentences and declines(grounded, context):
        reply.answered = False
    elif not reply.sentences:
        reply.sentences, reply.citations = fall_back(
            context, language, question=asked.text, embedder=deps.retrieval.embedder
        )


def _result(
    deps: AssistantDeps, asked: Question, reply: Reply, conversation_id: str | None
) -> AnswerResult:
    return AnswerResult(
        output_id=new_output_id(),
        question=asked.text,
        language=asked.language,
        text=marked_text(reply.sentences, reply.citations),
        sentences=reply.sentences,
        citations=reply.citations,
        facts=asked.facts,
        answered=reply.answered,
        customer_id=asked.customer_id,
        conversation_id=conversation_id,
        model=deps.model,
        guard=reply.guard,
        degraded=reply.degraded,
    )
