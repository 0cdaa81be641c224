"""Follow-up e-mail drafts: greeting, the personal line and sign-off filled by code from SQL
(prompts/<lang>/email_templates.yaml), one connecting paragraph from the model, checked."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from assistant import findings
from assistant.citations import code_citation
from assistant.context import (
    ContextRecord,
    interaction_record,
    render_facts,
    render_records,
    within_budget,
)
from assistant.deps import AssistantDeps, new_output_id
from assistant.errors import InvalidRequest
from assistant.facts import fact_lines, profile_facts
from assistant.jobs import draft_filter
from assistant.language import choose_language
from assistant.pipeline import check, complete, prompt, record
from assistant.prompting import email_templates, render_text
from assistant.similarity import content_tokens, overlap
from assistant.types import Citation, EmailDraft, GuardReport
from assistant.vocabulary import LENGTHS, PURPOSES, TONES
from knowledge.campaigns.definition import Offer
from knowledge.errors import ConsentError
from knowledge.injection import is_flagged
from knowledge.records import CustomerProfile, InteractionRecord

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
_CONTEXT_TOKENS = 500


@dataclass(frozen=True)
class Frame:
    """The purpose's template filled with data: the whole e-mail but the model's paragraph."""

    subject: str
    instruction: str  # what the model is asked to write
    personal: str  # the line from data: last product, favourite range, the issue, the topic
    fallback: str  # the paragraph when nothing the model wrote survives the check
    greeting: str
    closing: str
    offer: str = ""  # the offer line, from the campaign's definition only


@dataclass(frozen=True)
class CustomFrame:
    """A campaign's own step frame ($name, $last_product, $favourite ... filled from data)."""

    subject: str
    personal: str
    instruction: str = ""
    marketing: bool = True


def _variables(deps: AssistantDeps, profile: Any, step: int | None, lang: str) -> dict[str, Any]:
    last = profile.recent_orders[0] if profile.recent_orders else None
    product = last.lines[0].product_name if last and last.lines else ""
    last_date = last.ordered_at.date().isoformat() if last and last.ordered_at else ""
    ctb = profile.facts.ctb
    category = ctb.category or product or ("商品" if lang == "ja" else "products")
    # The favourite range from CTB: category, with the favourite taste when there is one.
    favourite = f"{category}（{ctb.taste}）" if lang == "ja" else f"{category} ({ctb.taste})"
    return {
        "name": profile.customer.name,
        "addressee": _addressee(profile, lang),
        "last_product": product or ("ご購入の商品" if lang == "ja" else "your purchase"),
        "last_order_date": last_date or ("先日" if lang == "ja" else "recently"),
        "top_category": category,
        "favourite": favourite if ctb.taste else category,
        "sender": deps.config.company_name,
        "step": step or "",
    }


def _addressee(profile: CustomerProfile, lang: str) -> str:
    """Whom the e-mail greets: a person by name; at a company its decision maker (or first
    contact), in Japanese after the company's name as a business letter is addressed."""
    customer = profile.customer
    if customer.kind != "company" or not profile.contacts:
        return customer.name
    contact = sorted(profile.contacts, key=lambda c: not c.is_decision_maker)[0]
    return f"{customer.name} {contact.name}" if lang == "ja" else contact.name


