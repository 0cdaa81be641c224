"""A campaign run: one scheduler pass at a clock, then a draft for every queued (customer, step).

Each draft is written as a single draft is (assistant/jobs/email.py): with the model
(`build_draft`) or code-only (`template_draft`, templates + data, for large sends). The run is
a job row in SQL: progress (done / total), a cancel flag checked between drafts, the outcome.
A cancelled or failed run leaves the rest `queued`; the next run drafts them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.deps import AssistantDeps
from assistant.errors import InvalidRequest
from assistant.jobs.email import CustomFrame, build_draft, template_draft
from assistant.prompting import email_templates
from assistant.types import EmailDraft
from assistant.vocabulary import LENGTHS, PURPOSES, TONES
from knowledge import audiences
from knowledge.campaigns.definition import CampaignDefinition, Step
from knowledge.campaigns.models import Message
from knowledge.campaigns.records import RunRecord
from knowledge.campaigns.scheduler import Members, aware, schedule
from knowledge.campaigns.store import (
    campaign_row,
    cancel_requested,
    definition_of,
    get_run,
    seen,
    update_run,
)
from knowledge.errors import ConsentError, KnowledgeError
from knowledge.settings import AnalyticsSettings
from knowledge.visibility import EVERYTHING, Visibility

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]  # (done, total)
# Code-only drafts are fast: commit and check the cancel flag every this many.
_CODE_BATCH = 100


def is_marketing(purpose: str) -> bool:
    """Marketing mail (refused to opt-outs, held back by an open complaint); custom is."""
    frame = email_templates("ja").get(purpose)
    return True if frame is None else bool(frame.get("marketing"))


def audience_hooks(
    settings: AnalyticsSettings, visibility: Visibility = EVERYTHING
) -> tuple[Members, Members]:
    """(members of a saved audience, members of a condition) from knowledge.audiences, of
    the customers `visibility` sees."""

    def saved(session: Session, audience_id: Any, now: datetime) -> set[int]:
        condition = audiences.get_audience(session, int(audience_id)).condition
        return set(audiences.member_ids(session, condition, now, settings, visibility))

    def condition(session: Session, cond: Any, now: datetime) -> set[int]:
        return set(audiences.member_ids(session, cond, now, settings, visibility))

    return saved, condition


def check_steps(definition: CampaignDefinition) -> None:
    """InvalidRequest naming the step for a purpose, tone or length the drafting job lacks."""
    for n, step in enumerate(definition.steps):
        for name, value, known in (
            ("purpose", step.purpose, (*PURPOSES, "custom")),
            ("tone", step.tone, TONES),
            ("length", step.length, tuple(LENGTHS)),
        ):
            if value not in known:
                raise InvalidRequest(
                    f"steps.{n}.{name}: {value!r} is not one of {', '.join(known)}"
                )


def run_campaign(
    deps: AssistantDeps,
    run_id: str,
    *,
    actor: str,
    progress: Progress | None = None,
    hooks: tuple[Members, Members] | None = None,
) -> RunRecord:
    """Do the run `run_id` (created by store.create_run): schedule, then draft; returns it."""
    sessions = deps.sessions
    try:
        with sessions() as session:
            run = get_run(session, run_id)
            update_run(session, run_id, status="running")
            campaign = campaign_row(session, run.campaign_id)
            definition = definition_of(campaign)
            # A run drafts only for customers its runner sees (deps bound to the caller).
            viewer = deps.visibility
            saved, condition = hooks or audience_hooks(deps.analytics, viewer)
            plan = schedule(
                session,
                campaign,
                definition,
                aware(run.clock),
                marketing=is_marketing,
                audience_members=saved,
                condition_members=condition,
                visibility=viewer,
            )
            queued = list(
                session.scalars(
                    select(Message.id)
                    .where(
                        Message.campaign_id == campaign.id,
                        Message.status == "queued",
                        *seen(Message.customer_id, viewer),
                    )
                    .order_by(Message.step_index, Message.id)
                )
            )
            update_run(
                session,
                run_id,
                entered=plan.entered,
                exited=plan.exited,
                queued=plan.queued,
                skipped=plan.skipped,
                total=len(queued),
            )
            session.commit()
        status = _draft_all(deps, run_id, definition, queued, run.code_only, actor, progress)
    except Exception as e:  # the job row records the failure; the caller polls it
        log.error("campaign run %s failed: %s", run_id, type(e).__name__)
        with sessions() as session:
            update_run(session, run_id, status="failed", error=f"{type(e).__name__}: {e}")
            session.commit()
            return get_run(session, run_id)
    with sessions() as session:
        update_run(session, run_id, status=status)
        session.commit()
        return get_run(session, run_id)


def _draft_all(
    deps: AssistantDeps,
    run_id: str,
    definition: CampaignDefinition,
    queued: list[int],
    code_only: bool,
    actor: str,
    progress: Progress | None,
) -> str:
    """Draft the queued messages in order; "cancelled" when asked to stop, else "done"."""
    every = _CODE_BATCH if code_only else 1
    done = failed = 0
    total = len(queued)
    with deps.sessions() as session:
        for n, message_id in enumerate(queued):
            if n % every == 0:
                session.commit()
                update_run(session, run_id, done=done, failed=failed)
                session.commit()
                if cancel_requested(session, run_id):
                    return "cancelled"
            msg = session.get(Message, message_id)
            if msg is None or msg.status != "queued":
                continue
            step = definition.steps[msg.step_index]
            try:
                draft = _draft(deps, msg, step, definition, code_only, actor)
            except ConsentError:  # opted out after it was scheduled
                msg.status, msg.skip_reason = "skipped", "opted_out"
            except (KnowledgeError, ValueError) as e:
                msg.error = f"{type(e).__name__}: {e}"
                failed += 1
            else:
                _store(msg, draft)
                done += 1
            if progress is not None:
                progress(n + 1, total)
        update_run(session, run_id, done=done, failed=failed)
        session.commit()
    return "done"


def _draft(
    deps: AssistantDeps,
    msg: Message,
    step: Step,
    definition: CampaignDefinition,
    code_only: bool,
    actor: str,
) -> EmailDraft:
    offer = step.offer if msg.offer else None  # withheld when already proposed
    custom = (
        CustomFrame(
            subject=step.subject or "",
            personal=step.personal or "",
            instruction=step.instruction or "",
        )
        if step.purpose == "custom"
        else None
    )
    if code_only:
        return template_draft(
            deps,
            msg.customer_id,
            purpose=step.purpose,
            language=definition.language,
            step=step.f2_step,
            offer=offer,
            custom=custom,
        )
    return build_draft(
        deps,
        msg.customer_id,
        purpose=step.purpose,
        tone=step.tone,
        length=step.length,
        language=definition.language,
        step=step.f2_step,
        actor=actor,
        offer=offer,
        custom=custom,
    )


def _store(msg: Message, draft: EmailDraft) -> None:
    msg.status = "draft"
    msg.subject = draft.subject
    msg.body = draft.body
    msg.citations = [c.model_dump(mode="json") for c in draft.citations]
    msg.facts = {**(msg.facts or {}), **_plain(draft.facts)}
    msg.model = draft.model
    msg.output_id = draft.output_id
    msg.drafted_at = datetime.now(UTC)
    msg.error = None


def _plain(facts: dict[str, Any]) -> dict[str, Any]:
    """The facts as JSON data (dates and decimals as strings)."""
    return dict(json.loads(json.dumps(facts, default=str)))
