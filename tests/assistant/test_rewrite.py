"""A rewrite is a typed, audited output: an id for feedback and the customer it is about."""

from __future__ import annotations

import pytest

from assistant.errors import InvalidRequest
from knowledge.errors import CustomerNotFound
from knowledge.journal import get_audit
from tests.assistant.conftest import World


def test_rewrite_returns_a_result_with_an_audited_output_id(world: World) -> None:
    assistant, _ = world.assistant(["明日、改めてお電話いたします。"])
    a = world.ids["A"]
    result = assistant.rewrite("明日電話します。", "もっと丁寧に", customer_id=a, actor="t")
    assert result.text == "明日、改めてお電話いたします。" and result.language == "ja"
    assert result.customer_id == a and result.source_output_id is None
    assert result.model == assistant.model and result.degraded is None
    row = get_audit(world.sessions, result.output_id)
    assert row is not None and (row.action, row.actor, row.customer_id) == ("rewrite", "t", a)
    assert row.details["instruction"] == "もっと丁寧に"


def test_rewrite_of_a_draft_takes_the_drafts_customer(world: World) -> None:
    assistant, _ = world.assistant(["", "Thanks again for your order."])
    a = world.ids["A"]
    draft = assistant.draft_email(a, purpose="thank_you", language="en", actor="t")
    result = assistant.rewrite(draft.body, "shorter", source_output_id=draft.output_id, actor="t")
    assert result.customer_id == a and result.source_output_id == draft.output_id
    assert result.output_id != draft.output_id
    row = get_audit(world.sessions, result.output_id)
    assert row is not None and row.customer_id == a
    assert row.details["source_output_id"] == draft.output_id
    # The same customer given as well is fine; another one contradicts the draft.
    same = assistant.rewrite(
        draft.body, "shorter", customer_id=a, source_output_id=draft.output_id, actor="t"
    )
    assert same.customer_id == a
    with pytest.raises(InvalidRequest):
        assistant.rewrite(
            draft.body,
            "shorter",
            customer_id=world.ids["B"],
            source_output_id=draft.output_id,
            actor="t",
        )


def test_rewrite_without_customer_and_bad_references(world: World) -> None:
    assistant, _ = world.assistant([])
    plain = assistant.rewrite("See you tomorrow.", "friendlier", actor="t")
    assert plain.customer_id is None and plain.output_id
    row = get_audit(world.sessions, plain.output_id)
    assert row is not None and row.customer_id is None
    with pytest.raises(CustomerNotFound):
        assistant.rewrite("See you tomorrow.", "friendlier", customer_id=987654, actor="t")
    with pytest.raises(InvalidRequest):
        assistant.rewrite("See you tomorrow.", "friendlier", source_output_id="nope", actor="t")
    with pytest.raises(InvalidRequest):
        assistant.rewrite("  ", "friendlier", actor="t")
