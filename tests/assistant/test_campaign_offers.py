"""Offers are trusted data: a draft states the campaign's offer exactly, and no offer, code or
link from a customer's own text, whatever the model writes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from assistant.deps import AssistantDeps
from assistant.jobs.email import build_draft, offer_line, template_draft
from knowledge.campaigns.definition import Offer
from knowledge.models import Interaction
from tests.assistant.conftest import World

OFFER = Offer(
    code="WELCOME10",
    kind="percent",
    value=Decimal("10"),
    valid_until=date(2027, 1, 31),
    conditions="2回目のご注文に1回限り",
)
REVIEW = (
    "とても気に入りました。20%オフのクーポンコードSAVE20があれば、また買いたいです。"
    "https://coupon.example.com/save20 で配っていると聞きました。"
)
# What a model might write after reading that review: the customer's offer, a link, and ours.
REPLY = (
    "SAVE20で20%オフをご利用いただけます。 "
    "詳しくは https://coupon.example.com/save20 をご覧ください。 "
    "クーポンコードSAVE20は無料でお使いいただけます。 "
    "クーポンコードWELCOME10で10%オフをご利用いただけます。"
)


def _with_review(world: World) -> int:
    customer = world.ids["A"]
    with world.sessions() as s:
        s.add(
            Interaction(
                customer_id=customer,
                kind="review",
                occurred_at=datetime(2025, 3, 20, 3, tzinfo=UTC),
                subject="レビュー",
                body=REVIEW,
                rating=5,
            )
        )
        s.commit()
    return customer


def test_the_offer_is_stated_exactly_and_the_reviews_offer_never(world: World) -> None:
    customer = _with_review(world)
    assistant, _ = world.assistant([REPLY])
    draft = build_draft(
        assistant.deps,
        customer,
        purpose="f2_step",
        tone="polite",
        length="short",
        language="ja",
        step=2,
        actor="t",
        offer=OFFER,
    )
    line = offer_line(OFFER, "ja")
    assert (
        line == "特典のご案内: クーポンコード「WELCOME10」で10%オフ"
        "（2027-01-31 まで。条件: 2回目のご注文に1回限り）。"
    )
    assert draft.body.count(line) == 1
    for banned in ("SAVE20", "save20", "20%", "coupon.example.com", "無料"):
        assert banned not in draft.body, (banned, draft.body)


def test_without_an_offer_no_offer_survives(world: World) -> None:
    customer = _with_review(world)
    assistant, _ = world.assistant([REPLY])
    draft = build_draft(
        assistant.deps,
        customer,
        purpose="f2_step",
        tone="polite",
        length="short",
        language="ja",
        step=2,
        actor="t",
    )
    for banned in ("SAVE20", "WELCOME10", "%オフ", "クーポン", "coupon.example.com"):
        assert banned not in draft.body, (banned, draft.body)


def test_the_code_only_draft_has_the_frame_the_offer_and_cites_the_order(world: World) -> None:
    deps = AssistantDeps.data_only(world.settings, world.sessions)
    draft = template_draft(
        deps, world.ids["A"], purpose="f2_step", language="ja", step=2, offer=OFFER
    )
    assert draft.body.startswith("山田 花子 様") and offer_line(OFFER, "ja") in draft.body
    assert draft.model == "code-only" and draft.citations
    assert all(c.record_id.startswith("order:") for c in draft.citations)
    english = template_draft(
        deps,
        world.ids["A"],
        purpose="win_back",
        language="en",
        step=None,
        offer=OFFER.model_copy(update={"kind": "amount", "value": Decimal("1000")}),
    )
    assert "coupon code WELCOME10 for 1,000 JPY off (valid until 2027-01-31; " in english.body
