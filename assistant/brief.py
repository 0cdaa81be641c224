"""The pre-meeting brief: sections assembled by code from data; the model writes two short parts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from langchain_core.messages import HumanMessage, SystemMessage

from assistant import findings
from assistant.base import Jobs, code_citation, new_output_id
from assistant.context import ContextRecord, render_facts, render_records, within_budget
from assistant.facts import fact_lines, money, profile_facts
from assistant.grounding import ground
from assistant.labels import label
from assistant.prompting import render_prompt
from assistant.similarity import Scorer
from assistant.types import BriefContact, BriefResult, BriefSection, Citation, Sentence
from knowledge.records import CustomerProfile, InteractionRecord, OrderRecord

SUPPORT_COSINE = 0.5
BRIEF_CONTEXT_TOKENS = 700
PROFILE_KEYS = ["name", "kind", "industry", "region", "lifecycle_stage", "owner", "email_opt_out"]
VALUE_KEYS = [
    "segment",
    "rfm",
    "ltv",
    "total_spent",
    "order_count",
    "first_order_at",
    "last_order_at",
    "recency_days",
    "f2_converted",
]
PURCHASE_KEYS = ["ctb_category", "ctb_taste", "ctb_brand"]
_NBA = {
    "en": {
        "issue": "Resolve the open issue first: {x}",
        "promise": "Confirm the promise made on {d}: {x}",
        "complaint": "Acknowledge the complaint of {d} before anything else.",
        "champion": "Thank them as a top customer and offer early access to new products.",
        "loyal": "Keep them engaged: suggest products in their favourite category.",
        "new": "Encourage a second purchase (F2 follow-up).",
        "at_risk": "Reach out personally: they are at risk of leaving.",
        "dormant": "Send a win-back offer.",
        "churned": "Ask what went wrong and whether they would come back.",
        "prospect": "Qualify their needs and propose a first order.",
    },
    "ja": {
        "issue": "まず未解決の問題に対応する: {x}",
        "promise": "{d} の約束事項を確認する: {x}",
        "complaint": "何よりも先に {d} の苦情へのお詫びと状況確認を行う。",
        "champion": "優良顧客として感謝を伝え、新商品の先行案内を提案する。",
        "loyal": "よく買うカテゴリの商品を提案し、関係を維持する。",
        "new": "2回目の購入を促す（F2フォロー）。",
        "at_risk": "離反の恐れがあるため、個別に連絡する。",
        "dormant": "休眠顧客向けの再来店（ウィンバック）案内を送る。",
        "churned": "離反の理由を伺い、再開の可能性を確認する。",
        "prospect": "ニーズを確認し、初回注文を提案する。",
    },
}


def _record(n: int, i: InteractionRecord, chars: int) -> ContextRecord:
    text = " ".join(f"{i.subject + ' — ' if i.subject else ''}{i.body}".split())[:chars]
    return ContextRecord(
        n, i.record_id, i.kind, i.customer_id, i.occurred_at, i.subject, text, text[:240]
    )


def _day(d: datetime | None) -> str:
    return d.date().isoformat() if d else "-"


def _order_sentence(o: OrderRecord) -> Sentence:
    items = ", ".join(f"{line.product_name} ×{line.quantity}" for line in o.lines[:4])
    amount = money(o.total_amount, o.currency)
    text = f"{_day(o.ordered_at)} {o.order_number or ''}: {items} ({amount})"
    return Sentence(text=" ".join(text.split()), citations=[o.record_id], generated=False)


def _facts_sentences(facts: dict[str, object], keys: list[str], language: str) -> list[Sentence]:
    return [
        Sentence(text=f"{k}: {v}", generated=False)
        for k, v in fact_lines(facts, language, keys).items()
    ]


def _contacts(profile: CustomerProfile) -> list[BriefContact]:
    """Whom a rep meets at a company: decision makers first, then the CRM's order."""
    people = sorted(profile.contacts, key=lambda c: not c.is_decision_maker)
    return [
        BriefContact(
            name=c.name, name_kana=c.name_kana, role=c.role, decision_maker=c.is_decision_maker
        )
        for c in people
    ]


