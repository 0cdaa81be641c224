"""The support-desk chat: facts from SQL, then the records; only checked sentences are shown.

A question about the profile (total spent, last order, segment, contacts, …) is answered by
code from SQL (assistant/facts_answer.py); an overview question ("what has this customer
contacted us about?") gets the customer's interactions listed by code. Whatever else the
question asks goes to the records: retrieve in scope, let the model connect, and stream each
of its sentences once it has passed the checks."""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage

from assistant.asked_attributes import unanswerable_by
from assistant.checked_stream import SentenceBuffer, SentenceChecker
from assistant.citations import marked_text, numbered, with_markers
from assistant.context import ContextRecord, interaction_record, render_facts, render_records
from assistant.deps import AssistantDeps, new_output_id
from assistant.errors import InvalidRequest
from assistant.fact_intents import FactRecogniser, Intent
from assistant.facts import fact_lines, profile_facts
from assistant.facts_answer import (
    CodeAnswer,
    FactSource,
    fact_answer,
    overview_answer,
    owned_only,
    phrase,
    promises_answer,
)
from assistant.labels import label
from assistant.language import Language, detect_language
from assistant.pipeline import (
    Generated,
    add_guard,
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
from assistant.similarity import Scorer
from assistant.spans import counted_kind
from assistant.types import AnswerResult, Citation, GuardReport, Sentence, StreamEvent
from knowledge.journal import TurnRecord, recent_turns, record_gap
from knowledge.records import CustomerProfile
from knowledge.repository import list_orders
from knowledge.vocabulary import LANGUAGES
from retrieval.types import SearchHit

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
    names: list[str] = field(default_factory=list)  # the customer's name and kana
    profile: CustomerProfile | None = None  # loaded once, for the facts and the code answers


@dataclass
class Reply:
    """The checked answer as it is built: sentences, their citations, and what the checks did."""

    answered: bool
    sentences: list[Sentence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    guard: GuardReport = field(default_factory=GuardReport)
    degraded: str | None = None

    def show(self, sentences: list[Sentence], citations: list[Citation]) -> Iterator[StreamEvent]:
        """Add checked sentences to the reply and stream each one with the citations so far."""
        known = {c.record_id for c in self.citations}
        self.citations += [c for c in citations if c.record_id not in known]
        for sentence in sentences:
            self.sentences.append(sentence)
            yield StreamEvent(
                type="sentence",
                text=with_markers(sentence, numbered(self.citations)),
                sentence=sentence,
                citations=list(self.citations),
            )


def answer_stream(
    deps: AssistantDeps,
    question: str,
    *,
    customer_id: int | None,
    conversation_id: str | None,
    actor: str,
) -> Iterator[StreamEvent]:
    """Checked sentences as they pass (facts first), progress while the model writes, then one
    result event with the whole checked answer."""
    if not question.strip():
        raise InvalidRequest("the question is empty")
    asked = _question(deps, question, customer_id, conversation_id)
    intent = _intent(deps, asked)
    reply = Reply(answered=False)
    if intent.any and asked.customer_id is not None:
        code = _code_answer(deps, asked, intent)
        reply.answered = bool(code.sentences)
        yield from reply.show(code.sentences, code.citations)
    # "What did we promise?" with no commitment in the records is asked of the records.
    if not intent.any or intent.rest or (intent.promises and not reply.answered):
        # "How many reviews?" counts all the customer's reviews: no search is needed for it.
        counted = _counted_records(deps, asked)
        relevant: list[SearchHit] = []
        if counted is not None:
            context = counted
        else:
            relevant, context = gather(deps, _search_query(asked), asked.customer_id)
            if unanswerable_by(asked.text, [r.text for r in context]):
                context = []  # it asks for an address, a birthday...: no record holds one
        from_records = False
        listing = count_and_list(
            asked.text,
            context,
            asked.language,
            deps.retrieval.embedder,
            zero_counts=counted is not None,
        )
        if listing:  # counted and listed by code, each record cited
            yield from reply.show(*listing)
            from_records = True
        elif context:
            from_records = yield from _write(deps, asked, context, reply)
        if from_records:
            reply.answered = True
        elif reply.answered:  # the facts answered part of it; say the records don't the rest
            rest = Sentence(text=phrase("rest_not_in_records", asked.language), generated=False)
            yield from reply.show([rest], [])
        else:
            if not any(h.customer_id is None for h in relevant):  # no article either: a gap
                record_gap(deps.sessions, question, asked.language)
            reply.sentences = [
                Sentence(text=label("not_answered", asked.language), generated=False)
            ]
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
    names: list[str] = []
    profile = None
    if customer_id is not None:
        profile = deps.profile(customer_id)
        customer_id = profile.customer.id  # a merged customer's question goes to the survivor
        facts = {k: v for k, v in profile_facts(profile).items() if k in ANSWER_FACT_KEYS}
        names = [n for n in (profile.customer.name, profile.customer.name_kana) if n]
    # Only the turns about this customer (or about none): a conversation id reused for
    # another customer never carries the first one's records into this answer.
    history = (
        recent_turns(
            deps.sessions,
            conversation_id,
            deps.config.history_turns,
            customer_id=customer_id,
            key_id=deps.key_id,
        )
        if conversation_id
        else []
    )
    return Question(text, detect_language(text), customer_id, facts, history, names, profile)


def _intent(deps: AssistantDeps, asked: Question) -> Intent:
    """What the question asks of the profile (nothing without a customer)."""
    if asked.customer_id is None:
        return Intent()
    embedder = deps.retrieval.embedder
    if getattr(embedder, "name", "").startswith("fake"):
        embedder = None  # hashed bigrams have no meaning: keywords alone decide
    return _recogniser(embedder).recognise(asked.text, asked.names)


@cache
def _recogniser(embedder: Any) -> FactRecogniser:
    """One recogniser per embedder, so its examples are embedded once."""
    return FactRecogniser(embedder)


def _code_answer(deps: AssistantDeps, asked: Question, intent: Intent) -> CodeAnswer:
    """The fact sentences or the interaction overview, from SQL, citations checked by owner."""
    assert asked.customer_id is not None and asked.profile is not None
    with deps.sessions() as s:
        orders = list_orders(s, asked.customer_id)
    source = FactSource(asked.profile, orders, deps.interactions(asked.customer_id))
    if intent.facts:
        code = fact_answer(source, intent.facts, asked.language)
    elif intent.promises:
        code = promises_answer(source, asked.language, asked.text, deps.retrieval.embedder)
    else:
        code = overview_answer(source, asked.language)
    return owned_only(code, asked.customer_id, deps.owner_of)


def _counted_records(deps: AssistantDeps, asked: Question) -> list[ContextRecord] | None:
    """All the customer's records of the kind a counting question counts ("how many reviews"):
    the count comes from SQL, not from how many of them the search returned."""
    kind = counted_kind(asked.text)
    if kind is None or asked.customer_id is None:
        return None
    chars = deps.config.record_chars
    kept = (i for i in deps.interactions(asked.customer_id) if i.kind == kind)
    return [interaction_record(n, i, chars) for n, i in enumerate(kept, 1)]


def _search_query(asked: Question) -> str:
    """A follow-up ("and what about the refund?") needs the previous question to retrieve well."""
    last_user = next((t.text for t in reversed(asked.history) if t.role == "user"), "")
    return f"{last_user} {asked.text}" if last_user and len(asked.text) < 40 else asked.text


def _write(
    deps: AssistantDeps, asked: Question, context: list[ContextRecord], reply: Reply
) -> Generator[StreamEvent, None, bool]:
    """Prompt, check each of the model's sentences as it ends and show it, fall back to the
    records when none passes; returns False when the model said the records do not answer."""
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
    scorer = Scorer([r.text for r in context], deps.retrieval.embedder)
    checker = SentenceChecker(
        lambda text: check(
            deps,
            text,
            context,
            customer_id=asked.customer_id,
            facts_text=facts_text,
            question=asked.text,
            scorer=scorer,
        )
    )
    buffer = SentenceBuffer()
    draft = Generated()
    pieces = generate(deps, messages, min(deps.max_tokens, ANSWER_TOKENS), draft)
    for written, piece in enumerate(pieces, 1):
        yield StreamEvent(type="progress", written=written)
        for raw in buffer.push(piece):
            yield from _show_checked(checker, raw, reply)
    if not draft.degraded:
        for raw in buffer.flush():
            yield from _show_checked(checker, raw, reply)
    add_guard(reply.guard, checker.guard)
    reply.degraded = draft.degraded
    if checker.sentences:
        return True
    if declines(checker.said_not_in_records, context):
        return False
    yield from reply.show(
        *fall_back(context, language, question=asked.text, embedder=deps.retrieval.embedder)
    )
    return True


def _show_checked(checker: SentenceChecker, raw: str, reply: Reply) -> Iterator[StreamEvent]:
    kept = checker.take(raw)
    cited = {r for s in kept for r in s.citations}
    yield from reply.show(kept, [c for c in checker.citations if c.record_id in cited])


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
