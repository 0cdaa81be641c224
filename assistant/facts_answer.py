"""Answers the profile gives: fact sentences and the interaction overview, rendered by code.

Every value (dates, amounts, counts, names) comes from SQL and is put into a sentence template
of prompts/<language>/facts.yaml by code; the model writes none of it. Each sentence cites the
record it comes from: the profile card (`profile:ID`), an order (`order:ID`) or an interaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from assistant import findings
from assistant.context import neutralise
from assistant.facts import fact_lines, money, profile_facts
from assistant.labels import has_phrase, label, phrase_from
from assistant.similarity import Embedder, split_sentences
from assistant.spans import sentence_scores
from assistant.types import Citation, Sentence
from knowledge.records import CustomerProfile, InteractionRecord, OrderRecord
from knowledge.vocabulary import INTERACTION_STATUS, OPEN_STATUSES

OVERVIEW_LIMIT = 8  # interactions listed for "what has this customer contacted us about?"
PROMISES_LIMIT = 3  # commitments listed for "what did we promise?", the best-matching first
SUBJECT_CHARS = 60

# Which lines of the profile card each fact's citation quotes (assistant.facts keys).
_QUOTED: dict[str, list[str]] = {
    "total_spent": ["total_spent", "order_count"],
    "order_count": ["order_count"],
    "segment": ["segment", "rfm"],
    "ltv": ["ltv"],
    "open_tickets": ["open_tickets"],
    "ctb": ["ctb_category", "ctb_taste", "ctb_brand"],
    "consent": ["email_opt_out"],
    "owner": ["owner"],
    "region": ["region"],
    "lifecycle": ["lifecycle_stage"],
    "f2": ["f2_converted", "first_order_at"],
}


def phrase(key: str, language: str, **variables: object) -> str:
    """The fact phrase `key` of prompts/<language>/facts.yaml with its $variables filled."""
    return phrase_from("facts.yaml", key, language, **variables)


@dataclass
class CodeAnswer:
    """Sentences assembled by code and the citations they point at, in order."""

    sentences: list[Sentence] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)

    def add(self, text: str, citations: list[Citation]) -> None:
        """One sentence citing these records (each citation listed once)."""
        known = {c.record_id for c in self.citations}
        for c in citations:
            if c.record_id not in known:
                self.citations.append(c)
                known.add(c.record_id)
        self.sentences.append(
            Sentence(text=text, citations=[c.record_id for c in citations], generated=False)
        )


@dataclass
class FactSource:
    """What the fact sentences are made from, read from SQL once per question."""

    profile: CustomerProfile
    orders: list[OrderRecord]  # newest first
    interactions: list[InteractionRecord]  # newest first


def fact_answer(source: FactSource, facts: tuple[str, ...], language: str) -> CodeAnswer:
    """One sentence (or a few) per asked fact, each citing the profile card or its records."""
    out = CodeAnswer()
    for key in facts:
        _RENDER[key](source, language, out)
    return out


def overview_answer(source: FactSource, language: str, limit: int = OVERVIEW_LIMIT) -> CodeAnswer:
    """The customer's interactions, newest first: date, kind, subject or first line, status."""
    out = CodeAnswer()
    name = source.profile.customer.name
    items = source.interactions
    if not items:
        out.add(
            phrase("overview_none", language, name=name), [_profile_citation(source, language, [])]
        )
        return out
    shown = items[:limit]
    out.add(phrase("overview", language, name=name, shown=len(shown), total=len(items)), [])
    for i in shown:
        out.add(_interaction_line(i, language), [interaction_citation(i)])
    return out


