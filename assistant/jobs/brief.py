"""The pre-meeting brief: sections assembled by code from data; the model writes two short parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from assistant import findings
from assistant.citations import code_citation, numbered, with_markers
from assistant.context import ContextRecord, render_facts, render_records, within_budget
from assistant.deps import AssistantDeps, new_output_id
from assistant.facts import fact_lines, profile_facts
from assistant.jobs.brief_sections import (
    PROFILE_KEYS,
    PURCHASE_KEYS,
    VALUE_KEYS,
    Sources,
    contacts_of,
    data_points,
    day,
    flagged_section,
    next_action,
    none_found,
    purchases,
    record_sections,
    who_they_are,
)
from assistant.labels import label
from assistant.pipeline import add_guard, check, complete, prompt, record
from assistant.similarity import Scorer, content_tokens
from assistant.types import BriefContact, BriefResult, BriefSection, GuardReport, Sentence
from knowledge.records import CustomerProfile
from knowledge.vocabulary import LANGUAGES

BRIEF_TOKENS = 220
BRIEF_CONTEXT_TOKENS = 700


@dataclass
class Written:
    """The model's summary and talking points after the check, and what the check did."""

    summary: list[Sentence] = field(default_factory=list)
    points: list[Sentence] = field(default_factory=list)
    guard: GuardReport = field(default_factory=GuardReport)
    degraded: str | None = None


def build_brief(
    deps: AssistantDeps, customer_id: int, *, language: str | None, actor: str
) -> BriefResult:
    """Assemble the brief of one customer (see module docstring); writes one audit row."""
    profile = deps.profile(customer_id)
    cid = profile.customer.id
    lang = language if language in LANGUAGES else _customer_language(profile)
    interactions = deps.interactions(cid)
    facts = profile_facts(profile)
    sources = Sources(deps.config.record_chars)
    contacts = contacts_of(profile)
    issues = (
        findings.open_issues(interactions)
        + findings.complaints(interactions, deps.config.intents)[:5]
    )
    promised = findings.promises(interactions)[:6]
    sections = [
        *who_they_are(profile, facts, contacts, lang),
        purchases(profile, facts, lang, sources),
        *record_sections(interactions, issues, promised, lang, sources),
    ]
    # The model sees the newest records plus those already cited, and writes summary + points.
    newest = sorted(interactions, key=lambda i: i.occurred_at, reverse=True)
    for i in newest[: deps.config.brief_k]:
        sources.show(i)
    # Prompt evaluation is the slow part on 2 cores (~50 tokens/s): Japanese costs about one
    # token per character, so the brief's records get a budget, not a count.
    context = within_budget(list(sources.shown.values()), BRIEF_CONTEXT_TOKENS)
    written = _written(deps, context, facts, lang, cid, sources)
    sections.insert(0, _summary(written.summary, context, lang, sources))
    # A record that speaks to an AI is shown under a warning, right under the summary.
    sections[1:1] = flagged_section(interactions, lang, sources)
    action = next_action(profile, issues, promised, lang)
    # The model's points did not survive the check: points from the data.
    points = distinct(written.points, written.summary) or data_points(
        facts, issues, promised, interactions, action, lang, sources
    )
    sections.append(
        BriefSection(title=label("sec_points", lang), sentences=points or none_found(lang))
    )
    sections.append(BriefSection(title=label("sec_next", lang), sentences=[action]))
    result = _result(deps, profile, lang, sections, contacts, sources, facts, written)
    details = {"language": lang, "degraded": result.degraded}
    record(deps, result, actor=actor, action="brief", details=details)
    return result


def distinct(sentences: list[Sentence], already: list[Sentence] | None = None) -> list[Sentence]:
    """The sentences without repeats: one that says (nearly) what an earlier one or one of
    `already` says is dropped (a weak model writes one point three times)."""
    kept: list[Sentence] = []
    seen = [content_tokens(s.text) for s in already or []]
    for s in sentences:
        tokens = content_tokens(s.text)
        if any(_same(tokens, other) for other in seen):
            continue
        seen.append(tokens)
        kept.append(s)
    return kept


