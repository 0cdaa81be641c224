"""Duplicate candidates across customers (名寄せ): blocking on shared keys, then a score.

Only customers that share a block key (canonical e-mail, canonical phone, name key) are
compared, so the work grows with the number of customers, not with its square.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from knowledge.models import Customer
from knowledge.normalize import address_key

log = logging.getLogger(__name__)

# Evidence weights, summed and capped at 1.0 (docs/dedupe.md explains the choice):
# e-mail + name or phone + name reaches the default merge threshold of 0.9;
# one identifier alone, or name + address, only reaches review.
WEIGHTS = {"email": 0.6, "phone": 0.55, "name": 0.35, "address": 0.25, "postal_code": 0.1}
REASONS = {
    "email": "same e-mail",
    "phone": "same phone",
    "name": "same name (width/kana/romaji-insensitive)",
    "address": "same address",
    "postal_code": "same postal code",
}
# A key shared by more customers than this (a common name, a shared info@ address) is too
# weak to pair everyone in it, and would make the work O(n²) again.
MAX_BLOCK = 50
MIN_NAME_KEY = 3


@dataclass(frozen=True)
class Candidate:
    """Two customers that may be one, with a score in [0, 1] and the evidence."""

    customer_ids: tuple[int, int]
    score: float
    reasons: tuple[str, ...]
    names: tuple[str, str]


@dataclass(frozen=True)
class _Row:
    id: int
    kind: str
    name: str
    name_key: str
    email: str | None
    phone: str | None
    postal_code: str | None
    address: str


def find_candidates(session: Session, min_score: float = 0.0) -> list[Candidate]:
    """Candidate pairs among active (not merged) customers, best score first."""
    rows = [
        _Row(i, k or "person", n, nk or "", e, p, pc, address_key(a))
        for i, k, n, nk, e, p, pc, a in session.execute(
            select(
                Customer.id, Customer.kind, Customer.name, Customer.name_key, Customer.email,
                Customer.phone, Customer.postal_code, Customer.address,
            ).where(Customer.merged_into_id.is_(None))
        )
    ]  # fmt: skip
    by_id = {r.id: r for r in rows}
    pairs = _blocked_pairs(rows)
    out = []
    for a, b in pairs:
        candidate = score_pair(by_id[a], by_id[b])
        if candidate is not None and candidate.score >= min_score:
            out.append(candidate)
    out.sort(key=lambda c: (-c.score, c.customer_ids))
    log.debug(
        "dedupe: %d customers, %d pairs compared, %d candidates", len(rows), len(pairs), len(out)
    )
    return out


def score_pair(a: _Row, b: _Row) -> Candidate | None:
    """The evidence that two customers are one (None when they share nothing)."""
    if a.kind != b.kind:
        return None
    hits = []
    if a.email and a.email == b.email:
        hits.append("email")
    if a.phone and a.phone == b.phone:
        hits.append("phone")
    if len(a.name_key) >= MIN_NAME_KEY and a.name_key == b.name_key:
        hits.append("name")
    if a.address and a.address == b.address:
        hits.append("address")
    if a.postal_code and a.postal_code == b.postal_code:
        hits.append("postal_code")
    if not hits or hits == ["postal_code"] or hits == ["address"]:
        return None
    score = min(1.0, sum(WEIGHTS[h] for h in hits))
    first, second = (a, b) if a.id < b.id else (b, a)
    return Candidate(
        customer_ids=(first.id, second.id),
        score=round(score, 3),
        reasons=tuple(REASONS[h] for h in hits),
        names=(first.name, second.name),
    )


def _blocked_pairs(rows: Iterable[_Row]) -> set[tuple[int, int]]:
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in rows:
        if r.email:
            blocks[("email", r.email)].append(r.id)
        if r.phone:
            blocks[("phone", r.phone)].append(r.id)
        if len(r.name_key) >= MIN_NAME_KEY:
            blocks[("name", r.name_key)].append(r.id)
    pairs: set[tuple[int, int]] = set()
    for (kind, _key), ids in blocks.items():
        if len(ids) < 2:
            continue
        if len(ids) > MAX_BLOCK:
            log.debug("dedupe: %s block of %d customers skipped", kind, len(ids))
            continue
        ids.sort()
        pairs.update((x, y) for i, x in enumerate(ids) for y in ids[i + 1 :])
    return pairs