def promises_answer(
    source: FactSource,
    language: str,
    question: str,
    embedder: Embedder | None = None,
    limit: int = PROMISES_LIMIT,
) -> CodeAnswer:
    """Our commitments to the customer (assistant.commitments), the ones that best match the
    question first: date, what we said, the due date, open or fulfilled; each cited. Empty
    when the records hold none (the records and the model are asked then)."""
    out = CodeAnswer()
    found = findings.promises(source.interactions)
    if not found:
        return out
    scores = sentence_scores(question, [f.text for f in found], embedder)
    ranked = [f for _, f in sorted(zip(scores, found, strict=True), key=lambda x: -x[0])]
    name = source.profile.customer.name
    out.add(phrase("promises", language, name=name, count=len(found)), [])
    for f in ranked[:limit]:
        due = phrase("promise_due", language, due=f.due) if f.due else ""
        status = label(f"promise_{f.status or 'open'}", language)
        text = phrase(
            "promise_item",
            language,
            date=f.interaction.occurred_at.date().isoformat(),
            text=f.text,
            due=due,
            status=status,
        )
        out.add(text, [interaction_citation(f.interaction)])
    return out


def owned_only(
    answer: CodeAnswer, customer_id: int, owner_of: Callable[[str], int | None]
) -> CodeAnswer:
    """The answer with every citation checked against SQL: a record of another customer goes."""
    valid = {c.record_id for c in answer.citations if owner_of(c.record_id) == customer_id}
    out = CodeAnswer()
    for s in answer.sentences:
        kept = [c for c in answer.citations if c.record_id in s.citations and c.record_id in valid]
        if s.citations and not kept:
            continue  # its only sources are not this customer's: the sentence goes
        out.add(s.text, kept)
    return out


# --- citations ------------------------------------------------------------------------------


def _profile_citation(source: FactSource, language: str, keys: list[str]) -> Citation:
    lines = fact_lines(profile_facts(source.profile), language, keys or ["name"])
    quote = "; ".join(f"{k}: {v}" for k, v in lines.items()) or source.profile.customer.name
    return Citation(
        record_id=f"profile:{source.profile.customer.id}", kind="profile", quote=quote[:300]
    )


def order_citation(order: OrderRecord) -> Citation:
    """A citation of an order: its number, date, lines and total."""
    items = ", ".join(f"{line.product_name} × {line.quantity}" for line in order.lines)
    day = order.ordered_at.date().isoformat() if order.ordered_at else "-"
    quote = f"{order.order_number or '#' + str(order.id)} {day}: {items} — "
    quote += money(order.total_amount, order.currency)
    return Citation(
        record_id=order.record_id, kind="order", date=order.ordered_at, quote=quote[:300]
    )


def interaction_citation(i: InteractionRecord) -> Citation:
    """A citation of an interaction, quoting its subject and opening."""
    text = neutralise(f"{i.subject + ' — ' if i.subject else ''}{i.body}")
    return Citation(record_id=i.record_id, kind=i.kind, date=i.occurred_at, quote=text[:300])


# --- one renderer per fact ------------------------------------------------------------------


def _plural(n: int, noun: str, language: str) -> str:
    word = phrase(f"{noun}_{'one' if n == 1 else 'many'}", language)
    return f"{n}{word}" if language == "ja" else f"{n} {word}"


def _total(s: FactSource, language: str, out: CodeAnswer) -> None:
    f, name = s.profile.facts, s.profile.customer.name
    cite = [_profile_citation(s, language, _QUOTED["total_spent"])]
    if not f.order_count:
        out.add(phrase("no_orders", language, name=name), cite)
        return
    total = money(f.total_spent, f.currency)
    orders = _plural(f.order_count, "order", language)
    out.add(phrase("total_spent", language, name=name, total=total, orders=orders), cite)


def _count(s: FactSource, language: str, out: CodeAnswer) -> None:
    f, name = s.profile.facts, s.profile.customer.name
    cite = [_profile_citation(s, language, _QUOTED["order_count"])]
    if not f.order_count:
        out.add(phrase("no_orders", language, name=name), cite)
        return
    orders = _plural(f.order_count, "order", language)
    out.add(phrase("order_count", language, name=name, orders=orders), cite)


def _order_sentence(
    key: str, order: OrderRecord | None, s: FactSource, language: str, out: CodeAnswer
) -> None:
    if order is None:
        name = s.profile.customer.name
        out.add(
            phrase("no_orders", language, name=name),
            [_profile_citation(s, language, ["order_count"])],
        )
        return
    sep = phrase("list_separator", language)
    items = sep.join(f"{line.product_name} × {line.quantity}" for line in order.lines) or "-"
    out.add(
        phrase(
            key,
            language,
            date=order.ordered_at.date().isoformat() if order.ordered_at else "-",
            number=order.order_number or f"#{order.id}",
            items=items,
            amount=money(order.total_amount, order.currency),
        ),
        [order_citation(order)],
    )


