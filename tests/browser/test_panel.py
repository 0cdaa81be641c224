"""The support-desk panel in real headless Chromium, driven by the keyboard where it matters.

Sign in, find a customer incrementally, ask a question and watch the answer stream, open a
citation, open the brief, draft and copy an e-mail, give a thumbs-up, switch the UI language.
Screenshots go to test-artifacts/. Integration: about 10-20 s.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.vocabulary import PURPOSES
from knowledge.vocabulary import LANGUAGES
from tests.browser.conftest import ARTIFACTS, LiveServer

pytestmark = pytest.mark.integration

COUNT_STREAM_UPDATES = """
() => {
  window.__streamUpdates = 0;
  new MutationObserver((records) => {
    for (const r of records) {
      const node = r.target.nodeType === 3 ? r.target.parentElement : r.target;
      if (node && node.closest && node.closest('.streaming')) window.__streamUpdates++;
    }
  }).observe(document.getElementById('chat-log'),
             {subtree: true, childList: true, characterData: true});
}
"""


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"panel-{name}.png"), full_page=True)


def test_support_desk_flow(live_server: LiveServer, browser: Any) -> None:
    context = browser.new_context(
        viewport={"width": 1440, "height": 900},
        locale="ja-JP",
    )
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url + "/")

    # Sign in with the keyboard: the key field has focus, Enter submits.
    page.wait_for_selector("#api-key:focus")
    page.keyboard.type(live_server.keys["agent"])
    page.keyboard.press("Enter")
    page.wait_for_selector("#desk:not([hidden])")
    assert "agent-1" in page.inner_text("#whoami")
    cookies = {c["name"]: c for c in context.cookies()}
    assert (
        cookies["kizuna_session"]["httpOnly"] and cookies["kizuna_session"]["sameSite"] == "Strict"
    )

    # Incremental search by kana; ↓ then Enter opens the customer.
    page.wait_for_selector("#customer-q:focus")
    page.keyboard.type("ヤマダ")
    page.wait_for_selector("#customer-results button[data-customer-id]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("#card-body h3.name")
    card = page.inner_text("#card-body")
    assert "山田 太郎" in card and "A-1001" in card and "加湿器の異音" in card
    assert "配信可" in card  # consent shown

    # Ask; the answer streams (several DOM updates) and ends with clickable citations.
    page.evaluate(COUNT_STREAM_UPDATES)
    page.focus("#question")
    page.keyboard.type("この顧客は以前にも加湿器の異音で問い合わせていますか？")
    page.keyboard.press("Enter")
    page.wait_for_selector("#chat-log .msg.bot .cite", timeout=30_000)
    assert page.evaluate("window.__streamUpdates") >= 2
    shot(page, "1-answer")
    cite = page.locator("#chat-log .msg.bot .cite").first
    record_id = cite.get_attribute("data-record-id")
    assert record_id and record_id.split(":")[0] in ("interaction", "article")
    cite.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#record-dialog[open] .record-text")
    assert record_id in page.inner_text("#record-title")
    shot(page, "2-citation")
    page.keyboard.press("Escape")
    page.wait_for_selector("#record-dialog", state="hidden")

    # Thumbs up on the answer is stored.
    page.locator("#chat-log .msg.bot .feedback button").first.click()
    page.wait_for_selector("#assist-status:has-text('フィードバック')")

    # The brief: tab over with the arrow key, open it.
    page.focus("#tab-chat")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-brief"
    page.click("#open-brief")
    page.wait_for_selector("#brief section h3", timeout=30_000)
    shot(page, "3-brief")

    # Draft an e-mail, edit nothing, copy it.
    page.focus("#tab-brief")
    page.keyboard.press("ArrowRight")
    page.select_option("#purpose", "thank_you")
    page.select_option("#email-lang", "ja")
    page.click("#draft")
    page.wait_for_selector("#email-out:not([hidden])", timeout=30_000)
    subject = page.input_value("#email-subject")
    body = page.input_value("#email-body")
    assert subject.strip() and body.strip()
    page.click("#copy-email")
    page.wait_for_selector("#assist-status:has-text('コピー')")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(subject)
    shot(page, "4-email")

    # English UI.
    page.click("#lang-toggle")
    assert page.inner_text("#find-title") == "Find a customer"
    assert page.get_attribute("html", "lang") == "en"
    assert "Helpful" in page.inner_text("#email-feedback")  # buttons made earlier follow too
    shot(page, "5-english")
    assert not errors, errors
    context.close()


def test_wrong_key_shows_an_error(live_server: LiveServer, browser: Any) -> None:
    page = browser.new_page()
    page.goto(live_server.url + "/")
    page.fill("#api-key", "kz_000000000000_wrong")
    page.press("#api-key", "Enter")
    page.wait_for_selector("#signin-error:not(:empty)")
    assert page.is_visible("#signin")
    page.close()


def test_marketing_sees_its_tabs_and_the_api_lists(live_server: LiveServer, browser: Any) -> None:
    """The tabs follow the role's actions and the choices come from GET /vocabulary."""
    page = browser.new_page(locale="en-US")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.url + "/")
    page.fill("#api-key", live_server.keys["marketing"])
    page.press("#api-key", "Enter")
    page.wait_for_selector("#desk:not([hidden])")
    assert page.is_hidden("#tab-chat") and page.is_hidden("#tab-brief")
    assert page.is_visible("#tab-email") and page.is_visible("#panel-email")
    values = "(id) => [...document.getElementById(id).options].map((o) => o.value)"
    assert page.evaluate(values, "purpose") == list(PURPOSES)
    assert page.evaluate(values, "email-lang") == ["", *LANGUAGES]
    assert page.input_value("#length") == "medium" and page.input_value("#tone") == "polite"
    assert page.inner_text("#purpose option[value=f2_step]") == "Second purchase (F2)"
    shot(page, "6-marketing")
    assert not errors, errors
    page.close()