def build_draft(
    deps: AssistantDeps,
    customer_id: int,
    *,
    purpose: str,
    tone: str,
    length: str,
    language: str | None,
    step: int | None,
    actor: str,
    offer: Offer | None = None,
    custom: CustomFrame | None = None,
) -> EmailDraft:
    """A reviewed-by-a-person draft (never sent); ConsentError for marketing to an opt-out.

    offer: a campaign step's offer, the only one the draft may state; custom: the frame of a
    campaign's custom step (purpose "custom")."""
    profile, lang, step = _prepare(deps, customer_id, purpose, tone, length, language, step, custom)
    cid = profile.customer.id
    config = deps.config
    interactions = deps.interactions(cid)
    context = _context(purpose, interactions, config.record_chars, config.intents)
    frame = _frame(deps, profile, purpose, step, lang, context, offer, custom)
    facts = profile_facts(profile)
    facts_text = render_facts(fact_lines(facts, lang, _FACT_KEYS), lang)
    messages = prompt(
        "email",
        lang,
        facts=facts_text,
        records=render_records(context, lang),
        instruction=frame.instruction,
        personal=frame.personal,
        tone=tone,
        sentences=LENGTHS[length],
    )
    generated = complete(deps, messages, max_tokens=60 * LENGTHS[length])
    trusted = "\n".join(
        [
            facts_text,
            frame.instruction,
            frame.personal,
            frame.fallback,
            frame.offer,
            config.company_name,
        ]
    )
    paragraph, cited_by, guard = _checked_paragraph(deps, generated.text, context, cid, trusted)
    paragraph, removed = draft_filter.clean(
        paragraph,
        trusted=trusted,
        frame=f"{frame.greeting}\n{frame.personal}\n{frame.closing}",
        customer_names=_names(profile),
        customer_texts=[f"{i.subject or ''} {i.body}" for i in interactions],
    )
    guard.unsupported_sentences_dropped += removed
    citations = _ordered(profile, purpose) + _titled(purpose, context) + _cited(paragraph, cited_by)
    citations = list({c.record_id: c for c in citations}.values())
    draft = EmailDraft(
        output_id=new_output_id(),
        customer_id=cid,
        purpose=purpose,
        tone=tone,
        length=length,
        language=lang,
        subject=frame.subject,
        body=_body(frame, paragraph or frame.fallback),
        citations=citations,
        facts=facts,
        model=deps.model,
        guard=guard,
        step=step if purpose == "f2_step" else None,
        degraded=generated.degraded,
    )
    details = {"purpose": purpose, "step": draft.step, "language": lang}
    record(deps, draft, actor=actor, action="draft_email", details=details)
    return draft


def template_draft(
    deps: AssistantDeps,
    customer_id: int,
    *,
    purpose: str,
    language: str | None,
    step: int | None,
    offer: Offer | None = None,
    custom: CustomFrame | None = None,
) -> EmailDraft:
    """The code-only draft for large sends: the same frame and personal line from data, the
    purpose's fixed paragraph, no model; cites the order the personal line names."""
    profile, lang, step = _prepare(
        deps, customer_id, purpose, "polite", "short", language, step, custom
    )
    context: list[ContextRecord] = []
    if purpose in ("apology", "renewal"):  # the issue or topic is named by a record
        config = deps.config
        context = _context(
            purpose, deps.interactions(profile.customer.id), config.record_chars, config.intents
        )
    frame = _frame(deps, profile, purpose, step, lang, context, offer, custom)
    citations = _ordered(profile, purpose) + _titled(purpose, context)
    return EmailDraft(
        output_id=new_output_id(),
        customer_id=profile.customer.id,
        purpose=purpose,
        tone="polite",
        length="short",
        language=lang,
        subject=frame.subject,
        body=_body(frame, frame.fallback),
        citations=citations,
        facts=profile_facts(profile),
        model="code-only",
        guard=GuardReport(),
        step=step if purpose == "f2_step" else None,
    )


def _ordered(profile: CustomerProfile, purpose: str) -> list[Citation]:
    """The last order, cited when the personal line names its product (every purpose but an
    apology or a renewal, whose line names a record)."""
    last = profile.recent_orders[0] if profile.recent_orders else None
    if purpose in ("apology", "renewal") or last is None or not last.lines:
        return []
    quote = last.lines[0].product_name
    return [Citation(record_id=last.record_id, kind="order", date=last.ordered_at, quote=quote)]