def _dated(s: FactSource) -> list[OrderRecord]:
    return [o for o in s.orders if o.ordered_at is not None] or s.orders


def _last(s: FactSource, language: str, out: CodeAnswer) -> None:
    orders = _dated(s)
    _order_sentence("last_order", orders[0] if orders else None, s, language, out)


def _first(s: FactSource, language: str, out: CodeAnswer) -> None:
    orders = _dated(s)
    _order_sentence("first_order", orders[-1] if orders else None, s, language, out)


def _segment(s: FactSource, language: str, out: CodeAnswer) -> None:
    rfm, name = s.profile.facts.rfm, s.profile.customer.name
    cite = [_profile_citation(s, language, _QUOTED["segment"])]
    segment = rfm.segment if rfm else "prospect"
    scores = ""
    if rfm and s.profile.facts.order_count:
        scores = phrase("segment_scores", language, rfm=f"{rfm.r or '-'}/{rfm.f}/{rfm.m}")
    out.add(phrase("segment", language, name=name, segment=segment, scores=scores), cite)


def _ltv(s: FactSource, language: str, out: CodeAnswer) -> None:
    f, name = s.profile.facts, s.profile.customer.name
    cite = [_profile_citation(s, language, _QUOTED["ltv"])]
    if f.ltv is None or not f.order_count:
        out.add(phrase("no_ltv", language, name=name), cite)
        return
    out.add(phrase("ltv", language, name=name, ltv=money(f.ltv.value, f.currency)), cite)


def _open(s: FactSource, language: str, out: CodeAnswer) -> None:
    name = s.profile.customer.name
    open_ = [i for i in s.interactions if i.status in OPEN_STATUSES]
    cite = [_profile_citation(s, language, _QUOTED["open_tickets"])]
    if not open_:
        out.add(phrase("no_open_tickets", language, name=name), cite)
        return
    tickets = phrase("ticket_one" if len(open_) == 1 else "ticket_many", language)
    out.add(phrase("open_tickets", language, name=name, count=len(open_), tickets=tickets), cite)
    for i in open_[:OVERVIEW_LIMIT]:
        out.add(_interaction_line(i, language), [interaction_citation(i)])


def _ctb(s: FactSource, language: str, out: CodeAnswer) -> None:
    ctb, name = s.profile.facts.ctb, s.profile.customer.name
    cite = [_profile_citation(s, language, _QUOTED["ctb"])]
    parts = [
        phrase(f"ctb_{key}", language, x=value)
        for key, value in (("category", ctb.category), ("taste", ctb.taste), ("brand", ctb.brand))
        if value
    ]
    if not parts:
        out.add(phrase("no_ctb", language, name=name), cite)
        return
    out.add(
        phrase("ctb", language, name=name, parts=phrase("list_separator", language).join(parts)),
        cite,
    )


def _consent(s: FactSource, language: str, out: CodeAnswer) -> None:
    c = s.profile.customer
    key = "consent_out" if c.email_opt_out else "consent_in"
    out.add(
        phrase(key, language, name=c.name), [_profile_citation(s, language, _QUOTED["consent"])]
    )


def _contacts(s: FactSource, language: str, out: CodeAnswer) -> None:
    name = s.profile.customer.name
    cite = [_profile_citation(s, language, [])]
    people = []
    for p in sorted(s.profile.contacts, key=lambda p: not p.is_decision_maker):
        roles = [
            r
            for r in (p.role, phrase("decision_maker", language) if p.is_decision_maker else None)
            if r
        ]
        open_, close = ("（", "）") if language == "ja" else (" (", ")")
        people.append(
            p.name
            + (f"{open_}{phrase('list_separator', language).join(roles)}{close}" if roles else "")
        )
    if not people:
        out.add(phrase("no_contacts", language, name=name), cite)
        return
    quote = "; ".join(people)
    cite = [Citation(record_id=cite[0].record_id, kind="profile", quote=quote[:300])]
    out.add(
        phrase(
            "contacts", language, name=name, people=phrase("list_separator", language).join(people)
        ),
        cite,
    )


