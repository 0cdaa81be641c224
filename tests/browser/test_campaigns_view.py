"""The Campaigns view in real headless Chromium, with a marketing key.

Build an audience with the live count (the count follows each edit; a bad JSON condition
shows the error with its path), save it and see its members; define a campaign on it, run
it (code-only, fixed clock), review the drafts beside the customer card and citations with
the keyboard (approve, edit + Ctrl+Enter, reject), export CSV, open the report; Japanese and
English labels. Screenshots in test-artifacts/campaigns-*.png. Integration: about 10-20 s.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, LiveServer

pytestmark = pytest.mark.integration


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"campaigns-{name}.png"), full_page=True)


def count_text(page: Any) -> str:
    return str(page.inner_text("#aud-count"))


def wait_count(page: Any, expected: str) -> None:
    try:
        page.wait_for_function(
            "(want) => document.getElementById('aud-count').textContent.startsWith(want)",
            arg=expected,
            timeout=10_000,
        )
    except Exception:
        shot(page, "failed")
        error = page.inner_text("#aud-error")
        raise AssertionError(
            f"count {count_text(page)!r}, wanted {expected}; error {error!r}"
        ) from None


def sign_in(page: Any, server: LiveServer, role: str) -> None:
    page.goto(server.url + "/")
    page.fill("#api-key", server.keys[role])
    page.press("#api-key", "Enter")
    page.wait_for_selector("#desk:not([hidden])")


def test_audience_builder_live_count_and_members(live_server: LiveServer, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="ja-JP")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, live_server, "marketing")
    assert page.is_visible("#views")
    page.click("#view-campaigns")
    page.wait_for_selector("#campaigns:not([hidden])")
    assert page.is_hidden("#desk")

    # The first rule is "segment = champion": nobody in the seed company.
    page.wait_for_selector("#aud-rules li.rule")
    wait_count(page, "0")
    # Segment "is one of" new or prospect: both customers bought once. The count follows edits.
    rule = page.locator("#aud-rules li.rule").first
    rule.locator("select.rule-op").select_option("in")
    rule.locator(".rule-value input[value=champion]").uncheck()
    rule.locator(".rule-value input[value=new]").check()
    rule.locator(".rule-value input[value=prospect]").check()
    wait_count(page, "2")
    # And marketing consent = yes: Acme opted out.
    page.click("#aud-add-rule")
    second = page.locator("#aud-rules li.rule").nth(1)
    second.locator("select.rule-field").select_option("marketing_opt_in")
    wait_count(page, "1")
    page.select_option("#aud-combine", "any")
    wait_count(page, "2")
    page.select_option("#aud-combine", "all")
    second.locator("input[type=checkbox]").check()  # not opted in: Acme alone
    wait_count(page, "1")
    assert "人" in count_text(page)
    shot(page, "1-builder")

    # A hand-written JSON condition with a mistake: the error names its path.
    page.click("#aud-json-box summary")
    page.fill("#aud-json", '{"all": [{"field": "segment", "op": "between", "value": [1, 2]}]}')
    page.click("#aud-json-apply")
    page.wait_for_selector("#aud-error:has-text('condition.all[0].op')")
    assert "between" in page.inner_text("#aud-error")
    page.fill(
        "#aud-json",
        '{"all": [{"field": "kind", "op": "in", "value": ["person", "company"]},'
        ' {"field": "has_email", "op": "is", "value": true}]}',
    )
    page.click("#aud-json-apply")
    wait_count(page, "2")
    assert page.inner_text("#aud-error") == ""
    # A flat condition comes back into the builder's rows.
    page.wait_for_function("document.querySelectorAll('#aud-rules li.rule').length === 2")
    assert page.locator("#aud-rules li.rule select.rule-field").nth(1).input_value() == "has_email"

    # Save it; the members table shows both with segment and consent.
    page.fill("#aud-name", "メールのある顧客")
    page.fill("#aud-desc", "ブラウザテスト")
    page.click("#aud-save")
    page.wait_for_selector("#aud-list [data-audience-id]")
    page.wait_for_selector("#aud-members table")
    members = page.inner_text("#aud-members")
    assert "山田 太郎" in members and "Acme Trading Ltd." in members and "配信停止" in members
    assert "2" in page.inner_text("#aud-members-title")
    shot(page, "2-saved")

    # English labels.
    page.click("#lang-toggle")
    assert page.inner_text("#aud-title") == "Audiences"
    assert page.inner_text("#view-campaigns") == "Campaigns"
    assert "customers" in count_text(page)
    assert "Opted out" in page.inner_text("#aud-members")
    shot(page, "3-english")
    page.click("#lang-toggle")
    assert not errors, errors
    context.close()


def test_agent_has_no_campaigns_view(live_server: LiveServer, browser: Any) -> None:
    page = browser.new_page()
    sign_in(page, live_server, "agent")
    assert page.is_hidden("#views") and page.is_hidden("#campaigns")
    page.close()


def test_campaign_run_review_export_report(live_server: LiveServer, browser: Any) -> None:
    """Define a one-step thank-you campaign on a saved audience, run it code-only at a fixed
    clock, review both drafts with the keyboard, export CSV and read the report."""
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000}, locale="ja-JP", timezone_id="UTC"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, live_server, "marketing")
    everyone = {"field": "has_email", "op": "is", "value": True}
    r = page.request.post(
        live_server.url + "/audiences", data={"name": "お礼の対象", "condition": everyone}
    )
    assert r.status == 201, r.text()
    page.reload()
    page.wait_for_selector("#desk:not([hidden])")
    page.click("#view-campaigns")
    page.wait_for_selector("#aud-list [data-audience-id]")

    # Define: audience entry, one thank-you step on the day of entry.
    page.click("#camp-new summary")
    page.fill("#camp-name", "ご購入のお礼")
    page.select_option("#camp-entry", label="オーディエンス: お礼の対象")
    step = page.locator("#camp-steps li.step").first
    step.locator("input[type=number]").first.fill("0")
    step.locator("select").select_option("thank_you")
    shot(page, "4-define")
    page.click("#camp-create")
    page.wait_for_selector("#camp-detail:not([hidden])")
    assert page.inner_text("#camp-detail-title") == "ご購入のお礼"

    # Run at a fixed clock, code-only; the job's progress ends "done".
    page.fill("#camp-now", "2025-03-01T12:00")
    page.check("#camp-code-only")
    page.click("#camp-run")
    page.wait_for_selector("#camp-job:has-text('完了')", timeout=60_000)
    page.wait_for_selector("#rev-list [data-draft-id]")
    assert page.locator("#rev-list [data-draft-id]").count() == 2

    # The first draft beside its customer card, with its citations.
    page.wait_for_selector("#rev-card h3.name")
    assert page.input_value("#rev-subject").strip() and page.input_value("#rev-body").strip()
    first_name = page.inner_text("#rev-card h3.name")
    assert first_name.split()[0] in page.input_value("#rev-body")
    shot(page, "5-review")

    # Keyboard: a approves and moves on; e edits, Ctrl+Enter saves (edited).
    page.locator("#rev-list [data-draft-id]").first.focus()
    page.keyboard.press("a")
    page.wait_for_selector("#rev-list li:nth-child(1) .st-approved")
    page.wait_for_function("document.activeElement.closest('#rev-list li:nth-child(2)') !== null")
    page.keyboard.press("e")
    assert page.evaluate("document.activeElement.id") == "rev-body"
    page.keyboard.press("Control+End")
    page.keyboard.type("\n追伸: またのご来店をお待ちしております。")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#rev-list li:nth-child(2) .st-edited")
    assert "追伸" in page.input_value("#rev-body")

    # Export CSV: a file with both approved mails; the drafts become exported.
    with page.expect_download() as download:
        page.click("#camp-export-csv")
    path = download.value.path()
    assert path is not None
    csv_text = Path(path).read_text(encoding="utf-8-sig")
    assert "追伸" in csv_text and "taro.yamada@example.jp" in csv_text
    page.wait_for_selector("#camp-status:has-text('2')")

    # The report: the step's row and the total.
    page.click("#camp-report-open")
    page.wait_for_selector("#camp-report table")
    report = page.inner_text("#camp-report")
    assert "合計" in report and "書き出し" in report
    shot(page, "6-report")

    page.click("#lang-toggle")
    assert page.inner_text("#rev-title") == "Review drafts"
    assert "Total" in page.inner_text("#camp-report")
    shot(page, "7-english")
    assert not errors, errors
    context.close()
