"""LangChain adapter: a BaseRetriever for scoped hybrid search (customer by default)."""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.callbacks import (
    AsyncCallbackManagerForRetrieverRun,
    CallbackManagerForRetrieverRun,
)
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from retrieval.service import Retrieval
from retrieval.types import Scope, SearchFilters, SearchHit


def hit_to_document(hit: SearchHit) -> Document:
    """A search hit as a LangChain Document (chunk text, citation fields in metadata)."""
    return Document(
        id=hit.chunk_id,
        page_content=hit.text,
        metadata={
            "record_id": hit.record_id,
            "chunk_id": hit.chunk_id,
            "customer_id": hit.customer_id,
            "kind": hit.kind,
            "date": hit.occurred_at.isoformat() if hit.occurred_at else None,
            "title": hit.title,
            "span": hit.span,
            "score": hit.score,
            "sources": list(hit.sources),
        },
    )


class ScopedHybridRetriever(BaseRetriever):
    """Hybrid search fixed to one scope at construction; the caller cannot widen it per call."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retrieval: Retrieval
    scope: Scope
    k: int = 8
    filters: SearchFilters | None = None
    mode: Literal["hybrid", "keyword", "vector"] = "hybrid"

    @classmethod
    def for_customer(
        cls, retrieval: Retrieval, customer_id: int, **kw: Any
    ) -> ScopedHybridRetriever:
        """A retriever that only ever sees one customer's records."""
        return cls(retrieval=retrieval, scope=Scope.customer(customer_id), **kw)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k = int(kwargs.get("k", self.k))
        hits = self.retrieval.search(query, self.scope, k=k, filters=self.filters, mode=self.mode)
        return [hit_to_document(h) for h in hits]

    async def _aget_relevant_documents(
        self, query: str, *, run_manager: AsyncCallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k = int(kwargs.get("k", self.k))
        hits = await self.retrieval.asearch(
            query, self.scope, k=k, filters=self.filters, mode=self.mode
        )
        return [hit_to_document(h) for h in hits]
