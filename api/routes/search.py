"""Scoped search: one customer's records plus, or only, the knowledge base."""

from __future__ import annotations

import anyio
from fastapi import APIRouter

from api.deps import SearchAccess
from api.errors import AUTH_RESPONSES, NOT_FOUND, UNAVAILABLE, ApiError, Forbidden
from api.schemas import SearchHitOut, SearchRequest
from retrieval.types import Scope, SearchFilters, SearchHit

router = APIRouter(tags=["search"])


def _hit_out(hit: SearchHit) -> SearchHitOut:
    return SearchHitOut(
        chunk_id=hit.chunk_id,
        record_id=hit.record_id,
        customer_id=hit.customer_id,
        kind=hit.kind,
        occurred_at=hit.occurred_at,
        title=hit.title,
        text=hit.text,
        span=hit.span,
        score=hit.score,
        language=hit.language,
        phase=hit.phase,
        sources=list(hit.sources),
    )


@router.post(
    "/search",
    response_model=list[SearchHitOut],
    summary="Hybrid search inside a scope (customer, knowledge base; global for admin)",
    responses={**AUTH_RESPONSES, **NOT_FOUND, **UNAVAILABLE, 400: {"description": "Bad scope"}},
)
async def search(body: SearchRequest, access: SearchAccess) -> list[SearchHitOut]:
    """Search; the scope is enforced by retrieval, never left to a model, and only what the
    caller may see comes back (a hidden customer's scope is 404)."""
    if body.scope.kind == "global" and not access.principal.is_admin:
        raise Forbidden("only admin keys may search across all customers")
    try:
        scope = Scope(body.scope.kind, body.scope.customer_id)
    except ValueError as e:
        raise ApiError(f"scope: {e}", code="bad_scope") from e
    f = body.filters
    filters = None
    if f is not None:
        filters = SearchFilters(
            kinds=tuple(f.kinds),
            phases=tuple(f.phases),
            languages=tuple(f.languages),
            since=f.since,
            until=f.until,
        )
    retrieval = access.retrieval()
    hits = await access.services.run_cpu(
        lambda: retrieval.search(body.query, scope, k=body.k, filters=filters, mode=body.mode)
    )
    if scope.kind != "knowledge_base":  # the query is not recorded (it may name a person)
        await anyio.to_thread.run_sync(
            lambda: access.read(
                "search",
                customer_id=scope.customer_id,
                records=[h.record_id for h in hits],
                scope=scope.kind,
                count=len(hits),
            )
        )
    return [_hit_out(h) for h in hits]
