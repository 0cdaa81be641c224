"""Rewrite a draft for tone or length, keeping every fact; nothing new may slip in."""

from __future__ import annotations

from langchain_core.messages import HumanMessage, SystemMessage

from assistant.base import Jobs, new_output_id
from assistant.errors import InvalidRequest
from assistant.guards import scrub_unsafe, unsourced_numbers
from assistant.language import choose_language
from assistant.prompting import render_prompt
from assistant.similarity import split_sentences
from assistant.types import GuardReport


def rewrite_text(
    jobs: Jobs, text: str, instruction: str, *, language: str | None, actor: str
) -> tuple[str, GuardReport, str | None]:
    """The rewritten text (the original when the model fails), its guard report, degradation."""
    if not text.strip() or not instruction.strip():
        raise InvalidRequest("rewrite needs a non-empty text and instruction")
    lang = choose_language(language, text)
    messages = [
        SystemMessage(render_prompt("rewrite_system", lang)),
        HumanMessage(render_prompt("rewrite_user", lang, instruction=instruction, text=text)),
    ]
    out, degraded = jobs.complete(messages, max_tokens=max(128, len(text) // 2))
    guard = GuardReport()
    kept = []
    # Paragraph breaks matter in an e-mail: check sentence by sentence, line by line.
    for line in out.strip().split("\n"):
        line_kept = []
        for sentence in split_sentences(line) or [""]:
            clean, removed = scrub_unsafe(sentence, text)
            guard.unsafe_tokens_removed += removed
            if unsourced_numbers(clean, text):
                guard.unsupported_sentences_dropped += 1
                continue
            line_kept.append(clean)
        kept.append(" ".join(s for s in line_kept if s))
    result = "\n".join(kept).strip()
    if not result:
        result, degraded = text, degraded or "the rewrite was empty after checks; original kept"
    jobs.audit(
        output_id=new_output_id(),
        actor=actor,
        action="rewrite",
        customer_id=None,
        citations=[],
        guard=guard,
        details={"instruction": instruction, "degraded": degraded},
    )
    return result, guard, degraded
