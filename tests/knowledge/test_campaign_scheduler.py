"""The campaign scheduler and its eligibility rules, on hand-made data with a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from analytics_data import add_customer, add_order
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from knowledge import audiences
from knowledge.campaigns.definition import parse_definition
from knowledge.campaigns.models import Campaign, Enrolment, Message
from knowledge.campaigns.scheduler import held_out, schedule
from knowledge.campaigns.store import create_campaign, definition_of
from knowledge.errors import CampaignError
from knowledge.models import Customer, Interaction
from knowledge.settings import AnalyticsSettings, VisibilitySettings
from knowledge.visibility import EVERYTHING, Visibility

NOW = datetime(2024, 7, 1, 9, tzinfo=UTC)
SETTINGS = AnalyticsSettings(reference_date=date(2024, 6, 30))
MARKETING = {"f2_step", "win_back", "custom"}
OFFER = {"code": "WELCOME10", "kind": "percent", "value": 10, "valid_until": "2024-12-31"}
F2: dict[str, Any] = {
    "name": "F2",
    "trigger": {"field": "first_order_at", "within_days": 60},
    "steps": [
        {"purpose": "f2_step", "f2_step": 1, "delay_days": 7},
        {"purpose": "f2_step", "f2_step": 2, "delay_days": 21, "offer": OFFER},
        {"purpose": "f2_step", "f2_step": 3, "delay_days": 45},
    ],
    "exit_when": {"field": "order_count", "op": "gte", "value": 2},
}


def day(n: int) -> str:
    """The ISO date n days before NOW."""
    return (NOW - timedelta(days=n)).date().isoformat()


def run(
    session: Session, campaign_id: int, now: datetime = NOW, viewer: Visibility = EVERYTHING
) -> Any:
    row = session.get(Campaign, campaign_id)
    assert row is not None

    def cond(s: Session, c: Any, at: datetime) -> set[int]:
        return set(audiences.member_ids(s, c, at, SETTINGS, viewer))

    def saved(s: Session, audience_id: Any, at: datetime) -> set[int]:
        return cond(s, audiences.get_audience(s, int(audience_id)).condition, at)

    plan = schedule(
        session,
        row,
        definition_of(row),
        now,
        marketing=lambda p: p in MARKETING,
        audience_members=saved,
        condition_members=cond,
        visibility=viewer,
    )
    session.commit()
    return plan


def messages(session: Session, campaign_id: int) -> dict[tuple[int, int], Message]:
    rows = session.scalars(select(Message).where(Message.campaign_id == campaign_id))
    return {(m.customer_id, m.step_index): m for m in rows}


def exits(session: Session, campaign_id: int) -> dict[int, str | None]:
    rows = session.scalars(select(Enrolment).where(Enrolment.campaign_id == campaign_id))
    return {e.customer_id: e.exit_reason for e in rows}


def first_buyer(session: Session, name: str, days_ago: int = 8, **fields: Any) -> int:
    fields.setdefault("email", f"{name.split()[0].lower()}@example.com")
    c = add_customer(session, name, **fields)
    add_order(
        session, c, day(days_ago), "5000", lines=[("5000", None, "tea", "green", "Sora", "Sencha")]
    )
    return c.id


def test_due_step_is_queued_and_a_second_run_creates_nothing(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as s:
        a = first_buyer(s, "Aki Sato")
        old = first_buyer(s, "Old Buyer", days_ago=200)  # outside the trigger window
        cid = create_campaign(s, F2, "test").id
        s.commit()
        plan = run(s, cid)
        assert (plan.entered, plan.queued) == (1, 1)
        msgs = messages(s, cid)
        assert set(msgs) == {(a, 0)} and msgs[(a, 0)].status == "queued"
        assert old not in exits(s, cid)
        # The step's time: first order date (JST) + 7 days at 10:00 JST.
        assert msgs[(a, 0)].scheduled_at.replace(tzinfo=UTC) == datetime(2024, 6, 30, 1, tzinfo=UTC)
        again = run(s, cid)
        assert (again.entered, again.queued, again.skipped, again.exited) == (0, 0, 0, 0)
        assert s.scalar(select(func.count()).select_from(Message)) == 1


def test_opted_out_open_complaint_and_merged_records_get_no_mail(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as s:
        ok = first_buyer(s, "Aki Sato")
        out = first_buyer(s, "Ben Opt", email_opt_out=True)
        upset = first_buyer(s, "Chie Upset")
        s.add(
            Interaction(
                customer_id=upset,
                kind="ticket",
                occurred_at=NOW - timedelta(days=2),
                body="届いた商品が破損していました。",
                status="open",
            )
        )
        survivor = first_buyer(s, "Dai Survivor")
        merged = first_buyer(s, "Dai Duplicate", merged_into_id=survivor)
        cid = create_campaign(s, F2, "test").id
        s.commit()
        run(s, cid)
        msgs = messages(s, cid)
        assert {k[0] for k in msgs} == {ok, survivor}
        left = exits(s, cid)
        assert left[out] == "opted_out" and left[upset] == "open_complaint"
        assert merged not in left  # a merged record never enters; its survivor does


def test_records_sharing_an_email_get_one_mail(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        one = first_buyer(s, "Eri One", email="family@example.com")
        two = first_buyer(s, "Eri Two", email=" Family@Example.com ")
        cid = create_campaign(s, F2, "test").id
        s.commit()
        run(s, cid)
        msgs = messages(s, cid)
        assert msgs[(one, 0)].status == "queued"
        assert (msgs[(two, 0)].status, msgs[(two, 0)].skip_reason) == ("skipped", "same_email")


def test_second_purchase_mid_sequence_ends_it(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        buyer = first_buyer(s, "Fumi Again", days_ago=20)
        cid = create_campaign(s, F2, "test").id
        s.commit()
        run(s, cid, NOW - timedelta(days=10))  # step 1 (7 days) is due then
        assert messages(s, cid)[(buyer, 0)].status == "queued"
        c = s.get(Customer, buyer)
        add_order(s, c, day(5), "3000")  # the second purchase
        s.commit()
        plan = run(s, cid)  # step 2 (21 days) is due now, but the customer has converted
        assert plan.exited == 1 and exits(s, cid)[buyer] == "exit_when"
        assert (buyer, 1) not in messages(s, cid)


def test_a_late_first_run_sends_only_the_latest_due_step(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        buyer = first_buyer(s, "Gen Late", days_ago=30)
        cid = create_campaign(s, F2, "test").id
        s.commit()
        run(s, cid)
        msgs = messages(s, cid)
        assert (msgs[(buyer, 0)].status, msgs[(buyer, 0)].skip_reason) == ("skipped", "superseded")
        assert msgs[(buyer, 1)].status == "queued"
        assert msgs[(buyer, 1)].offer is not None and msgs[(buyer, 1)].offer["code"] == "WELCOME10"


def test_an_offer_already_proposed_is_not_proposed_again(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        buyer = first_buyer(s, "Hana Twice", days_ago=22)
        earlier = create_campaign(s, {**F2, "name": "earlier"}, "test").id
        cid = create_campaign(s, F2, "test").id
        s.commit()
        run(s, earlier)
        assert messages(s, earlier)[(buyer, 1)].offer is not None
        run(s, cid)
        msg = messages(s, cid)[(buyer, 1)]
        assert msg.status == "queued" and msg.offer is None
        assert "WELCOME10" in msg.facts["offer_withheld"]


def test_service_mail_still_goes_to_an_opted_out_customer(sessions: sessionmaker[Session]) -> None:
    apology = {
        "name": "sorry",
        "trigger": {"field": "first_order_at"},
        "steps": [{"purpose": "apology", "delay_days": 0}],
    }
    with sessions() as s:
        out = first_buyer(s, "Ivy Out", email_opt_out=True)
        cid = create_campaign(s, apology, "test").id
        s.commit()
        run(s, cid)
        assert messages(s, cid)[(out, 0)].status == "queued"


def test_audience_entry_and_a_stable_holdout(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        ids = [first_buyer(s, f"Member{n} Tea") for n in range(40)]
        saved = audiences.create_audience(
            s, name="tea buyers", condition={"field": "order_count", "op": "gte", "value": 1}
        )
        campaign = {
            "name": "news",
            "audience_id": saved.id,
            "holdout_percent": 25,
            "steps": [{"purpose": "win_back", "delay_days": 0, "send_time": "00:00"}],
        }
        cid = create_campaign(s, campaign, "test").id
        s.commit()
        run(s, cid)
        msgs = messages(s, cid)
        held = {c for (c, _), m in msgs.items() if m.skip_reason == "holdout"}
        assert held == {c for c in ids if held_out(cid, c, 25)}
        assert 0 < len(held) < 40
        assert all(m.status == "queued" for (c, _), m in msgs.items() if c not in held)


EAST = Visibility.of("marketing", "mika", ["east"], VisibilitySettings(marketing="team"))


def test_a_run_enrols_and_queues_only_the_customers_its_runner_sees(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as s:
        mine = first_buyer(s, "Aki Sato", team="east")
        hidden = first_buyer(s, "Ben West", team="west")
        cid = create_campaign(s, F2, "test").id
        s.commit()
        plan = run(s, cid, viewer=EAST)
        assert (plan.entered, plan.queued) == (1, 1)
        assert set(messages(s, cid)) == {(mine, 0)} and set(exits(s, cid)) == {mine}
        # Someone who sees everyone picks up the rest; the first customer is not queued twice.
        plan = run(s, cid)
        assert (plan.entered, plan.queued) == (1, 1)
        assert set(messages(s, cid)) == {(mine, 0), (hidden, 0)}


def test_drafts_counts_and_reports_leave_out_hidden_customers(
    sessions: sessionmaker[Session],
) -> None:
    from knowledge.campaigns import report, store
    from knowledge.campaigns.export import export_ready
    from knowledge.campaigns.results import import_results
    from knowledge.errors import CampaignNotFound

    with sessions() as s:
        mine = first_buyer(s, "Aki Sato", team="east")
        first_buyer(s, "Ben West", team="west")
        cid = create_campaign(s, F2, "test").id
        s.commit()
        run(s, cid)
        for msg in messages(s, cid).values():
            msg.status, msg.subject, msg.body = "draft", "s", "b"
        s.commit()
        ids = {m.customer_id: m.id for m in messages(s, cid).values()}
        hidden_draft = next(i for c, i in ids.items() if c != mine)
        total, items = store.list_drafts(s, cid, visibility=EAST)
        assert total == 1 and [d.customer_id for d in items] == [mine]
        assert store.list_drafts(s, cid)[0] == 2
        counts = store.get_campaign(s, cid, EAST).counts
        assert (counts["enrolled"], counts["draft"]) == (1, 1)
        with pytest.raises(CampaignNotFound, match=f"draft {hidden_draft}"):
            store.get_draft(s, hidden_draft, EAST)
        with pytest.raises(CampaignNotFound):
            store.review(s, hidden_draft, "approve", "mika", EAST)
        assert store.approve_many(s, cid, "mika", ids=list(ids.values()), visibility=EAST) == (
            1,
            [hidden_draft],
        )
        assert report.campaign_report(s, cid, EAST)["total"]["drafted"] == 1
        store.review(s, hidden_draft, "approve", "admin")
        rows = export_ready(s, cid, NOW, EAST)
        assert [r["customer_id"] for r in rows] == [mine]
        assert store.get_draft(s, hidden_draft).status == "approved"  # left for its viewers
        export_ready(s, cid, NOW)
        events = [(1, {"message_id": ids[mine], "event": "opened"}),
                  (2, {"message_id": hidden_draft, "event": "unsubscribed"})]  # fmt: skip
        got = import_results(s, events, NOW, visibility=EAST)
        assert (got.recorded, got.rejected, got.unsubscribed) == (1, 1, 0)
        assert got.rejected_rows[0]["reason"] == f"no exported message {hidden_draft}"


def test_bad_definitions_name_the_json_path() -> None:
    with pytest.raises(CampaignError, match=r"steps\.1\.offer\.value"):
        parse_definition(
            {**F2, "steps": [F2["steps"][0], {**F2["steps"][1], "offer": {**OFFER, "value": 0}}]}
        )
    with pytest.raises(CampaignError, match="audience_id or trigger"):
        parse_definition({"name": "x", "steps": [{"purpose": "win_back", "delay_days": 0}]})
    with pytest.raises(CampaignError, match="exit_when"):
        parse_definition({**F2, "exit_when": {"field": "nope", "op": "eq", "value": 1}})


def test_a_resolved_ticket_is_an_event_that_starts_a_sequence(
    sessions: sessionmaker[Session],
) -> None:
    follow_up = {
        "name": "after support",
        "trigger": {"field": "ticket_resolved_at", "within_days": 30},
        "steps": [{"purpose": "thank_you", "delay_days": 0}],
    }
    with sessions() as s:
        helped = first_buyer(s, "Eri Helped")
        waiting = first_buyer(s, "Fumi Waiting")
        for cid, status in ((helped, "resolved"), (waiting, "open")):
            s.add(
                Interaction(
                    customer_id=cid,
                    kind="ticket",
                    occurred_at=NOW - timedelta(days=3),
                    body="配送日の変更について",
                    status=status,
                    updated_at=NOW - timedelta(days=1),
                )
            )
        cid = create_campaign(s, follow_up, "test").id
        s.commit()
        run(s, cid)
        assert {k[0] for k in messages(s, cid)} == {helped}
