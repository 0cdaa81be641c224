"""Follow-up e-mail drafts: the frame from a purpose template, one paragraph from the model."""

from __future__ import annotations

import re
from typing import Any

from langchain_core.messages import HumanMessage, SystemMessage

from assistant import findings
from assistant.base import Jobs, new_output_id
from assistant.brief import _record
from assistant.context import ContextRecord, render_facts, render_records, within_budget
from assistant.errors import InvalidRequest
from assistant.facts import fact_lines, profile_facts
from assistant.grounding import ground
from assistant.language import choose_language
from assistant.prompting import email_templates, render_prompt, render_text
from assistant.similarity import Scorer, content_tokens, overlap
from assistant.types import EmailDraft, GuardReport
from assistant.vocabulary import LENGTHS, PURPOSES, TONES
from knowledge.errors import ConsentError

SUPPORT_COSINE = 0.5
# A weak model sometimes writes from the customer's side; such sentences are dropped.
_WRONG_SIDE = re.compile(
    r"\bI would like to (?:request|order|ask)|\bplease send (?:me|us) (?:a|the) quote"
    r"|\bI am writing to (?:ask|request|inquire)|見積(?:も)?りをお願い|注文したいのですが",
    re.IGNORECASE,
)
# A paragraph that carries a record's speaker labels ("お客様:", "担当(BA 早川):", "Agent:") was
# copied from the conversation log, not written to the customer: the whole paragraph is unfit.
_TRANSCRIPT = re.compile(
    r"(?:お客様|担当|顧客|オペレーター|Customer|Agent|Rep)\s*(?:[(（][^)）]*[)）])?\s*[:：]",
    re.IGNORECASE,
)
_FACT_KEYS = ["name", "order_count", "last_order_at", "ctb_category", "segment"]


def _variables(jobs: Jobs, profile: Any, step: int | None, lang: str) -> dict[str, Any]:
    last = profile.recent_orders[0] if profile.recent_orders else None
    product = last.lines[0].product_name if last and last.lines else ""
    last_date = last.ordered_at.date().isoformat() if last and last.ordered_at else ""
    return {
        "name": profile.customer.name,
        "last_product": product or ("ご購入の商品" if lang == "ja" else "your purchase"),
        "last_order_date": last_date or ("先日" if lang == "ja" else "recently"),
        "top_category": profile.facts.ctb.category or product,
        "sender": jobs.cfg.company_name,
        "step": step or "",
    }


