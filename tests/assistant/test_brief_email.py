"""Brief numbers equal SQL, issues and promises cited; drafts respect consent; rewrite guards."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from assistant.errors import InvalidRequest
from assistant.facts import money
from knowledge.errors import ConsentError
from knowledge.journal import list_audit
from knowledge.models import Order
from knowledge.repository import get_record, record_customer_id
from tests.assistant.conftest import World


def test_brief_numbers_equal_the_sql_facts(world: World) -> None:
    assistant, _ = world.assistant()
    cid = world.ids["A"]
    brief = assistant.brief(cid, actor="sales-1")
    with world.sessions() as s:
        total = s.scalar(select(func.sum(Order.total_amount)).where(Order.customer_id == cid))
        count = s.scalar(select(func.count()).select_from(Order).where(Order.customer_id == cid))
    assert brief.facts["total_spent"] == money(Decimal(total), "JPY") == "5,400 JPY"
    assert brief.facts["order_count"] == count == 2
    assert "累計購入額: 5,400 JPY" in brief.markdown and "注文回数: 2" in brief.markdown
    assert "2025-03-05 A-1002: ほうじ茶 ×1 (2,400 JPY)" in brief.markdown


def test_brief_lists_open_issue_and_promise_with_due_date_and_valid_citations(world: World) -> None:
    assistant, _ = world.assistant()
    brief = assistant.brief(world.ids["A"], actor="t")
    sections = {s.title: s for s in brief.sections}
    issue = sections["未解決の問題・苦情"].sentences[0]
    assert "配送" in issue.text and issue.citations == [f"interaction:{world.ids['I1']}"]
    promise = sections["約束事項"].sentences[0]
    assert "3月20日" in promise.text and promise.citations == [f"interaction:{world.ids['I2']}"]
    with world.sessions() as s:
        for c in brief.citations:
            assert record_customer_id(s, c.record_id) == world.ids["A"], c.record_id
    assert brief.markdown.startswith("# 商談前ブリーフ: 山田 花子")
    assert list_audit(world.sessions)[0].action == "brief"


def test_brief_in_english_on_request(world: World) -> None:
    assistant, _ = world.assistant()
    brief = assistant.brief(world.ids["B"], actor="t")
    assert brief.language == "en"
    promises = next(s for s in brief.sections if s.title == "Promises made")
    assert "March 3" in promises.sentences[0].text
    assert brief.sections[0].title == "Summary" and brief.sections[0].sentences


def test_company_brief_lists_its_contacts_decision_makers_first(world: World) -> None:
    assistant, _ = world.assistant()
    brief = assistant.brief(world.ids["B"], actor="t")
    assert [(c.name, c.role, c.decision_maker) for c in brief.contacts] == [
        ("Tom Baker", "CEO", True),
        ("佐藤 健", "日本法人 代表", True),
        ("Mary Jones", "Purchasing manager", False),
    ]
    titles = [s.title for s in brief.sections]
    assert titles.index("Contacts") == titles.index("Who they are") + 1
    contacts = brief.sections[titles.index("Contacts")].sentences
    assert [s.text for s in contacts] == [
        "Tom Baker, CEO — decision maker",
        "佐藤 健 (サトウ ケン), 日本法人 代表 — decision maker",
        "Mary Jones, Purchasing manager",
    ]
    assert all(not s.generated and not s.citations for s in contacts)
    assert "## Contacts\n\n- Tom Baker, CEO — decision maker\n" in brief.markdown
    # The contacts' e-mail and phone stay out, as the customer's own do.
    assert "mary.jones@" not in brief.markdown and "555 0142" not in brief.markdown
    ja = assistant.brief(world.ids["B"], language="ja", actor="t")
    section = next(s for s in ja.sections if s.title == "先方の担当者")
    assert [s.text for s in section.sentences][:2] == [
        "Tom Baker、CEO【決裁者】",
        "佐藤 健（サトウ ケン）、日本法人 代表【決裁者】",
    ]


def test_person_brief_has_no_contacts_section(world: World) -> None:
    assistant, _ = world.assistant()
    brief = assistant.brief(world.ids["A"], actor="t")
    assert brief.contacts == []
    assert "先方の担当者" not in [s.title for s in brief.sections]
    assert "先方の担当者" not in brief.markdown


def test_opted_out_customer_gets_no_marketing_draft_but_service_mail(world: World) -> None:
    assistant, _ = world.assistant()
    for purpose in ("f2_step", "win_back"):
        with pytest.raises(ConsentError):
            assistant.draft_email(world.ids["B"], purpose=purpose, actor="t")
    draft = assistant.draft_email(world.ids["B"], purpose="renewal", actor="t")
    # A company is greeted through its decision maker; in Japanese after the company's name.
    assert draft.body.startswith("Dear Tom Baker,") and "Kizuna" in draft.body
    assert "renewal" in draft.body
    ja = assistant.draft_email(world.ids["B"], purpose="renewal", language="ja", actor="t")
    assert ja.body.startswith("Acme Foods Ltd. Tom Baker 様") and "更新" in ja.body
    assert draft.citations and draft.citations[0].record_id == f"interaction:{world.ids['I5']}"


def test_draft_frame_comes_from_code_and_the_model_text_is_checked(world: World) -> None:
    reply = (
        "I would like to request a quote for 500 boxes. "
        "We are sorry the delivery of your hojicha was delayed [1]. Visit https://x.example."
    )
    assistant, _ = world.assistant([reply])
    draft = assistant.draft_email(world.ids["A"], purpose="apology", language="en", actor="t")
    assert draft.subject == "Our apologies" and draft.body.startswith("Dear 山田 花子,")
    assert "request a quote" not in draft.body and "x.example" not in draft.body
    assert "500" not in draft.body


def test_f2_steps_and_bad_requests(world: World) -> None:
    assistant, _ = world.assistant(["", "", ""])
    subjects = [
        assistant.draft_email(world.ids["A"], purpose="f2_step", step=n, actor="t").subject
        for n in (1, 2, 3)
    ]
    assert len(set(subjects)) == 3 and "抹茶ラテ" not in subjects[0]  # latest order: ほうじ茶
    with pytest.raises(InvalidRequest):
        assistant.draft_email(world.ids["A"], purpose="f2_step", step=4, actor="t")
    with pytest.raises(InvalidRequest):
        assistant.draft_email(world.ids["A"], purpose="spam", actor="t")


def test_empty_model_text_falls_back_to_the_template_paragraph(world: World) -> None:
    assistant, _ = world.assistant([""])
    draft = assistant.draft_email(world.ids["A"], purpose="thank_you", actor="t")
    assert "2025-03-05 にご注文いただき" in draft.body and "ほうじ茶" in draft.body


def test_a_paragraph_copied_from_a_conversation_log_is_replaced_by_the_template(
    world: World,
) -> None:
    copied = (
        "お客様: ほうじ茶の配送が遅れて届いていないとの苦情。"
        " 担当: お詫びし、代替品を3月20日までに発送するとお約束しました。"
        " お客様: 抹茶ラテがとても美味しくて満足しています。"
    )
    assistant, _ = world.assistant([copied])
    draft = assistant.draft_email(world.ids["A"], purpose="thank_you", actor="t")
    assert "お客様:" not in draft.body and "苦情" not in draft.body
    assert "2025-03-05 にご注文いただき" in draft.body


def test_rewrite_keeps_facts_and_adds_no_links_or_numbers(world: World) -> None:
    original = "Thank you for your order of 2 boxes on 2025-03-05."
    assistant, _ = world.assistant(
        ["Thanks a lot for ordering 2 boxes on 2025-03-05! Get 50% off at https://deal.example."]
    )
    out = assistant.rewrite(original, "make it friendlier", actor="t").text
    assert "2 boxes" in out and "deal.example" not in out and "50%" not in out


def test_brief_talking_points_come_from_the_data_when_the_model_gives_none(
    world: World,
) -> None:
    # The model writes a summary but no usable points (unsupported, uncited text).
    reply = "SUMMARY: 配送の遅れがありました [1]。\nPOINTS: 天気の話をする。"
    assistant, _ = world.assistant([reply])
    cid = world.ids["A"]
    brief = assistant.brief(cid, actor="t")
    sections = {s.title: s for s in brief.sections}
    points = sections["話すべきポイント"].sentences
    next_action = sections["次の一手"].sentences[0]
    assert points and all(not p.generated and p.citations for p in points[:2])
    assert not any("天気" in p.text for p in points)
    quotes = {c.record_id: c.quote for c in brief.citations}
    with world.sessions() as s:
        for p in points:
            for record_id in p.citations:
                assert record_customer_id(s, record_id) == cid
                # the quote is the record's own words, not the point's wording
                record = get_record(s, record_id)
                body = unicodedata.normalize("NFKC", f"{record.subject or ''} {record.body}")
                assert quotes[record_id].split(": ")[-1][:20] in body
    # the point repeats neither the next best action's record nor another point's
    ids = [r for p in points for r in p.citations]
    assert len(ids) == len(set(ids)) and not set(ids) & set(next_action.citations)
