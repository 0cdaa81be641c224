"""Background interactions: the everyday record of each customer, written by the text modules."""

from __future__ import annotations

from datetime import date, timedelta
from random import Random
from typing import Any

from demo.catalog import catalogue
from demo.common import REFERENCE_DATE, START_DATE, at, day_between, iso, ja_date, pick
from demo.content import names
from demo.people import Cust
from demo.texts_b2b_en import TOPICS_EN, B2BCtx
from demo.texts_b2b_ja import TOPICS_JA
from demo.texts_beauty import SUPPORT_TOPICS, BeautyCtx, as_chat
from demo.texts_voice import review, store_visit, survey

BEAUTY_KINDS = ["inquiry", "review", "email", "chat", "survey", "store_visit"]
RATINGS = [5, 4, 3, 2, 1]
RATING_WEIGHTS = [40, 30, 15, 10, 5]


def _status(r: Random, day: date) -> str:
    if (REFERENCE_DATE - day).days < 14:
        return r.choice(["open", "pending"])
    return r.choice(["resolved", "closed"])


def record(
    c: Cust,
    seq: int,
    kind: str,
    phase: str,
    channel: str,
    day: date,
    r: Random,
    author: str,
    subject: str,
    body: str,
    *,
    language: str = "ja",
    rating: int | None = None,
    status: str | None = None,
    contact: str | None = None,
) -> dict[str, Any]:
    """One canonical interaction record of customer c."""
    return {
        "external_id": f"{c.ref.external_id}-I{seq:03d}",
        "customer_external_id": c.ref.external_id,
        "contact_external_id": contact,
        "kind": kind,
        "phase": phase,
        "channel": channel,
        "occurred_at": iso(at(day, r)),
        "author": author,
        "subject": subject,
        "body": body,
        "rating": rating,
        "status": status,
        "language": language,
    }


def interaction_source(c: Cust, rec: dict[str, Any]) -> str:
    """Support-desk records live in the support system (demo-support), others with the customer."""
    return "demo-support" if rec["phase"] == "support" else c.ref.source


def _activity_day(r: Random, c: Cust) -> date:
    lo = (c.first or REFERENCE_DATE - timedelta(days=300)) - timedelta(days=20)
    hi = (c.last or REFERENCE_DATE) + timedelta(days=60)
    return day_between(r, max(lo, START_DATE), hi)


def _last_order_before(c: Cust, day: date) -> dict[str, Any] | None:
    best = None
    for o in c.orders:
        if o["ordered_at"][:10] <= day.isoformat():
            best = o
    return best or (c.orders[0] if c.orders else None)


def beauty_interaction(r: Random, c: Cust, seq: int) -> dict[str, Any]:
    """One everyday cosmetics record: an inquiry, review, e-mail, chat, survey or store visit."""
    day = _activity_day(r, c)
    order = _last_order_before(c, day)
    if order is not None:
        line = r.choice(order["lines"])
        product, order_no = catalogue().by_sku[line["sku"]], order["order_number"]
        order_day = date.fromisoformat(order["ordered_at"][:10])
    else:
        product, order_no, order_day = r.choice(c.favourites), "(未注文)", day
    ctx = BeautyCtx(c.family, product, order_no, order_day, day, r.choice(names()["beauty_staff"]))
    weights = [30, 22, 10, 12, 12, 28 if c.ref.source == "demo-pos" else 6]
    kind = r.choices(BEAUTY_KINDS, weights=weights)[0]
    name = c.record["name"]
    if kind == "review":
        rating = r.choices(RATINGS, weights=RATING_WEIGHTS)[0]
        subject, body = review(r, ctx, rating)
        return record(c, seq, kind, "marketing", "ec", day, r, name, subject, body, rating=rating)
    if kind == "survey":
        score = r.choices(RATINGS, weights=RATING_WEIGHTS)[0]
        subject, body = survey(r, ctx, score)
        return record(c, seq, kind, "success", "web", day, r, name, subject, body, rating=score)
    if kind == "store_visit":
        subject, body = store_visit(r, ctx)
        return record(c, seq, kind, "sales", "store", day, r, ctx.staff, subject, body)
    topics = [t for t in SUPPORT_TOPICS if t not in c.exclude_topics]
    topic = r.choice(topics)
    subject, body = SUPPORT_TOPICS[topic](r, ctx)
    if r.random() < 0.6:
        # What customers add to be identified: it also makes each message their own.
        body += pick(
            r,
            [
                "(前回の注文番号: {no})",
                "会員ID: {ext}",
                "{d}頃に{p}を購入した者です。",
                "登録の電話番号の下4桁は{tail}です。",
                "({p}は{n}本目です)",
            ],
            no=order_no,
            ext=c.ref.external_id,
            d=ja_date(order_day, r),
            p=product.short,
            tail=(c.record.get("phone") or "0000")[-4:],
            n=r.randint(2, 9),
        )
    channel = {"inquiry": "web_form", "email": "email", "chat": "chat"}[kind]
    if kind == "chat":
        body = as_chat(r, ctx, body)
    return record(
        c, seq, kind, "support", channel, day, r, name, subject, body, status=_status(r, day)
    )


def b2b_interaction(r: Random, c: Cust, seq: int) -> dict[str, Any]:
    """One everyday software-account record, in the account's language (sometimes the other)."""
    day = _activity_day(r, c)
    language = c.language if r.random() < 0.85 else ("en" if c.language == "ja" else "ja")
    contact = r.choice(c.contacts)
    staff = r.choice(names()["b2b_staff_ja" if language == "ja" else "b2b_staff_en"])
    ctx = B2BCtx(
        c.family,
        contact["name"],
        contact["role"],
        staff,
        c.plan.short if c.plan else "SoranoDesk Standard",
        max(c.seats, 5),
        c.connector,
        day,
    )
    table = TOPICS_JA if language == "ja" else TOPICS_EN
    topics = [t for t in table if t not in c.exclude_topics] or ["call"]
    topic = r.choices(
        topics, weights=[{"meeting": 25, "call": 25, "email": 20, "ticket": 30}[t] for t in topics]
    )[0]
    kind, phase, write = table[topic]
    subject, body = write(r, ctx)
    channel = {"meeting_note": "meeting", "call": "phone", "email": "email", "ticket": "portal"}[
        kind
    ]
    status = _status(r, day) if kind == "ticket" else None
    return record(
        c,
        seq,
        kind,
        phase,
        channel,
        day,
        r,
        staff,
        subject,
        body,
        language=language,
        status=status,
        contact=contact["external_id"],
    )