def _contact_sentence(c: BriefContact, lang: str) -> Sentence:
    # E-mail and phone stay out: the brief shows none of the customer's contact data either.
    open_, close, comma = ("（", "）", "、") if lang == "ja" else (" (", ")", ", ")
    text = c.name + (f"{open_}{c.name_kana}{close}" if c.name_kana else "")
    text += f"{comma}{c.role}" if c.role else ""
    if c.decision_maker:
        text = label("contact_decision_maker", lang, x=text)
    return Sentence(text=text, generated=False)


def _contacts_section(
    profile: CustomerProfile, contacts: list[BriefContact], lang: str
) -> list[BriefSection]:
    """The contacts section of a company ("none" when the CRM has nobody); none for a person."""
    if not contacts and profile.customer.kind != "company":
        return []
    sentences = [_contact_sentence(c, lang) for c in contacts]
    return [
        BriefSection(
            title=label("sec_contacts", lang),
            sentences=sentences or [Sentence(text=label("none", lang), generated=False)],
        )
    ]


def build_brief(jobs: Jobs, customer_id: int, *, language: str | None, actor: str) -> BriefResult:
    """Assemble the brief of one customer (see module docstring); writes one audit row."""
    from knowledge.repository import list_interactions

    profile: CustomerProfile = jobs.profile(customer_id)
    cid = profile.customer.id
    lang = (
        language
        if language in ("ja", "en")
        else ("ja" if profile.customer.language == "ja" else "en")
    )
    with jobs.sessions() as s:
        interactions = list_interactions(s, cid)
    facts = profile_facts(profile)
    citations: dict[str, Citation] = {}
    shown: dict[str, ContextRecord] = {}

    def cite(i: InteractionRecord, quote: str) -> str:
        rec = shown.setdefault(i.record_id, _record(len(shown) + 1, i, jobs.cfg.record_chars))
        citations.setdefault(i.record_id, code_citation(rec, quote))
        return i.record_id

    contacts = _contacts(profile)
    sections = [
        BriefSection(
            title=label("sec_profile", lang), sentences=_facts_sentences(facts, PROFILE_KEYS, lang)
        ),
        *_contacts_section(profile, contacts, lang),
        BriefSection(
            title=label("sec_value", lang), sentences=_facts_sentences(facts, VALUE_KEYS, lang)
        ),
    ]
    purchases = _facts_sentences(facts, PURCHASE_KEYS, lang)
    for o in profile.recent_orders[:5]:
        purchases.append(_order_sentence(o))
        citations.setdefault(
            o.record_id,
            Citation(
                record_id=o.record_id, kind="order", date=o.ordered_at, quote=purchases[-1].text
            ),
        )
    sections.append(BriefSection(title=label("sec_purchases", lang), sentences=purchases))

    issues = (
        findings.open_issues(interactions) + findings.complaints(interactions, jobs.cfg.intents)[:5]
    )
    sections.append(
        BriefSection(
            title=label("sec_issues", lang),
            sentences=[
                Sentence(
                    text=f"{_day(f.interaction.occurred_at)} ({f.interaction.kind}, "
                    f"{f.interaction.status or '-'}): {f.text}",
                    citations=[cite(f.interaction, f.text)],
                    generated=False,
                )
                for f in issues
            ]
            or [Sentence(text=label("none", lang), generated=False)],
        )
    )
    promised = findings.promises(interactions)[:6]
    due_word = "期限" if lang == "ja" else "due"
    sections.append(
        BriefSection(
            title=label("sec_promises", lang),
            sentences=[
                Sentence(
                    text=f"{_day(f.interaction.occurred_at)}: {f.text}"
                    + (f" ({due_word}: {f.due})" if f.due else ""),
                    citations=[cite(f.interaction, f.text)],
                    generated=False,
                )
                for f in promised
            ]
            or [Sentence(text=label("none", lang), generated=False)],
        )
    )
    listed = {f.interaction.id for f in issues}  # promise records stay: one sentence is little
    history = [f for f in findings.notable(interactions, 12) if f.interaction.id not in listed][:8]
    sections.append(
        BriefSection(
            title=label("sec_history", lang),
            sentences=[
                Sentence(
                    text=f"{_day(f.interaction.occurred_at)} ({f.interaction.kind}): {f.text}",
                    citations=[cite(f.interaction, f.text)],
                    generated=False,
                )
                for f in history
            ]
            or [Sentence(text=label("none", lang), generated=False)],
        )
    )
    trend = findings.sentiment_trend(interactions)[-4:]
    sections.append(
        BriefSection(
            title=label("sec_sentiment", lang),
            sentences=[
                Sentence(
                    text=f"{q}: + {c['positive']} / ± {c['neutral']} / - {c['negative']}",
                    generated=False,
                )
                for q, c in trend
            ]
            or [Sentence(text=label("none", lang), generated=False)],
        )
    )

    # The model sees the newest records plus those already cited, and writes summary + points.
    recent = sorted(interactions, key=lambda i: i.occurred_at, reverse=True)[: jobs.cfg.brief_k]
    for i in recent:
        shown.setdefault(i.record_id, _record(len(shown) + 1, i, jobs.cfg.record_chars))
    # Prompt evaluation is the slow part on 2 cores (~50 tokens/s): Japanese costs about one
    # token per character, so the brief's records get a budget, not a count.
    context = within_budget(list(shown.values()), BRIEF_CONTEXT_TOKENS)
    facts_text = render_facts(
        fact_lines(facts, lang, PROFILE_KEYS + VALUE_KEYS + PURCHASE_KEYS), lang
    )
    summary: list[Sentence] = []
    points: list[Sentence] = []
    degraded = None
    guard_sentences = 0
    from assistant.types import GuardReport

    guard = GuardReport()
    if context:
        messages = [
            SystemMessage(render_prompt("brief_system", lang)),
            HumanMessage(
                render_prompt(
                    "brief_user", lang, facts=facts_text, records=render_records(context, lang)
                )
            ),
        ]
        text, degraded = jobs.complete(messages, min(jobs.settings.llm.max_tokens, 220))
        head, _, tail = text.partition("POINTS:")
        scorer = Scorer([r.text for r in context], jobs.retrieval.embedder)
        for part, bucket in ((head.replace("SUMMARY:", ""), summary), (tail, points)):
            g = ground(
                part,
                context,
                scorer,
                customer_id=cid,
                owner_of=jobs.owner_of,
                facts_text=facts_text,
                support_threshold=jobs.cfg.support_threshold,
                support_cosine=SUPPORT_COSINE,
            )
            bucket.extend(g.sentences)
            for c in g.citations:
                citations.setdefault(c.record_id, c)
            guard.invalid_citations_removed += g.guard.invalid_citations_removed
            guard.unsupported_sentences_dropped += g.guard.unsupported_sentences_dropped
            guard.unsafe_tokens_removed += g.guard.unsafe_tokens_removed
            guard_sentences += len(g.sentences)
    if not summary:  # the model wrote nothing usable: the newest records, dated and cited
        summary = [
            Sentence(
                text=f"{_day(r.date)} ({r.kind}): {r.span}",
                citations=[r.record_id],
                generated=False,
            )
            for r in context[:2]
        ]
        for r in context[:2]:
            citations.setdefault(r.record_id, code_citation(r))
    sections.insert(0, BriefSection(title=label("sec_summary", lang), sentences=summary))
    next_action = _next_action(profile, issues, promised, lang)
    if not points:  # the model's points did not survive grounding: points from the data
        points = _data_points(facts, issues, promised, interactions, next_action, lang, cite)
    sections.append(
        BriefSection(
            title=label("sec_points", lang),
            sentences=points or [Sentence(text=label("none", lang), generated=False)],
        )
    )
    sections.append(BriefSection(title=label("sec_next", lang), sentences=[next_action]))
    output_id = new_output_id()
    cited = [
        c
        for c in citations.values()
        if any(c.record_id in s.citations for sec in sections for s in sec.sentences)
    ]
    result = BriefResult(
        output_id=output_id,
        customer_id=cid,
        language=lang,  # type: ignore[arg-type]
        sections=sections,
        contacts=contacts,
        citations=cited,
        facts=facts,
        model=jobs.model,
        generated_at=datetime.now(UTC),
        guard=guard,
        degraded=degraded,
        markdown="",
    )
    result = result.model_copy(update={"markdown": to_markdown(result, profile.customer.name)})
    jobs.audit(
        output_id=output_id,
        actor=actor,
        action="brief",
        customer_id=cid,
        citations=cited,
        guard=guard,
        details={"language": lang, "degraded": degraded},
    )
    return result


