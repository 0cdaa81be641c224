"""Customers (search, profile with analytics), cited records, and segments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import CustomerReader, PrivacyOfficer, SegmentReader, ServicesDep
from api.errors import AUTH_RESPONSES, NOT_FOUND, UNAVAILABLE
from api.schemas import ErasureResult, utc
from api.services import Services
from knowledge.erasure import IndexPlace
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
    "/customers/{customer_id}/export",
    summary="Everything held about one person, as JSON (APPI / GDPR access request; admin)",
    responses={**AUTH_RESPONSES, **NOT_FOUND, **UNAVAILABLE},
)
async def export_customer(
    p: PrivacyOfficer,
    services: ServicesDep,
    customer_id: Annotated[int, Path(ge=1, le=2**62)],
) -> dict[str, Any]:
    """Profile, contacts, orders and lines, interactions with enrichment, source records,
    generations (audit entries), feedback, conversation turns, knowledge gaps, quarantined
    rows and merge-log rows of the person, with their merged records, and their index chunks.
    The export is an audit entry (`export_customer`)."""
    from knowledge.erasure import export_customer as export

    def run() -> dict[str, Any]:
        return export(services.sessions, customer_id, _indexes(services), actor=p.actor)

    return await services.run_cpu(run)


@router.delete(
    "/customers/{customer_id}",
    response_model=ErasureResult,
    summary="Erase one person from every table and both indexes, logged (admin)",
    responses={**AUTH_RESPONSES, **NOT_FOUND, **UNAVAILABLE},
)
async def erase_customer(
    p: PrivacyOfficer,
    services: ServicesDep,
    customer_id: Annotated[int, Path(ge=1, le=2**62)],
) -> ErasureResult:
    """Erases the person with every record merged into theirs: rows deleted, orders kept for
    accounting under a tombstone customer row, audit entries kept without their details;
    the erasure itself is an audit entry holding counts only."""
    from knowledge.erasure import erase_customer as erase

    def run() -> ErasureResult:
        with services.refresh_paused():
            indexes = _indexes(services)
            report = erase(services.sessions, customer_id, actor=p.actor, indexes=indexes)
        return ErasureResult.model_validate(report, from_attributes=True)

    return await services.run_cpu(run)


def _indexes(services: Services) -> Sequence[IndexPlace]:
    # Without a loaded index the erasure would leave text behind: refuse (503) instead.
    return services.need_retrieval().customer_places()


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