def build_draft(
    jobs: Jobs,
    customer_id: int,
    *,
    purpose: str,
    tone: str,
    length: str,
    language: str | None,
    step: int | None,
    actor: str,
) -> EmailDraft:
    """A reviewed-by-a-person draft (never sent); ConsentError for marketing to an opt-out."""
    from knowledge.repository import list_interactions

    if purpose not in PURPOSES:
        raise InvalidRequest(f"purpose {purpose!r} is not one of {', '.join(PURPOSES)}")
    if tone not in TONES:
        raise InvalidRequest(f"tone {tone!r} is not one of {', '.join(TONES)}")
    if length not in LENGTHS:
        raise InvalidRequest(f"length {length!r} is not one of {', '.join(LENGTHS)}")
    profile = jobs.profile(customer_id)
    cid = profile.customer.id
    lang = choose_language(language, "", profile.customer.language)
    frames = email_templates(lang)
    frame = frames[purpose]
    if frame.get("marketing") and profile.customer.email_opt_out:
        raise ConsentError(
            f"customer {cid} opted out of marketing e-mail: no {purpose} draft (service mail only)"
        )
    variables = _variables(jobs, profile, step, lang)
    if purpose == "f2_step":
        step = step or 1
        steps = frame["steps"]
        if str(step) not in steps:
            raise InvalidRequest(f"f2_step step must be one of {', '.join(steps)}, not {step}")
        subject_t, instruction_t, fallback_t = steps[str(step)]
        variables |= {
            "step_subject": render_text(subject_t, variables, "f2 subject"),
            "step_instruction": render_text(instruction_t, variables, "f2 instruction"),
            "step_fallback": render_text(fallback_t, variables, "f2 fallback"),
        }
    with jobs.sessions() as s:
        interactions = list_interactions(s, cid)
    context = _context(purpose, interactions, jobs.cfg.record_chars, jobs.cfg.intents)
    issue = context[0].span if purpose == "apology" and context else ""
    variables["issue"] = issue[:120] or ("ご指摘の件" if lang == "ja" else "the issue you reported")
    where = f"{lang}/email_templates.yaml:{purpose}"
    subject = render_text(str(frame["subject"]), variables, where)
    instruction = render_text(str(frame["instruction"]), variables, where)
    fallback = render_text(str(frame["fallback"]), variables, where)
    facts = profile_facts(profile)
    facts_text = render_facts(fact_lines(facts, lang, _FACT_KEYS), lang)
    messages = [
        SystemMessage(render_prompt("email_system", lang)),
        HumanMessage(
            render_prompt(
                "email_user",
                lang,
                facts=facts_text,
                records=render_records(context, lang),
                instruction=instruction,
                tone=tone,
                sentences=LENGTHS[length],
            )
        ),
    ]
    text, degraded = jobs.complete(messages, max_tokens=60 * LENGTHS[length])
    paragraph, citations, guard = _checked_paragraph(
        jobs, text, context, cid, facts_text + "\n" + instruction + "\n" + fallback
    )
    if not paragraph:
        paragraph = fallback
    greeting = render_text(str(frames["greeting"]), variables, f"{lang}/greeting")
    closing = render_text(str(frames["closing"]), variables, f"{lang}/closing")
    body = f"{greeting}\n\n{paragraph}\n\n{closing}\n"
    output_id = new_output_id()
    draft = EmailDraft(
        output_id=output_id,
        customer_id=cid,
        purpose=purpose,
        tone=tone,
        length=length,
        language=lang,
        subject=subject,
        body=body,
        citations=citations,  # type: ignore[arg-type]
        facts=facts,
        model=jobs.model,
        guard=guard,
        step=step if purpose == "f2_step" else None,
        degraded=degraded,
    )
    jobs.audit(
        output_id=output_id,
        actor=actor,
        action="draft_email",
        customer_id=cid,
        citations=citations,
        guard=guard,
        details={"purpose": purpose, "step": draft.step, "language": lang},
    )
    return draft


def _context(
    purpose: str, interactions: list[Any], chars: int, intents: list[str]
) -> list[ContextRecord]:
    if purpose == "apology":
        chosen = [f.interaction for f in findings.complaints(interactions, intents)[:2]]
        chosen += [f.interaction for f in findings.open_issues(interactions)[:2]]
    elif purpose == "renewal":
        chosen = [
            i
            for i in interactions
            if (i.intent or findings.classify_intent(f"{i.subject or ''} {i.body}", intents))
            == "quote"
        ][-3:]
    else:
        chosen = sorted(interactions, key=lambda i: i.occurred_at)[-3:]
    unique = list({i.record_id: i for i in chosen}.values())
    return within_budget([_record(n, i, chars) for n, i in enumerate(unique, 1)], 500)


def _checked_paragraph(
    jobs: Jobs, text: str, context: list[ContextRecord], cid: int, frame_text: str
) -> tuple[str, list[Any], GuardReport]:
    """Keep sentences supported by a record (cited) or by the facts and purpose; drop the rest."""
    scorer = Scorer([r.text for r in context], jobs.retrieval.embedder)
    g = ground(
        text,
        context,
        scorer,
        customer_id=cid,
        owner_of=jobs.owner_of,
        facts_text=frame_text,
        support_threshold=jobs.cfg.support_threshold,
        support_cosine=SUPPORT_COSINE,
    )
    kept_by_frame = set()
    frame_tokens = content_tokens(frame_text)
    for sentence in g.dropped:
        if overlap(content_tokens(sentence), frame_tokens) >= jobs.cfg.support_threshold:
            kept_by_frame.add(sentence)
            g.guard.unsupported_sentences_dropped -= 1
    kept = {s.text for s in g.sentences} | kept_by_frame
    if _TRANSCRIPT.search(text):
        g.guard.unsupported_sentences_dropped += len(kept)
        return "", [], g.guard
    out = [s for s in g.order if s in kept and not _WRONG_SIDE.search(s)]
    return " ".join(out), g.citations, g.guard