def _same(a: set[str], b: set[str]) -> bool:
    if not a or not b:
        return a == b
    return len(a & b) / min(len(a), len(b)) >= 0.8


def _customer_language(profile: CustomerProfile) -> str:
    return "ja" if profile.customer.language == "ja" else "en"


def _written(
    deps: AssistantDeps,
    context: list[ContextRecord],
    facts: dict[str, object],
    lang: str,
    cid: int,
    sources: Sources,
) -> Written:
    """Prompt, generate, and check the summary and the points separately."""
    out = Written()
    if not context:
        return out
    facts_text = render_facts(
        fact_lines(facts, lang, PROFILE_KEYS + VALUE_KEYS + PURCHASE_KEYS), lang
    )
    messages = prompt("brief", lang, facts=facts_text, records=render_records(context, lang))
    generated = complete(deps, messages, min(deps.max_tokens, BRIEF_TOKENS))
    out.degraded = generated.degraded
    head, _, tail = generated.text.partition("POINTS:")
    scorer = Scorer([r.text for r in context], deps.retrieval.embedder)
    for part, bucket in ((head.replace("SUMMARY:", ""), out.summary), (tail, out.points)):
        g = check(deps, part, context, customer_id=cid, facts_text=facts_text, scorer=scorer)
        bucket.extend(distinct(g.sentences))
        for c in g.citations:
            sources.add(c)
        add_guard(out.guard, g.guard)
    return out


def _summary(
    written: list[Sentence], context: list[ContextRecord], lang: str, sources: Sources
) -> BriefSection:
    """The model's summary, or when nothing usable survived, the newest records dated and cited
    (never a flagged one: what is left of it after the cut says little)."""
    quoted = [r for r in context if not r.flagged][:2]
    summary = written or [
        Sentence(
            text=f"{day(r.date)} ({r.kind}): {r.span}", citations=[r.record_id], generated=False
        )
        for r in quoted
    ]
    if not written:
        for r in quoted:
            sources.add(code_citation(r))
    return BriefSection(title=label("sec_summary", lang), sentences=summary)


def _result(
    deps: AssistantDeps,
    profile: CustomerProfile,
    lang: str,
    sections: list[BriefSection],
    contacts: list[BriefContact],
    sources: Sources,
    facts: dict[str, object],
    written: Written,
) -> BriefResult:
    """The result with only the citations some sentence uses, and its Markdown."""
    cited = [
        c
        for c in sources.citations.values()
        if any(c.record_id in s.citations for sec in sections for s in sec.sentences)
    ]
    result = BriefResult(
        output_id=new_output_id(),
        customer_id=profile.customer.id,
        language=lang,  # type: ignore[arg-type]
        sections=sections,
        contacts=contacts,
        citations=cited,
        facts=facts,
        model=deps.model,
        generated_at=datetime.now(UTC),
        guard=written.guard,
        degraded=written.degraded,
        markdown="",
    )
    return result.model_copy(update={"markdown": to_markdown(result, profile.customer.name)})


def to_markdown(brief: BriefResult, name: str) -> str:
    """The brief as Markdown: sections as bullet lists with [n] markers, then the sources."""
    numbers = numbered(brief.citations)
    lines = [
        f"# {label('brief_title', brief.language, name=name)}",
        "",
        f"_{brief.generated_at.date().isoformat()} · {brief.model}_",
        "",
    ]
    for section in brief.sections:
        lines += [f"## {section.title}", ""]
        lines += [f"- {with_markers(s, numbers)}" for s in section.sentences]
        lines.append("")
    lines += [f"## {label('sec_sources', brief.language)}", ""]
    for n, c in enumerate(brief.citations, 1):
        lines.append(f"{n}. `{c.record_id}` ({c.kind}, {day(c.date)}): {c.quote}")
    return "\n".join(lines) + "\n"