def _prepare(
    deps: AssistantDeps,
    customer_id: int,
    purpose: str,
    tone: str,
    length: str,
    language: str | None,
    step: int | None,
    custom: CustomFrame | None,
) -> tuple[CustomerProfile, str, int | None]:
    """(profile, language, step) after the options and consent checks."""
    _check_options(purpose, tone, length, custom)
    profile = deps.profile(customer_id)
    cid = profile.customer.id
    lang = choose_language(language, "", profile.customer.language)
    marketing = (
        custom.marketing if custom else bool(email_templates(lang)[purpose].get("marketing"))
    )
    if marketing and profile.customer.email_opt_out:
        raise ConsentError(
            f"customer {cid} opted out of marketing e-mail: no {purpose} draft (service mail only)"
        )
    if purpose == "f2_step":
        step = _f2_step(email_templates(lang)[purpose], step)
    return profile, lang, step


def _body(frame: Frame, paragraph: str) -> str:
    offer = f"{frame.offer}\n\n" if frame.offer else ""
    return f"{frame.greeting}\n\n{frame.personal} {paragraph}\n\n{offer}{frame.closing}\n"


def offer_line(offer: Offer, lang: str) -> str:
    """The one sentence that states the offer, exactly as the campaign defines it."""
    frames = email_templates(lang)
    v = offer.value
    value = f"{v:,.0f}" if v == v.to_integral_value() else f"{v:,f}"
    variables = {
        "code": offer.code,
        "value": value,
        "currency": offer.currency,
        "valid_until": offer.valid_until.isoformat(),
    }
    where = f"{lang}/email_templates.yaml:offer"
    variables["discount"] = render_text(frames[f"offer_{offer.kind}"], variables, where)
    variables["conditions"] = (
        render_text(frames["offer_conditions"], {"conditions": offer.conditions}, where)
        if offer.conditions
        else ""
    )
    return render_text(frames["offer"], variables, where)


def _check_options(purpose: str, tone: str, length: str, custom: CustomFrame | None) -> None:
    """InvalidRequest for a purpose, tone or length that is not one of the known ones."""
    if purpose == "custom" and custom is not None:
        pass
    elif purpose not in PURPOSES:
        raise InvalidRequest(f"purpose {purpose!r} is not one of {', '.join(PURPOSES)}")
    if tone not in TONES:
        raise InvalidRequest(f"tone {tone!r} is not one of {', '.join(TONES)}")
    if length not in LENGTHS:
        raise InvalidRequest(f"length {length!r} is not one of {', '.join(LENGTHS)}")


def _f2_step(template: dict[str, Any], step: int | None) -> int:
    """The F2 sequence's step (1 when not given); InvalidRequest for one the template lacks."""
    step = step or 1
    steps = template["steps"]
    if str(step) not in steps:
        raise InvalidRequest(f"f2_step step must be one of {', '.join(steps)}, not {step}")
    return step


def _frame(
    deps: AssistantDeps,
    profile: CustomerProfile,
    purpose: str,
    step: int | None,
    lang: str,
    context: list[ContextRecord],
    offer: Offer | None = None,
    custom: CustomFrame | None = None,
) -> Frame:
    """prompts/<lang>/email_templates.yaml's frame of the purpose (or the campaign's custom
    frame), filled with the data."""
    frames = email_templates(lang)
    template: dict[str, Any] = (
        {
            "subject": custom.subject,
            "instruction": custom.instruction or custom.personal,
            "personal": custom.personal,
            "fallback": "",
        }
        if custom is not None
        else frames[purpose]
    )
    variables = _variables(deps, profile, step, lang)
    if purpose == "f2_step":
        subject_t, instruction_t, personal_t, fallback_t = template["steps"][str(step)]
        variables |= {
            "step_subject": render_text(subject_t, variables, "f2 subject"),
            "step_instruction": render_text(instruction_t, variables, "f2 instruction"),
            "step_personal": render_text(personal_t, variables, "f2 personal"),
            "step_fallback": render_text(fallback_t, variables, "f2 fallback"),
        }
    # The issue and the topic are named by the record's subject (what it is about), never by
    # pasting what the customer wrote.
    about = [r.title for r in context if r.title and not r.flagged]
    variables["issue"] = (about[0] if purpose == "apology" and about else "")[:80] or (
        "ご指摘の件" if lang == "ja" else "the issue you reported"
    )
    topic = (about[0] if purpose == "renewal" and about else "")[:80]
    if lang == "en" and topic[1:2].islower():
        topic = topic[0].lower() + topic[1:]  # a subject ("Renewal quote") inside a sentence
    variables["topic"] = topic or ("お見積り" if lang == "ja" else "the quote we discussed")
    where = f"{lang}/email_templates.yaml:{purpose}"
    return Frame(
        subject=render_text(str(template["subject"]), variables, where),
        instruction=render_text(str(template["instruction"]), variables, where),
        personal=render_text(str(template["personal"]), variables, where),
        fallback=render_text(str(template["fallback"]), variables, where),
        greeting=render_text(str(frames["greeting"]), variables, f"{lang}/greeting"),
        closing=render_text(str(frames["closing"]), variables, f"{lang}/closing"),
        offer=offer_line(offer, lang) if offer is not None else "",
    )


