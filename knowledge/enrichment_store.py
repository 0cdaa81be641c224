"""Sentiment and intent on interactions: read what needs enriching, store what was found."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import transaction
from knowledge.models import Interaction
from knowledge.records import InteractionRecord

SENTIMENTS = ("positive", "neutral", "negative")


def interactions_to_enrich(
    sessions: sessionmaker[Session], *, only_missing: bool = True, customer_id: int | None = None
) -> list[InteractionRecord]:
    """Interactions without enrichment (or all of them), oldest first."""
    with sessions() as s:
        q = select(Interaction).order_by(Interaction.id)
        if only_missing:
            q = q.where(Interaction.enriched_at.is_(None))
        if customer_id is not None:
            q = q.where(Interaction.customer_id == customer_id)
        return [InteractionRecord.model_validate(i) for i in s.scalars(q)]


def store_enrichment(
    sessions: sessionmaker[Session], results: Iterable[tuple[int, str, str | None]]
) -> int:
    """Write (interaction id, sentiment, intent) triples in one transaction; returns the count."""
    now = datetime.now(UTC)
    count = 0
    with transaction(sessions) as s:
        for interaction_id, sentiment, intent in results:
            if sentiment not in SENTIMENTS:
                raise ValueError(
                    f"interaction {interaction_id}: sentiment {sentiment!r} not in {SENTIMENTS}"
                )
            row = s.get(Interaction, interaction_id)
            if row is None:
                raise ValueError(f"interaction {interaction_id} does not exist")
            row.sentiment, row.intent, row.enriched_at = sentiment, intent, now
            count += 1
    return count
