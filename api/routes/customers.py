"""Customers (search, profile with analytics), cited records, and segments."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import CustomerReader, SegmentReader, ServicesDep
from api.errors import AUTH_RESPONSES, NOT_FOUND
from api.schemas import utc
from knowledge.records import CustomerProfile, CustomerRecord

router = APIRouter(tags=["customers"])
RECORD_ID = r"^(interaction|article|order|profile):[0-9]{1,18}$"


@router.get(
    "/customers",
    response_model=list[CustomerRecord],
    summary="Find customers by name, kana, e-mail or phone (normalised, partial match)",
    responses=AUTH_RESPONSES,
)
def search_customers(
    _p: CustomerReader,
    services: ServicesDep,
    q: Annotated[str, Query(min_length=1, max_length=200, examples=["ヤマダ"])],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[CustomerRecord]:
    """Incremental customer search (the panel calls it on every keystroke, debounced)."""
    from knowledge.repository import find_customers

    with services.sessions() as session:
        return [utc(c) for c in find_customers(session, q, limit=limit)]


@router.get(
    "/customers/{customer_id}",
    response_model=CustomerProfile,
    summary="A customer's profile with analytics (RFM segment, LTV, CTB, F2), orders, interactions",
    responses={**AUTH_RESPONSES, **NOT_FOUND},
)
def customer_profile(
    _p: CustomerReader,
    services: ServicesDep,
    customer_id: Annotated[int, Path(ge=1, le=2**62)],
) -> CustomerProfile:
    """The customer card: profile, derived facts, last orders, recent interactions."""
    from knowledge.profiles import build_profile

    with services.sessions() as session:
        return utc(build_profile(session, customer_id, services.settings.analytics))


@router.get(
    "/records/{record_id}",
    summary="One record by id (what a citation points at)",
    responses={**AUTH_RESPONSES, **NOT_FOUND},
)
def get_record(
    _p: CustomerReader,
    services: ServicesDep,
    record_id: Annotated[str, Path(pattern=RECORD_ID, examples=["interaction:12"])],
) -> dict[str, Any]:
    """A cited interaction, article, order or profile card, with its kind (`record_type`).

    `profile:ID` is the customer's card: the profile with its facts (a merged id: the survivor).
    """
    from knowledge.profiles import build_profile
    from knowledge.repository import get_record as fetch

    with services.sessions() as session:
        record = fetch(session, record_id)
        if record_id.startswith("profile:"):
            profile = build_profile(
                session, int(record_id.split(":")[1]), services.settings.analytics
            )
            return {
                "record_id": record_id,
                "record_type": "profile",
                "customer_id": profile.customer.id,
                **utc(profile).model_dump(mode="json"),
            }
    return {
        "record_id": record_id,
        "record_type": record_id.split(":", 1)[0],
        **utc(record).model_dump(mode="json"),
    }


@router.get(
    "/segments",
    summary="Customers per RFM segment (counts, revenue)",
    responses=AUTH_RESPONSES,
)
def segments(_p: SegmentReader, services: ServicesDep) -> list[dict[str, Any]]:
    """The segment summary marketing plans campaigns from."""
    from knowledge.profiles import segment_summary

    with services.sessions() as session:
        rows = segment_summary(session, services.settings.analytics)
    return [utc(r).model_dump(mode="json") if hasattr(r, "model_dump") else dict(r) for r in rows]
