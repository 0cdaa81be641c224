"""Read access for the indexer: the interactions and articles to index, as plain records."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import Article, Customer, Interaction
from knowledge.records import ArticleRecord, InteractionRecord


def iter_interactions(session: Session, batch_size: int = 1000) -> Iterator[InteractionRecord]:
    """Every interaction of a live (not merged-away) customer, by id, streamed in batches."""
    last_id = 0
    while True:
        rows = session.scalars(
            select(Interaction)
            .join(Customer, Customer.id == Interaction.customer_id)
            .where(Interaction.id > last_id, Customer.merged_into_id.is_(None))
            .order_by(Interaction.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return
        for row in rows:
            yield InteractionRecord.model_validate(row)
        last_id = rows[-1].id
        session.expunge_all()  # keep memory flat on large tables


def iter_articles(session: Session, batch_size: int = 1000) -> Iterator[ArticleRecord]:
    """Every knowledge-base article, ordered by id, streamed in batches."""
    last_id = 0
    while True:
        rows = session.scalars(
            select(Article).where(Article.id > last_id).order_by(Article.id).limit(batch_size)
        ).all()
        if not rows:
            return
        for row in rows:
            yield ArticleRecord.model_validate(row)
        last_id = rows[-1].id
        session.expunge_all()


def iter_corpus(
    session: Session, batch_size: int = 1000
) -> Iterator[InteractionRecord | ArticleRecord]:
    """Everything the search index should hold: interactions, then articles."""
    yield from iter_interactions(session, batch_size)
    yield from iter_articles(session, batch_size)


def corpus_record_ids(session: Session) -> set[str]:
    """The record ids (``interaction:{id}`` / ``article:{id}``) the index should contain."""
    ids = {
        f"interaction:{i}"
        for i in session.scalars(
            select(Interaction.id)
            .join(Customer, Customer.id == Interaction.customer_id)
            .where(Customer.merged_into_id.is_(None))
        )
    }
    ids.update(f"article:{i}" for i in session.scalars(select(Article.id)))
    return ids
