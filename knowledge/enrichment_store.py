"""Sentiment, intent and injection flags on interactions: read what needs enriching, store
what was found.

Both take a Session: the caller (`assistant.enrich.enrich_all`) owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from knowledge.models import Interaction
from knowledge.records import InteractionRecord

SENTIMENTS = ("positive", "neutral", "negative")
_IN_CHUNK = 500


def interactions_to_enrich(
    session: Session, *, only_missing: bool = True, customer_id: int | None = None
) -> list[InteractionRecord]:
    """Interactions without enrichment (or all of them), oldest first."""
    q = select(Interaction).order_by(Interaction.id)
    if only_missing:
        q = q.where(Interaction.enriched_at.is_(None))
    if customer_id is not None:
        q = q.where(Interaction.customer_id == customer_id)
    return [InteractionRecord.model_validate(i) for i in session.scalars(q)]


def store_enrichment(
    session: Session,
    results: Iterable[tuple[int, str, str | None]],
    *,
    classified: Mapping[int, InteractionRecord] | None = None,
    flags: Mapping[int, str | None] | None = None,
) -> int:
    """Write (interaction id, sentiment, intent) triples in the caller's transaction; the count.

    With `flags` (interaction id -> injection reasons or None), the injection flag is written
    too: every enrichment pass rescans, so a flag follows the text it was found in.

    With `classified` (the records the results were computed from), a row whose text was
    changed since by an import is left alone: its enrichment was reset and a later pass redoes it.
    """
    results = list(results)
    for interaction_id, sentiment, _ in results:
        if sentiment not in SENTIMENTS:
            raise ValueError(
                f"interaction {interaction_id}: sentiment {sentiment!r} not in {SENTIMENTS}"
            )
    now = datetime.now(UTC)
    texts = _texts(session, [interaction_id for interaction_id, _, _ in results])
    rows = []
    for interaction_id, sentiment, intent in results:
        if interaction_id not in texts:
            raise ValueError(f"interaction {interaction_id} does not exist")
        seen = classified.get(interaction_id) if classified is not None else None
        if seen is not None and texts[interaction_id] != (seen.subject, seen.body, seen.rating):
            continue
        row: dict[str, object] = {
            "id": interaction_id,
            "sentiment": sentiment,
            "intent": intent,
            "enriched_at": now,
        }
        if flags is not None:
            row["injection_flags"] = flags.get(interaction_id)
        rows.append(row)
    if rows:
        session.execute(update(Interaction), rows)
    return len(rows)


def _texts(session: Session, ids: list[int]) -> dict[int, tuple[str | None, str, int | None]]:
    """What enrichment reads of each interaction (subject, body, rating), a query per chunk."""
    out: dict[int, tuple[str | None, str, int | None]] = {}
    q = select(Interaction.id, Interaction.subject, Interaction.body, Interaction.rating)
    for start in range(0, len(ids), _IN_CHUNK):
        for i, subject, body, rating in session.execute(
            q.where(Interaction.id.in_(ids[start : start + _IN_CHUNK]))
        ):
            out[i] = (subject, body, rating)
    return out
