"""The named steps every job is made of: gather, prompt, generate, check, fall back, record.

A job (assistant/jobs/) gathers its facts and records in scope, renders its prompt from
prompts/, lets the model write, checks every sentence against what it gathered (one
GroundingPolicy), falls back to the records themselves when nothing survives, and records the
output (conversation turns, one audit row).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any, Protocol

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from assistant.answerability import Decision, decide, trust_not_in_records
from assistant.citations import code_citation
from assistant.context import ContextRecord, select_records
from assistant.deps import AssistantDeps
from assistant.grounding import Grounded, ground
from assistant.labels import label
from assistant.prompting import render_prompt
from assistant.similarity import Embedder, Scorer, content_tokens, overlap
from assistant.spans import answering_sentences, count_unit, is_counting
from assistant.types import Citation, GuardReport, Sentence
from knowledge.journal import add_turn, write_audit
from retrieval.types import Scope, SearchHit

log = logging.getLogger(__name__)

# --- gather ---------------------------------------------------------------------------------


def relevance(deps: AssistantDeps, question: str, texts: list[str]) -> list[float | None]:
    """Per text, how plausibly it answers the question (max of cosine and token overlap), or
    None when neither clears the policy's relevance bar."""
    if not texts:
        return []
    scorer = Scorer(texts, deps.retrieval.embedder)
    q_tokens = content_tokens(question)
    out: list[float | None] = []
    for text, cos in zip(texts, scorer.cosines(question), strict=True):
        ov = overlap(q_tokens, content_tokens(text))
        out.append(max(cos, ov) if deps.policy.relevant(ov, cos) else None)
    return out


def relevant_records(
    deps: AssistantDeps, question: str, records: list[ContextRecord]
) -> list[ContextRecord]:
    """The records that plausibly answer the question, best first."""
    scores = relevance(deps, question, [r.text for r in records])
    scored = [(score, r) for score, r in zip(scores, records, strict=True) if score is not None]
    return [r for _, r in sorted(scored, key=lambda x: -x[0])]


def search_scopes(
    deps: AssistantDeps, query: str, customer_id: int | None
) -> list[list[SearchHit]]:
    """The hits of each scope the question may see: the customer's records (if any), then the
    knowledge base; each list ranked on its own."""
    config = deps.config
    lists: list[list[SearchHit]] = []
    if customer_id is not None:
        # A counting question needs every matching record, not the few a short answer cites.
        k = 3 * config.answer_k if is_counting(query) else config.answer_k
        lists.append(deps.retrieval.search(query, Scope.customer(customer_id), k=k))
    lists.append(deps.retrieval.search(query, Scope.knowledge_base(), k=config.kb_k))
    return lists


def answerability(
    deps: AssistantDeps, question: str, lists: list[list[SearchHit]], *, facts_answer: bool = False
) -> Decision:
    """The answerability decision on the hits (see assistant.answerability)."""
    texts = [h.text for hits in lists for h in hits]
    cosines = Scorer(texts, deps.retrieval.embedder).cosines(question) if texts else []
    return decide(question, lists, cosines, facts_answer=facts_answer)


def gather(
    deps: AssistantDeps, query: str, customer_id: int | None
) -> tuple[list[SearchHit], list[ContextRecord]]:
    """Search the customer's records (if any) and the knowledge base, keep the hits the
    answerability decision keeps, and number as many as the context budget holds:
    (relevant hits, context records; both empty when the records do not answer)."""
    decision = answerability(deps, query, search_scopes(deps, query, customer_id))
    context = select_records(
        decision.kept,
        budget_tokens=deps.config.context_tokens,
        record_chars=deps.config.record_chars,
        confidence=decision.confidence,
    )
    return decision.kept, context


# --- prompt ---------------------------------------------------------------------------------


def prompt(job: str, language: str, **variables: Any) -> list[BaseMessage]:
    """The job's two turns: prompts/<language>/<job>_system.txt and <job>_user.txt, rendered."""
    return [
        SystemMessage(render_prompt(f"{job}_system", language, **variables)),
        HumanMessage(render_prompt(f"{job}_user", language, **variables)),
    ]


# --- generate -------------------------------------------------------------------------------


@dataclass
class Generated:
    """What the model wrote, or why it wrote nothing usable."""

    text: str = ""
    degraded: str | None = None  # the failure; text is then '' and the job falls back


def model_text(
    deps: AssistantDeps, messages: list[BaseMessage], max_tokens: int | None = None
) -> Generator[str, None, None]:
    """Stream the model's text; closing the iterator stops generation."""
    kwargs: dict[str, Any] = {}
    if max_tokens:
        kwargs["max_tokens"] = max_tokens
    stream = deps.llm.stream(messages, **kwargs)
    try:
        for chunk in stream:
            text = chunk.content if isinstance(chunk.content, str) else str(chunk.content)
            if text:
                yield text
    finally:
        stream.close()  # type: ignore[attr-defined]


def generate(
    deps: AssistantDeps, messages: list[BaseMessage], max_tokens: int | None, into: Generated
) -> Iterator[str]:
    """Yield the model's text as it comes and collect it in `into`; a failure leaves `into`
    empty with the reason (any backend failure degrades to the extractive result)."""
    pieces: list[str] = []
    try:
        with closing(model_text(deps, messages, max_tokens)) as stream:
            for piece in stream:
                pieces.append(piece)
                yield piece
    except Exception as e:
        # The message may quote the model's output or the request (personal data): DEBUG only.
        log.warning("LLM generation failed (%s)", type(e).__name__)
        log.debug("LLM generation failed: %s", e)
        into.degraded = f"{type(e).__name__}: {e}"
        pieces = []  # a text cut off mid-sentence is not an answer
    into.text = "".join(pieces)