def _owner(s: FactSource, language: str, out: CodeAnswer) -> None:
    c = s.profile.customer
    cite = [_profile_citation(s, language, _QUOTED["owner"])]
    if not c.owner:
        out.add(phrase("no_owner", language, name=c.name), cite)
        return
    out.add(phrase("owner", language, name=c.name, owner=c.owner), cite)


def _region(s: FactSource, language: str, out: CodeAnswer) -> None:
    c = s.profile.customer
    cite = [_profile_citation(s, language, _QUOTED["region"])]
    where = (
        ", ".join(x for x in (c.region, c.country) if x)
        if language != "ja"
        else c.region or c.country
    )
    if not where:
        out.add(phrase("no_region", language, name=c.name), cite)
        return
    out.add(phrase("region", language, name=c.name, region=where), cite)


def _lifecycle(s: FactSource, language: str, out: CodeAnswer) -> None:
    c = s.profile.customer
    cite = [_profile_citation(s, language, _QUOTED["lifecycle"])]
    out.add(phrase("lifecycle", language, name=c.name, stage=c.lifecycle_stage), cite)


def _f2(s: FactSource, language: str, out: CodeAnswer) -> None:
    f, name = s.profile.facts, s.profile.customer.name
    cite = [_profile_citation(s, language, _QUOTED["f2"])]
    if not f.order_count:
        out.add(phrase("no_orders", language, name=name), cite)
    elif f.f2.converted and f.f2.days_to_second is not None:
        out.add(phrase("f2_yes", language, name=name, days=f.f2.days_to_second), cite)
    elif f.f2.converted:
        out.add(phrase("f2_yes_undated", language, name=name), cite)
    else:
        out.add(phrase("f2_no", language, name=name), cite)


def _products(s: FactSource, language: str, out: CodeAnswer) -> None:
    """Everything bought, first bought first, with the quantity across orders."""
    orders = list(reversed(_dated(s)))
    if not orders:
        _order_sentence("last_order", None, s, language, out)
        return
    quantities: dict[str, int] = {}
    for order in orders:
        for line in order.lines:
            quantities[line.product_name] = quantities.get(line.product_name, 0) + line.quantity
    sep = phrase("list_separator", language)
    items = sep.join(f"{name} × {n}" for name, n in quantities.items()) or "-"
    orders_text = _plural(len(orders), "order", language)
    out.add(
        phrase("products", language, name=s.profile.customer.name, items=items, orders=orders_text),
        [order_citation(o) for o in orders],
    )


_RENDER: dict[str, Callable[[FactSource, str, CodeAnswer], None]] = {
    "total_spent": _total,
    "order_count": _count,
    "last_order": _last,
    "first_order": _first,
    "segment": _segment,
    "ltv": _ltv,
    "open_tickets": _open,
    "ctb": _ctb,
    "consent": _consent,
    "contacts": _contacts,
    "owner": _owner,
    "region": _region,
    "lifecycle": _lifecycle,
    "f2": _f2,
    "products": _products,
}


def _interaction_line(i: InteractionRecord, language: str) -> str:
    """'2025-03-12 · call · subject (resolved)': the subject, else the record's first sentence."""
    subject = neutralise(i.subject or "")
    if not subject or subject.lower() in ("note", "memo", "-"):
        first = split_sentences(neutralise(i.body))
        subject = first[0] if first else ""
    if len(subject) > SUBJECT_CHARS:
        subject = subject[: SUBJECT_CHARS - 1] + "…"
    status = phrase(f"status_{i.status}", language) if i.status in INTERACTION_STATUS else ""
    known = has_phrase("facts.yaml", f"kind_{i.kind}", language)
    kind = phrase(f"kind_{i.kind}", language) if known else i.kind
    return phrase(
        "overview_item",
        language,
        date=i.occurred_at.date().isoformat(),
        kind=kind,
        subject=subject,
        status=status,
    )
