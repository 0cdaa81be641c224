"""Customers (search, profile with analytics), cited records, and segments.

Each reads through the caller's Access: only visible customers are found, a hidden one is
404 as an unknown one is, and each read of customer data writes an audit row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.access import Access
from api.deps import CustomerAccess, PrivacyAccess, SegmentAccess
from api.errors import AUTH_RESPONSES, NOT_FOUND, UNAVAILABLE
from api.schemas import ErasureResult, utc
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
    access: CustomerAccess,
    q: Annotated[str, Query(min_length=1, max_length=200, examples=["ヤマダ"])],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[CustomerRecord]:
    """Incremental customer search (the panel calls it on every keystroke, debounced)."""
    from knowledge.repository import find_customers

    with access.services.sessions() as session:
        found = find_customers(session, q, limit=limit, visibility=access.visibility)
    # The query itself is not recorded: it is a name, an e-mail or a phone number.
    access.read("find_customers", customer_ids=[c.id for c in found], count=len(found))
    return [utc(c) for c in found]


@router.get(
    "/customers/{customer_id}",
    response_model=CustomerProfile,
    summary="A customer's profile with analytics (RFM segment, LTV, CTB, F2), orders, interactions",
    responses={**AUTH_RESPONSES, **NOT_FOUND},
)
def customer_profile(
    access: CustomerAccess,
    customer_id: Annotated[int, Path(ge=1, le=2**62)],
) -> CustomerProfile:
    """The customer card: profile, derived facts, last orders, recent interactions."""
    profile = _profile(access, customer_id)
    access.read("view_profile", customer_id=profile.customer.id)
    return utc(profile)


def _profile(access: CustomerAccess, customer_id: int) -> CustomerProfile:
    """The profile as the caller may see it (interactions it may not read left out)."""
    from knowledge.profiles import build_profile

    v = access.visibility
    with access.services.sessions() as session:
        cid = v.require(session, customer_id)
        return v.trim_profile(build_profile(session, cid, access.services.settings.analytics))


@router.get(
    "/customers/{customer_id}/export",
    summary="Everything held about one person, as JSON (APPI / GDPR access request; admin)",
    responses={**AUTH_RESPONSES, **NOT_FOUND, **UNAVAILABLE},
)
async def export_customer(
    access: PrivacyAccess,
    customer_id: Annotated[int, Path(ge=1, le=2**62)],
) -> dict[str, Any]:
    """Profile, contacts, orders and lines, interactions with enrichment, source records,
    generations (audit entries), feedback, conversation turns, knowledge gaps, quarantined
    rows and merge-log rows of the person, with their merged records, and their index chunks.
    The export is an audit entry (`export_customer`, ids and a count)."""
    from knowledge.erasure import export_customer as export

    p, services = access.principal, access.services

    def run() -> dict[str, Any]:
        access.customer(customer_id)  # 404 unless the caller sees them
        indexes = _indexes(access)
        return export(services.sessions, customer_id, indexes, actor=p.actor, key_id=p.key_id)

    return await services.run_cpu(run)


@router.delete(
    "/customers/{customer_id}",
    response_model=ErasureResult,
    summary="Erase one person from every table and both indexes, logged (admin)",
    responses={**AUTH_RESPONSES, **NOT_FOUND, **UNAVAILABLE},
)
async def erase_customer(
    access: PrivacyAccess,
    customer_id: Annotated[int, Path(ge=1, le=2**62)],
) -> ErasureResult:
    """Erases the person with every record merged into theirs: rows deleted, orders kept for
    accounting under a tombstone customer row, audit entries kept without their details;
    the erasure itself is an audit entry holding counts only."""
    from knowledge.erasure import erase_customer as erase

    p, services = access.principal, access.services

    def run() -> ErasureResult:
        access.customer(customer_id)  # 404 unless the caller sees them
        with services.refresh_paused():
            indexes = _indexes(access)
            report = erase(
                services.sessions, customer_id, actor=p.actor, key_id=p.key_id, indexes=indexes
            )
        return ErasureResult.model_validate(report, from_attributes=True)

    return await services.run_cpu(run)


def _indexes(access: Access) -> Sequence[IndexPlace]:
    # Without a loaded index the erasure would leave text behind: refuse (503) instead.
    return access.services.need_retrieval().customer_places()


@router.get(
    "/records/{record_id}",
    summary="One record by id (what a citation points at)",
    responses={**AUTH_RESPONSES, **NOT_FOUND},
)
def get_record(
    access: CustomerAccess,
    record_id: Annotated[str, Path(pattern=RECORD_ID, examples=["interaction:12"])],
) -> dict[str, Any]:
    """A cited interaction, article, order or profile card, with its kind (`record_type`).

    `profile:ID` is the customer's card: the profile with its facts (a merged id: the survivor).
    """
    from knowledge.repository import get_record as fetch

    with access.services.sessions() as session:
        customer_id = access.visibility.require_record(session, record_id)
        record = fetch(session, record_id)
    if customer_id is not None:  # an article is no customer's data
        access.read("open_record", customer_id=customer_id, records=[record_id])
    if record_id.startswith("profile:"):
        profile = _profile(access, int(record_id.split(":")[1]))
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
def segments(access: SegmentAccess) -> list[dict[str, Any]]:
    """The segment summary marketing plans campaigns from (over the customers the caller sees)."""
    from knowledge.profiles import segment_summary

    with access.services.sessions() as session:
        only = access.visibility.visible_ids(session)
        rows = segment_summary(session, access.services.settings.analytics, only=only)
    return [utc(r).model_dump(mode="json") if hasattr(r, "model_dump") else dict(r) for r in rows]
