"""The brief's sections that code assembles from data: profile, value, purchases, issues,
promises, history, sentiment, talking points from the records, and the next best action."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from assistant import findings
from assistant.citations import code_citation
from assistant.context import ContextRecord, interaction_record
from assistant.facts import fact_lines, money
from assistant.labels import label
from assistant.types import BriefContact, BriefSection, Citation, Sentence
from knowledge.injection import flag_reasons, is_flagged
from knowledge.records import CustomerProfile, InteractionRecord, OrderRecord

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


class Sources:
    """The records a brief shows, numbered in the order first used, and their citations."""

    def __init__(self, record_chars: int) -> None:
        self.record_chars = record_chars
        self.shown: dict[str, ContextRecord] = {}
        self.citations: dict[str, Citation] = {}

    def show(self, i: InteractionRecord) -> ContextRecord:
        """The interaction as a numbered record (the same number when shown again)."""
        return self.shown.setdefault(
            i.record_id, interaction_record(len(self.shown) + 1, i, self.record_chars)
        )

    def cite(self, i: InteractionRecord, quote: str) -> str:
        """Show and cite the interaction, quoting `quote`; returns its record id."""
        self.citations.setdefault(i.record_id, code_citation(self.show(i), quote))
        return i.record_id

    def add(self, citation: Citation) -> None:
        """Keep a citation made elsewhere (orders, the model's checked sentences)."""
        self.citations.setdefault(citation.record_id, citation)


def day(d: datetime | None) -> str:
    """The date as YYYY-MM-DD, or '-'."""
    return d.date().isoformat() if d else "-"


def none_found(lang: str) -> list[Sentence]:
    """The one sentence of an empty section."""
    return [Sentence(text=label("none", lang), generated=False)]


def _facts_sentences(facts: dict[str, object], keys: list[str], language: str) -> list[Sentence]:
    return [
        Sentence(text=f"{k}: {v}", generated=False)
        for k, v in fact_lines(facts, language, keys).items()
    ]


def contacts_of(profile: CustomerProfile) -> list[BriefContact]:
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
        BriefSection(title=label("sec_contacts", lang), sentences=sentences or none_found(lang))
    ]


def who_they_are(
    profile: CustomerProfile, facts: dict[str, object], contacts: list[BriefContact], lang: str
) -> list[BriefSection]:
    """Profile, contacts (companies) and value sections, from the facts."""
    return [
        BriefSection(
            title=label("sec_profile", lang), sentences=_facts_sentences(facts, PROFILE_KEYS, lang)
        ),
        *_contacts_section(profile, contacts, lang),
        BriefSection(
            title=label("sec_value", lang), sentences=_facts_sentences(facts, VALUE_KEYS, lang)
        ),
    ]


def _order_sentence(o: OrderRecord) -> Sentence:
    items = ", ".join(f"{line.product_name} ×{line.quantity}" for line in o.lines[:4])
    amount = money(o.total_amount, o.currency)
    text = f"{day(o.ordered_at)} {o.order_number or ''}: {items} ({amount})"
    return Sentence(text=" ".join(text.split()), citations=[o.record_id], generated=False)


def purchases(
    profile: CustomerProfile, facts: dict[str, object], lang: str, sources: Sources
) -> BriefSection:
    """Favourites (CTB) and the five most recent orders, each order cited."""
    sentences = _facts_sentences(facts, PURCHASE_KEYS, lang)
    for o in profile.recent_orders[:5]:
        sentences.append(_order_sentence(o))
        sources.add(
            Citation(
                record_id=o.record_id, kind="order", date=o.ordered_at, quote=sentences[-1].text
            )
        )
    return BriefSection(title=label("sec_purchases", lang), sentences=sentences)


def cited_findings(
    title_key: str,
    found: list[findings.Finding],
    text_of: Callable[[findings.Finding], str],
    lang: str,
    sources: Sources,
) -> BriefSection:
    """A section of findings, one cited sentence each ("none" when there are none)."""
    sentences = [
        Sentence(text=text_of(f), citations=[sources.cite(f.interaction, f.text)], generated=False)
        for f in found
    ]
    return BriefSection(title=label(title_key, lang), sentences=sentences or none_found(lang))