def _data_points(
    facts: dict[str, object],
    issues: list[findings.Finding],
    promised: list[findings.Finding],
    interactions: list[InteractionRecord],
    next_action: Sentence,
    lang: str,
    cite: Callable[[InteractionRecord, str], str],
) -> list[Sentence]:
    """Up to three talking points assembled from the records and facts, each cited with
    `cite(record, quote)` like the other sections."""
    used = set(next_action.citations)
    out: list[Sentence] = []

    def add(key: str, finding: findings.Finding | None, text: str | None = None) -> None:
        if len(out) == 3 or (finding is not None and finding.interaction.record_id in used):
            return
        if finding is not None:
            used.add(finding.interaction.record_id)
        out.append(
            Sentence(
                text=label(key, lang, x=text or (finding.text if finding else "")),
                citations=[cite(finding.interaction, finding.text)] if finding else [],
                generated=False,
            )
        )

    for f in promised[:1]:
        add("point_promise", f)
    for f in issues[:1]:
        add("point_issue", f)
    liked = [i for i in interactions if findings.sentiment_of(i) == "positive"]
    if liked:
        newest = max(liked, key=lambda i: i.occurred_at)
        add("point_praise", findings.Finding(newest, findings.headline(newest, 1)))
    if facts.get("ctb_category"):
        add("point_category", None, str(facts["ctb_category"]))
    return out