def complete(
    deps: AssistantDeps, messages: list[BaseMessage], max_tokens: int | None = None
) -> Generated:
    """The model's whole text, or '' and the reason when the model failed."""
    out = Generated()
    for _ in generate(deps, messages, max_tokens, out):
        pass
    return out


# --- check ----------------------------------------------------------------------------------


def check(
    deps: AssistantDeps,
    text: str,
    context: list[ContextRecord],
    *,
    customer_id: int | None,
    facts_text: str,
    question: str = "",
    owners: Callable[[list[str]], tuple[list[str], int]] | None = None,
    scorer: Scorer | None = None,
) -> Grounded:
    """Ground the model's text in the context under the one policy (see grounding.ground)."""
    return ground(
        text,
        context,
        scorer or Scorer([r.text for r in context], deps.retrieval.embedder),
        deps.policy,
        customer_id=customer_id,
        owner_of=deps.owner_of,
        facts_text=facts_text,
        check=owners,
        question=question,
    )


def add_guard(total: GuardReport, part: GuardReport) -> None:
    """Add one check's guard counts to a job's total."""
    total.invalid_citations_removed += part.invalid_citations_removed
    total.unsupported_sentences_dropped += part.unsupported_sentences_dropped
    total.unsafe_tokens_removed += part.unsafe_tokens_removed


# --- fall back ------------------------------------------------------------------------------


def fall_back(
    records: list[ContextRecord],
    language: str,
    limit: int = 2,
    *,
    question: str = "",
    embedder: Embedder | None = None,
) -> tuple[list[Sentence], list[Citation]]:
    """The records themselves, dated and cited: what the user gets when the model fails. Given
    the question, each record is quoted by the sentence that answers it (assistant.spans)."""
    sentences = [Sentence(text=label("extractive_intro", language), generated=False)]
    for r in records[:limit]:
        span = " ".join(answering_sentences(question, r.text, embedder)) if question else r.span
        sentences.append(_dated(r, span))
    return sentences, [code_citation(r) for r in records[:limit]]


def count_and_list(
    question: str,
    records: list[ContextRecord],
    language: str,
    embedder: Embedder | None = None,
    *,
    zero_counts: bool = False,
) -> tuple[list[Sentence], list[Citation]] | None:
    """For a counting question ("how many times", "何回", "すべて"): the number of the
    customer's matching records and one cited line each, assembled by code; None otherwise.
    zero_counts: the records are all there are (counted from SQL), so none is an answer."""
    matching = [r for r in records if r.customer_id is not None]
    if not (is_counting(question) and (matching or zero_counts)):
        return None
    matching.sort(key=lambda r: (r.date is None, r.date))
    n = len(matching)
    unit = count_unit(question, n, language)
    intro = label("count_intro_unit", language, n=n, unit=unit) if unit else None
    sentences = [Sentence(text=intro or label("count_intro", language, n=n), generated=False)]
    for r in matching:
        sentences.append(_dated(r, " ".join(answering_sentences(question, r.text, embedder))))
    return sentences, [code_citation(r) for r in matching]


def declines(said_not_in_records: bool, context: list[ContextRecord]) -> bool:
    """Whether the answer is "not in the records": the model said so and the answerability
    decision was not near certain that the records answer."""
    confidence = max((r.confidence for r in context), default=0.0)
    return trust_not_in_records(said_not_in_records, confidence)


def _dated(r: ContextRecord, text: str) -> Sentence:
    date = r.date.date().isoformat() if r.date else ""
    return Sentence(
        text=f"{date} ({r.kind}): {text}".strip(), citations=[r.record_id], generated=False
    )


# --- record ---------------------------------------------------------------------------------


class Output(Protocol):
    """What every job's result has that its audit row needs."""

    @property
    def output_id(self) -> str: ...
    @property
    def customer_id(self) -> int | None: ...
    @property
    def guard(self) -> GuardReport: ...


def record(
    deps: AssistantDeps,
    output: Output,
    *,
    actor: str,
    action: str,
    details: dict[str, Any] | None = None,
) -> None:
    """One audit_log row per generated output: who, what, about whom, which records it cites."""
    citations: list[Citation] = getattr(output, "citations", [])  # a rewrite cites nothing
    write_audit(
        deps.sessions,
        output_id=output.output_id,
        actor=actor,
        action=action,
        customer_id=output.customer_id,
        cited_records=[c.record_id for c in citations],
        model=deps.model,
        details={"guard": output.guard.model_dump(), **(details or {})},
        key_id=deps.key_id,
    )


def save_exchange(
    deps: AssistantDeps,
    conversation_id: str,
    *,
    question: str,
    answer: str,
    customer_id: int | None,
    actor: str,
) -> None:
    """The question and the answer as the conversation's next two turns."""
    for role, text in (("user", question), ("assistant", answer)):
        add_turn(
            deps.sessions,
            conversation_id,
            role=role,
            text=text,
            customer_id=customer_id,
            actor=actor,
            key_id=deps.key_id,
        )
