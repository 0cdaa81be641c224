"""The support-desk chat: retrieve in scope, let the model connect, keep only cited sentences."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from langchain_core.messages import HumanMessage, SystemMessage

from assistant.base import Jobs, code_citation, new_output_id
from assistant.context import ContextRecord, render_facts, render_records, select_records
from assistant.errors import InvalidRequest
from assistant.facts import fact_lines, profile_facts
from assistant.grounding import ground
from assistant.labels import label
from assistant.language import detect_language
from assistant.prompting import render_prompt
from assistant.similarity import Scorer, content_tokens, overlap
from assistant.types import AnswerResult, Citation, GuardReport, Sentence, StreamEvent
from knowledge.journal import add_turn, recent_turns, record_gap
from retrieval.types import Scope, SearchHit

log = logging.getLogger(__name__)

SUPPORT_COSINE = 0.5
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


def relevance(jobs: Jobs, question: str, texts: list[str]) -> list[float | None]:
    """Per text, how plausibly it answers the question (max of cosine and token overlap), or
    None when neither clears its bar (cosine `relevance_threshold`, overlap 50 %)."""
    if not texts:
        return []
    scorer = Scorer(texts, jobs.retrieval.embedder)
    q_tokens = content_tokens(question)
    out: list[float | None] = []
    for text, cos in zip(texts, scorer.cosines(question), strict=True):
        ov = overlap(q_tokens, content_tokens(text))
        out.append(max(cos, ov) if cos >= jobs.cfg.relevance_threshold or ov >= 0.5 else None)
    return out


def relevant_hits(jobs: Jobs, question: str, hits: list[SearchHit]) -> list[SearchHit]:
    """The hits that plausibly answer the question (cosine or token overlap above threshold)."""
    scores = relevance(jobs, question, [h.text for h in hits])
    return [h for h, score in zip(hits, scores, strict=True) if score is not None]


def warm_up(jobs: Jobs) -> float:
    """Evaluate the chat's fixed prefix (system prompt) in both languages once; returns seconds.

    The local model keeps the evaluated prefix (KV cache), so the first question of each
    language only evaluates its own facts, records and question: that is most of the time to
    first token on two cores.
    """
    started = time.perf_counter()
    for language in ("ja", "en"):
        # The user turn's opening matches every real prompt up to its first character.
        messages = [SystemMessage(render_prompt("answer_system", language)), HumanMessage("-")]
        _, failed = jobs.complete(messages, max_tokens=1)
        if failed:
            log.warning("warm-up of the %s prefix failed: %s", language, failed)
    return time.perf_counter() - started


def extractive(records: list[ContextRecord], language: str, limit: int = 2) -> list[Sentence]:
    """The records themselves, dated and cited: what the user gets when the model fails."""
    out = [Sentence(text=label("extractive_intro", language), generated=False)]
    for r in records[:limit]:
        date = r.date.date().isoformat() if r.date else ""
        out.append(
            Sentence(
                text=f"{date} ({r.kind}): {r.span}".strip(),
                citations=[r.record_id],
                generated=False,
            )
        )
    return out


def render_text(sentences: list[Sentence], citations: list[Citation]) -> str:
    """Sentences joined, each followed by [n] markers numbered by the citations list."""
    index = {c.record_id: i + 1 for i, c in enumerate(citations)}
    parts = []
    for s in sentences:
        marks = "".join(f"[{index[r]}]" for r in s.citations if r in index)
        parts.append(f"{s.text}{' ' + marks if marks else ''}")
    return "\n".join(parts)


def answer_stream(
    jobs: Jobs,
    question: str,
    *,
    customer_id: int | None,
    conversation_id: str | None,
    actor: str,
) -> Iterator[StreamEvent]:
    """Token events while the model writes, then one result event with the checked answer."""
    if not question.strip():
        raise InvalidRequest("the question is empty")
    language = detect_language(question)
    output_id = new_output_id()
    facts: dict[str, object] = {}
    if customer_id is not None:
        profile = jobs.profile(customer_id)
        customer_id = profile.customer.id  # a merged customer's question goes to the survivor
        facts = {k: v for k, v in profile_facts(profile).items() if k in ANSWER_FACT_KEYS}
    history = (
        recent_turns(jobs.sessions, conversation_id, jobs.cfg.history_turns)
        if (conversation_id)
        else []
    )
    # A follow-up ("and what about the refund?") needs the previous question to retrieve well.
    last_user = next((t.text for t in reversed(history) if t.role == "user"), "")
    query = f"{last_user} {question}" if last_user and len(question) < 40 else question

    hits: list[SearchHit] = []
    if customer_id is not None:
        hits += jobs.retrieval.search(query, Scope.customer(customer_id), k=jobs.cfg.answer_k)
    kb_hits = jobs.retrieval.search(query, Scope.knowledge_base(), k=jobs.cfg.kb_k)
    relevant = relevant_hits(jobs, query, hits + kb_hits)
    context = select_records(
        relevant, budget_tokens=jobs.cfg.context_tokens, record_chars=jobs.cfg.record_chars
    )
    guard = GuardReport()
    degraded: str | None = None
    sentences: list[Sentence] = []
    citations: list[Citation] = []
    answered = bool(context)
    if context:
        facts_text = render_facts(fact_lines(facts, language), language)
        history_text = "\n".join(f"{t.role}: {t.text}" for t in history)
        if history_text:
            history_text = f"{label('history_header', language)}\n{history_text}"
        messages = [
            SystemMessage(render_prompt("answer_system", language)),
            HumanMessage(
                render_prompt(
                    "answer_user",
                    language,
                    facts=facts_text,
                    records=render_records(context, language),
                    history=history_text,
                    question=question,
                )
            ),
        ]
        pieces: list[str] = []
        try:
            for piece in jobs.generate(messages, min(jobs.settings.llm.max_tokens, ANSWER_TOKENS)):
                pieces.append(piece)
                yield StreamEvent(type="token", text=piece)
        except Exception as e:  # the user still gets the records (extractive answer)
            log.warning("answer generation failed (%s): %s", type(e).__name__, e)
            degraded = f"{type(e).__name__}: {e}"
            pieces = []  # a text cut off mid-sentence is not an answer
        grounded = ground(
            "".join(pieces),
            context,
            Scorer([r.text for r in context], jobs.retrieval.embedder),
            customer_id=customer_id,
            owner_of=jobs.owner_of,
            facts_text=facts_text,
            support_threshold=jobs.cfg.support_threshold,
            support_cosine=SUPPORT_COSINE,
            question=question,
        )
        guard = grounded.guard
        sentences, citations = grounded.sentences, grounded.citations
        if not sentences and grounded.said_not_in_records:
            answered = False
        elif not sentences:
            sentences = extractive(context, language)
            citations = [code_citation(r) for r in context[:2]]
    if not answered:
        gap = not any(h.customer_id is None for h in relevant)
        if gap:
            record_gap(jobs.sessions, question, language)
        sentences = [Sentence(text=label("not_answered", language), generated=False)]
        citations = []
    result = AnswerResult(
        output_id=output_id,
        question=question,
        language=language,
        text=render_text(sentences, citations),
        sentences=sentences,
        citations=citations,
        facts=facts,
        answered=answered,
        customer_id=customer_id,
        conversation_id=conversation_id,
        model=jobs.model,
        guard=guard,
        degraded=degraded,
    )
    if conversation_id:
        add_turn(
            jobs.sessions,
            conversation_id,
            role="user",
            text=question,
            customer_id=customer_id,
            actor=actor,
        )
        add_turn(
            jobs.sessions,
            conversation_id,
            role="assistant",
            text=result.text,
            customer_id=customer_id,
            actor=actor,
        )
    jobs.audit(
        output_id=output_id,
        actor=actor,
        action="answer",
        customer_id=customer_id,
        citations=citations,
        guard=guard,
        details={"question": question, "answered": answered, "degraded": degraded},
    )
    yield StreamEvent(type="result", result=result)
