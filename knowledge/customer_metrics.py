"""customer_metrics: the analytics of every customer stored as rows, for audience conditions.

RFM scores are quantiles over the whole population and CTB favourites are a top value per
customer; both are computed in Python by knowledge/analytics, far too slow to redo for each
audience count. They are stored here (one row per active customer with orders; a customer
without a row is a prospect) with the data fingerprint they were computed from, and recomputed
when the fingerprint or the analytics settings change: `ensure_metrics` is a few indexed
lookups when nothing changed. Enrichment refreshes them after an import too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from knowledge.analytics.base import data_fingerprint, order_aggregates, reference_date
from knowledge.analytics.ctb import ctb_all
from knowledge.analytics.ltv import ltv
from knowledge.analytics.rfm import population, score
from knowledge.models import CustomerMetrics, MetricsState
from knowledge.settings import AnalyticsSettings

log = logging.getLogger(__name__)

_STATE_ID = 1
_CHUNK = 5000
# One refresh at a time per process: concurrent counts after an import wait for the first.
_refresh_lock = threading.Lock()


def current_fingerprint(session: Session, settings: AnalyticsSettings) -> list[Any]:
    """The data fingerprint plus a hash of the settings the metrics depend on (JSON-safe)."""
    cfg = settings.model_dump(mode="json", exclude={"population_cache_s", "profile_recent_orders"})
    cfg.pop("profile_latest_interactions", None)
    digest = hashlib.sha256(json.dumps(cfg, sort_keys=True).encode()).hexdigest()[:16]
    return [_json_safe(v) for v in data_fingerprint(session)] + [digest]


def metrics_state(session: Session) -> MetricsState | None:
    """The row saying when the metrics were computed (None before the first refresh)."""
    return session.get(MetricsState, _STATE_ID)


def ensure_metrics(session: Session, settings: AnalyticsSettings) -> bool:
    """Refresh customer_metrics if the data changed since they were computed; True if it did.

    Writes in the caller's transaction: the caller commits.
    """
    fingerprint = current_fingerprint(session, settings)
    state = metrics_state(session)
    if state is not None and state.fingerprint == fingerprint:
        return False
    with _refresh_lock:
        session.expire_all()  # another thread may have refreshed while this one waited
        state = metrics_state(session)
        if state is not None and state.fingerprint == current_fingerprint(session, settings):
            return False
        refresh_metrics(session, settings)
    return True


def refresh_metrics(session: Session, settings: AnalyticsSettings) -> int:
    """Recompute every active customer's metrics; the number of rows written.

    Everything is computed before the first write, so on SQLite the write lock is held only
    for the inserts (about a second for 100k customers), not for the analytics.
    """
    fingerprint = current_fingerprint(session, settings)
    ref = reference_date(session, settings)
    aggs = order_aggregates(session, settings)
    pop = population(aggs, ref)
    favourites = ctb_all(session, settings)
    rows = []
    for agg in aggs:
        rfm = score(agg, pop, settings)
        fav = favourites.get(agg.customer_id)
        rows.append(
            {
                "customer_id": agg.customer_id,
                "order_count": agg.orders,
                "total_spent": agg.spend,
                "first_order_at": agg.first_at,
                "last_order_at": agg.last_at,
                "recency_days": rfm.recency_days,
                "r_score": rfm.r,
                "f_score": rfm.f,
                "m_score": rfm.m,
                "segment": rfm.segment,
                "ltv": ltv(agg, ref, settings).value,
                "favourite_category": fav.category if fav else None,
                "favourite_taste": fav.taste if fav else None,
                "favourite_brand": fav.brand if fav else None,
            }
        )
    session.execute(delete(CustomerMetrics))
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(CustomerMetrics), rows[start : start + _CHUNK])
    state = metrics_state(session)
    if state is None:
        state = MetricsState(id=_STATE_ID)
        session.add(state)
    state.fingerprint = fingerprint
    state.computed_at = datetime.now(UTC)
    state.customers = len(rows)
    session.flush()
    log.info("customer metrics refreshed: %d customers with orders", len(rows))
    return len(rows)


def _json_safe(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value