def _next_action(
    profile: CustomerProfile,
    issues: list[findings.Finding],
    promised: list[findings.Finding],
    lang: str,
) -> Sentence:
    nba = _NBA[lang]
    if issues and (issues[0].interaction.status or "") in findings.OPEN_STATUSES:
        f = issues[0]
        return Sentence(
            text=nba["issue"].format(x=f.text), citations=[f.interaction.record_id], generated=False
        )
    if promised:
        f = promised[0]
        return Sentence(
            text=nba["promise"].format(d=_day(f.interaction.occurred_at), x=f.text),
            citations=[f.interaction.record_id],
            generated=False,
        )
    if issues:
        f = issues[0]
        return Sentence(
            text=nba["complaint"].format(d=_day(f.interaction.occurred_at)),
            citations=[f.interaction.record_id],
            generated=False,
        )
    rfm = profile.facts.rfm
    return Sentence(text=nba[rfm.segment if rfm else "prospect"], generated=False)


def to_markdown(brief: BriefResult, name: str) -> str:
    """The brief as Markdown: sections as bullet lists with [n] markers, then the sources."""
    index = {c.record_id: n for n, c in enumerate(brief.citations, 1)}
    lines = [
        f"# {label('brief_title', brief.language, name=name)}",
        "",
        f"_{brief.generated_at.date().isoformat()} · {brief.model}_",
        "",
    ]
    for section in brief.sections:
        lines += [f"## {section.title}", ""]
        for s in section.sentences:
            marks = "".join(f"[{index[r]}]" for r in s.citations if r in index)
            lines.append(f"- {s.text}{' ' + marks if marks else ''}")
        lines.append("")
    lines += [f"## {label('sec_sources', brief.language)}", ""]
    for n, c in enumerate(brief.citations, 1):
        date = c.date.date().isoformat() if c.date else "-"
        lines.append(f"{n}. `{c.record_id}` ({c.kind}, {date}): {c.quote}")
    return "\n".join(lines) + "\n"