def _context(
    purpose: str, interactions: list[InteractionRecord], chars: int, intents: list[str]
) -> list[ContextRecord]:
    # A record carrying text addressed to an AI is never a draft's source.
    interactions = [
        i for i in interactions if not (i.flagged or is_flagged(f"{i.subject or ''}\n{i.body}"))
    ]
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
    records = [interaction_record(n, i, chars) for n, i in enumerate(unique, 1)]
    return within_budget(records, _CONTEXT_TOKENS)


def _names(profile: CustomerProfile) -> list[str]:
    """The customer's own names (company, contacts): the company never writes them as itself."""
    return [profile.customer.name] + [c.name for c in profile.contacts]


def _titled(purpose: str, context: list[ContextRecord]) -> list[Citation]:
    """The record whose subject names the issue (apology) or the topic (renewal) in the
    personal line, cited by that subject (as _frame chooses it)."""
    if purpose not in ("apology", "renewal"):
        return []
    about = [r for r in context if r.title and not r.flagged]
    return [code_citation(about[0], about[0].title)] if about else []


def _key(text: str) -> str:
    """Letters and digits only, NFKC: the draft filter normalises what it keeps."""
    return re.sub(r"\W+", "", unicodedata.normalize("NFKC", text)).lower()


def _cited(paragraph: str, cited_by: list[tuple[str, list[Citation]]]) -> list[Citation]:
    """The citations of the checked sentences that the draft filter kept (a dropped sentence's
    source is no source of the draft, and its quote is not shown with it)."""
    out: dict[str, Citation] = {}
    kept = _key(paragraph)
    for sentence, citations in cited_by:
        if _key(sentence) and _key(sentence) in kept:
            for c in citations:
                out.setdefault(c.record_id, c)
    return list(out.values())


def _checked_paragraph(
    deps: AssistantDeps, text: str, context: list[ContextRecord], cid: int, frame_text: str
) -> tuple[str, list[tuple[str, list[Citation]]], GuardReport]:
    """Keep sentences supported by a record (cited) or by the facts and purpose; drop the rest.
    Returns the paragraph, each kept sentence with its citations, and the guard counts."""
    g = check(deps, text, context, customer_id=cid, facts_text=frame_text)
    kept_by_frame = set()
    frame_tokens = content_tokens(frame_text)
    for sentence in g.dropped:
        if overlap(content_tokens(sentence), frame_tokens) >= deps.policy.support_overlap:
            kept_by_frame.add(sentence)
            g.guard.unsupported_sentences_dropped -= 1
    kept = {s.text for s in g.sentences} | kept_by_frame
    if _TRANSCRIPT.search(text):
        g.guard.unsupported_sentences_dropped += len(kept)
        return "", [], g.guard
    out = [s for s in g.order if s in kept and not _WRONG_SIDE.search(s)]
    by_id = {c.record_id: c for c in g.citations}
    cited_by = [
        (s.text, [by_id[r] for r in s.citations if r in by_id])
        for s in g.sentences
        if s.text in out
    ]
    return " ".join(out), cited_by, g.guard
