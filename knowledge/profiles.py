"""The customer profile: one typed object with the customer, their facts and latest records.

Facts come from SQL (knowledge.analytics), so a brief that prints them shows the same numbers
as `kizuna customers show`. RFM scores compare the customer with every active customer; a
caller building many profiles can compute that population once with ``load_population`` and
pass it in; otherwise a small in-process cache reuses it while the data has not changed.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from knowledge.analytics import rfm
from knowledge.analytics.base import (
    OrderAggregate,
    data_fingerprint,
    money,
    order_aggregates,
    reference_date,
)
from knowledge.analytics.ctb import ctb
from knowledge.analytics.f2 import f2_status
from knowledge.analytics.ltv import ltv
from knowledge.analytics.rfm import Population, prospect, score
from knowledge.analytics.segments import segment_summary
from knowledge.records import CustomerFacts, CustomerProfile
from knowledge.repository import (
    OPEN_STATUSES,
    count_open_interactions,
    get_customer,
    list_contacts,
    list_interactions,
    list_orders,
    source_ids,
)
from knowledge.settings import AnalyticsSettings

log = logging.getLogger(__name__)

__all__ = [
    "PopulationCache",
    "build_profile",
    "customer_facts",
    "load_population",
    "segment_summary",
]


def load_population(session: Session, settings: AnalyticsSettings) -> Population:
    """The R, F and M values of every active customer, the yardstick of RFM scores."""
    aggs = order_aggregates(session, settings, with_margin=False)
    return rfm.population(aggs, reference_date(session, settings))


@dataclass(frozen=True)
class _Entry:
    fingerprint: tuple[object, ...]
    at: float
    population: Population


class PopulationCache:
    """Reuses the RFM population while the data looks unchanged and the entry is young.

    The fingerprint (newest order id, newest import run, newest merge, undone merges, active
    customers, latest order date) is a handful of indexed lookups; it catches imports, new
    orders, merges and undos. Edits that bypass all of those are caught by the time limit.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[object, ...], _Entry] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, settings: AnalyticsSettings) -> Population:
        """The population, from the cache when still valid, else computed and kept."""
        if settings.population_cache_s <= 0:
            return load_population(session, settings)
        engine = session.get_bind().engine
        # The engine object too: two in-memory SQLite databases share one URL.
        key = (id(engine), str(engine.url), settings.reference_date)
        fingerprint = data_fingerprint(session)
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if (
            entry is not None
            and entry.fingerprint == fingerprint
            and now - entry.at < settings.population_cache_s
        ):
            return entry.population
        pop = load_population(session, settings)
        with self._lock:
            self._entries[key] = _Entry(fingerprint, now, pop)
        return pop

    def clear(self) -> None:
        """Forget every cached population."""
        with self._lock:
            self._entries.clear()


# One per process: profiles built without an explicit population share it.
shared_population_cache = PopulationCache()


def customer_facts(
    session: Session,
    customer_id: int,
    settings: AnalyticsSettings,
    *,
    population: Population | None = None,
) -> CustomerFacts:
    """Order totals, RFM, LTV, CTB, F2 and open tickets of one (surviving) customer."""
    pop = population if population is not None else shared_population_cache.get(session, settings)
    aggs = order_aggregates(session, settings, customer_id)
    agg = aggs[0] if aggs else OrderAggregate(customer_id, 0, money(0), money(0), None, None)
    ref = pop.reference_date
    return CustomerFacts(
        order_count=agg.orders,
        total_spent=agg.spend,
        currency=agg.currency or "JPY",
        first_order_at=agg.first_at,
        last_order_at=agg.last_at,
        rfm=score(agg, pop, settings) if agg.orders else prospect(),
        ltv=ltv(agg, ref, settings),
        ctb=ctb(session, customer_id, settings),
        f2=f2_status(session, customer_id, agg.orders, settings),
        open_tickets=count_open_interactions(session, customer_id),
        reference_date=ref,
    )


def build_profile(
    session: Session,
    customer_id: int,
    settings: AnalyticsSettings,
    *,
    population: Population | None = None,
) -> CustomerProfile:
    """Everything about one customer in one typed object (merged ids resolve to the survivor)."""
    customer = get_customer(session, customer_id)
    cid = customer.id
    facts = customer_facts(session, cid, settings, population=population)
    log.debug("built profile of customer %s", cid)
    return CustomerProfile(
        customer=customer,
        contacts=list_contacts(session, cid),
        facts=facts,
        recent_orders=list_orders(session, cid, limit=settings.profile_recent_orders),
        latest_interactions=list_interactions(
            session, cid, limit=settings.profile_latest_interactions
        ),
        open_interactions=list_interactions(session, cid, statuses=OPEN_STATUSES),
        source_ids=source_ids(session, cid),
    )
