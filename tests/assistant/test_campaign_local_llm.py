"""A campaign run with the real local model on a handful of demo customers (the F2 sequence):
every draft is written, cites only its customer's records, and states the offer exactly.

Cost on 2 cores: a few minutes (a handful of drafts, 5-30 s each)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from assistant.guards import untrusted_offer
from assistant.jobs.campaign_drafts import run_campaign
from assistant.jobs.email import offer_line
from assistant.llm.factory import build_llm
from assistant.service import Assistant
from demo import load_demo
from knowledge.campaigns.definition import Offer
from knowledge.campaigns.models import Campaign, Message
from knowledge.campaigns.store import create_run, definition_of
from knowledge.db import make_session_factory
from knowledge.repository import record_customer_id
from knowledge.settings import Settings
from retrieval.embedders import make_embedder
from retrieval.service import build_retrieval

pytestmark = pytest.mark.integration
CLOCK = datetime(2026, 11, 21, 3, tzinfo=UTC)


def test_the_f2_sequence_with_the_local_model(
    settings: Settings, sqlite_engine: Any, model_path: str
) -> None:
    settings.llm.mode = "local"
    settings.llm.model_path = model_path
    settings.llm.max_tokens = 160
    settings.retrieval.collection = f"t{uuid.uuid4().hex[:12]}"
    settings.imports.progress = False
    sessions = make_session_factory(sqlite_engine)
    load_demo(sessions, settings, scale=0.05)
    retrieval = build_retrieval(
        settings.retrieval, sessions, embedder=make_embedder(settings.retrieval)
    )
    llm = build_llm(settings.llm)
    try:
        assistant = Assistant(settings, sessions, retrieval, llm)
        with sessions() as s:
            campaign = s.scalars(select(Campaign).where(Campaign.name.like("F2%"))).one()
            offer = definition_of(campaign).steps[1].offer
            job_id = uuid.uuid4().hex
            create_run(s, job_id, campaign.id, CLOCK, False, "it")
            s.commit()
        run = run_campaign(assistant.deps, job_id, actor="it")
        assert run.status == "done" and 1 <= run.total <= 8, run
        assert run.done == run.total and run.failed == 0
        with sessions() as s:
            drafts = s.scalars(
                select(Message).where(Message.campaign_id == campaign.id, Message.status == "draft")
            ).all()
            assert len(drafts) == run.done
            for d in drafts:
                assert d.model and d.model != "code-only" and d.name and d.name in (d.body or "")
                for c in d.citations:
                    rid = c["record_id"]
                    assert rid.startswith("article:") or record_customer_id(s, rid) == d.customer_id
                body = d.body or ""
                line = offer_line(Offer.model_validate(d.offer), "ja") if d.offer else ""
                if line:
                    assert body.count(line) == 1
                # No offer but the defined one (its words may be repeated, nothing else).
                assert untrusted_offer(body.replace(line, ""), line) is None, body
        assert offer is not None
    finally:
        close = getattr(llm, "close", None)
        if callable(close):
            close()
