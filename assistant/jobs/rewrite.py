"""Rewrite a draft for tone or length, keeping every fact; nothing new may slip in."""

from __future__ import annotations

from typing import Any

from assistant.deps import AssistantDeps, new_output_id
from assistant.errors import InvalidRequest
from assistant.guards import scrub_unsafe, unsourced_numbers
from assistant.language import choose_language
from assistant.pipeline import complete, prompt, record
from assistant.similarity import split_sentences
from assistant.types import GuardReport, RewriteResult
from knowledge.journal import get_audit


def rewrite_text(
    deps: AssistantDeps,
    text: str,
    instruction: str,
    *,
    language: str | None,
    customer_id: int | None = None,
    source_output_id: str | None = None,
    actor: str,
) -> RewriteResult:
    """The rewritten text (the original when the model fails); writes one audit row.

    The audit row names the customer: customer_id, or else the customer of the rewritten
    output (source_output_id, e.g. an e-mail draft), so feedback on a rewrite is traceable.
    """
    if not text.strip() or not instruction.strip():
        raise InvalidRequest("rewrite needs a non-empty text and instruction")
    cid = _customer_of(deps, customer_id, source_output_id)
    lang = choose_language(language, text)
    messages = prompt("rewrite", lang, instruction=instruction, text=text)
    generated = complete(deps, messages, max_tokens=max(128, len(text) // 2))
    guard = GuardReport()
    result, degraded = _checked(generated.text, text, guard), generated.degraded
    if not result:
        result, degraded = text, degraded or "the rewrite was empty after checks; original kept"
    rewrite = RewriteResult(
        output_id=new_output_id(),
        text=result,
        instruction=instruction,
        language=lang,
        customer_id=cid,
        source_output_id=source_output_id,
        model=deps.model,
        guard=guard,
        degraded=degraded,
    )
    details: dict[str, Any] = {"instruction": instruction, "language": lang}
    details |= {"source_output_id": source_output_id, "degraded": degraded}
    record(deps, rewrite, actor=actor, action="rewrite", details=details)
    return rewrite


def _checked(rewritten: str, original: str, guard: GuardReport) -> str:
    """The rewrite without links, contact data or numbers the original does not have."""
    kept = []
    # Paragraph breaks matter in an e-mail: check sentence by sentence, line by line.
    for line in rewritten.strip().split("\n"):
        line_kept = []
        for sentence in split_sentences(line) or [""]:
            clean, removed = scrub_unsafe(sentence, original)
            guard.unsafe_tokens_removed += removed
            if unsourced_numbers(clean, original):
                guard.unsupported_sentences_dropped += 1
                continue
            line_kept.append(clean)
        kept.append(" ".join(s for s in line_kept if s))
    return "\n".join(kept).strip()


def _customer_of(
    deps: AssistantDeps, customer_id: int | None, source_output_id: str | None
) -> int | None:
    """The customer a rewrite is about (merges followed); InvalidRequest when the two disagree."""
    source_customer = None
    if source_output_id is not None:
        source = get_audit(deps.sessions, source_output_id)
        if source is None:
            raise InvalidRequest(f"output {source_output_id} does not exist")
        source_customer = source.customer_id
    with deps.sessions() as s:  # CustomerNotFound for an unknown or hidden customer_id
        given = deps.visibility.require(s, customer_id) if customer_id is not None else None
        if source_customer is not None:
            source_customer = deps.visibility.require(s, source_customer)
    if given is not None and source_customer is not None and given != source_customer:
        raise InvalidRequest(
            f"output {source_output_id} is about customer {source_customer}, not {given}"
        )
    return given if given is not None else source_customer