def record_sections(
    interactions: list[InteractionRecord],
    issues: list[findings.Finding],
    promised: list[findings.Finding],
    lang: str,
    sources: Sources,
) -> list[BriefSection]:
    """Open issues and complaints, promises, notable history and the sentiment trend."""
    due_word = "期限" if lang == "ja" else "due"
    listed = {f.interaction.id for f in issues}  # promise records stay: one sentence is little
    history = [f for f in findings.notable(interactions, 12) if f.interaction.id not in listed][:8]
    trend = findings.sentiment_trend(interactions)[-4:]
    return [
        cited_findings(
            "sec_issues",
            issues,
            lambda f: (
                f"{day(f.interaction.occurred_at)} ({f.interaction.kind}, "
                f"{f.interaction.status or '-'}): {f.text}"
            ),
            lang,
            sources,
        ),
        cited_findings(
            "sec_promises",
            promised,
            lambda f: (
                f"{day(f.interaction.occurred_at)}: {f.text}"
                + (f" ({due_word}: {f.due})" if f.due else "")
                + f" [{label('promise_' + (f.status or 'open'), lang)}]"
            ),
            lang,
            sources,
        ),
        cited_findings(
            "sec_history",
            history,
            lambda f: f"{day(f.interaction.occurred_at)} ({f.interaction.kind}): {f.text}",
            lang,
            sources,
        ),
        BriefSection(
            title=label("sec_sentiment", lang),
            sentences=[
                Sentence(
                    text=f"{q}: + {c['positive']} / ± {c['neutral']} / - {c['negative']}",
                    generated=False,
                )
                for q, c in trend
            ]
            or none_found(lang),
        ),
    ]


def flagged_section(
    interactions: list[InteractionRecord], lang: str, sources: Sources
) -> list[BriefSection]:
    """The records that carry text addressed to an AI, each cited (quoting only the rest of the
    record), under a warning; no section when there are none."""
    flagged = [i for i in interactions if i.flagged or is_flagged(f"{i.subject or ''} {i.body}")]
    sentences = []
    for i in sorted(flagged, key=lambda i: i.occurred_at, reverse=True):
        reasons = i.injection_flags or flag_reasons(f"{i.subject or ''}\n{i.body}") or "-"
        what = f"{day(i.occurred_at)} ({i.kind})"
        sentences.append(
            Sentence(
                text=label("flagged_record", lang, x=what, reasons=reasons),
                citations=[sources.cite(i, findings.headline(i, 1))],
                generated=False,
            )
        )
    if not sentences:
        return []
    return [BriefSection(title=label("sec_flagged", lang), sentences=sentences, warning=True)]


def data_points(
    facts: dict[str, object],
    issues: list[findings.Finding],
    promised: list[findings.Finding],
    interactions: list[InteractionRecord],
    next_action: Sentence,
    lang: str,
    sources: Sources,
) -> list[Sentence]:
    """Up to three talking points assembled from the records and facts, each cited like the
    other sections; never the record the next best action already uses."""
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
                citations=[sources.cite(finding.interaction, finding.text)] if finding else [],
                generated=False,
            )
        )

    for f in [f for f in promised if f.status == "open"][:1]:
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


def next_action(
    profile: CustomerProfile,
    issues: list[findings.Finding],
    promised: list[findings.Finding],
    lang: str,
) -> Sentence:
    """The next best action by rule: open issue, promise, complaint, then the segment's play."""
    nba = _NBA[lang]
    if issues and (issues[0].interaction.status or "") in findings.OPEN_STATUSES:
        f = issues[0]
        return Sentence(
            text=nba["issue"].format(x=f.text), citations=[f.interaction.record_id], generated=False
        )
    open_promises = [f for f in promised if f.status == "open"]
    if open_promises:
        f = open_promises[0]
        return Sentence(
            text=nba["promise"].format(d=day(f.interaction.occurred_at), x=f.text),
            citations=[f.interaction.record_id],
            generated=False,
        )
    if issues:
        f = issues[0]
        return Sentence(
            text=nba["complaint"].format(d=day(f.interaction.occurred_at)),
            citations=[f.interaction.record_id],
            generated=False,
        )
    rfm = profile.facts.rfm
    return Sentence(text=nba[rfm.segment if rfm else "prospect"], generated=False)
