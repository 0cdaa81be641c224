"""Shared helpers of the demo generator: the fixed calendar, formatting and composition."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from random import Random

REFERENCE_DATE = date(2026, 11, 20)  # fixed, so every run writes the same data
START_DATE = REFERENCE_DATE - timedelta(days=3 * 365)
JST = timezone(timedelta(hours=9))
DEFAULT_SEED = 20261120


@dataclass(frozen=True)
class Ref:
    """A generated record before import: which entity, which source, which external id."""

    entity: str
    source: str
    external_id: str


def at(d: date, r: Random, start_hour: int = 9, end_hour: int = 20) -> datetime:
    """A time of day on date d in Japan time (business hours by default)."""
    return datetime.combine(d, time(r.randint(start_hour, end_hour - 1), r.randint(0, 59)), JST)


def iso(dt: datetime) -> str:
    """ISO 8601 with offset, the form canonical records carry."""
    return dt.isoformat()


def day_between(r: Random, lo: date, hi: date) -> date:
    """A uniformly random day in [lo, hi] (hi is clamped to the reference date)."""
    hi = min(hi, REFERENCE_DATE)
    if hi <= lo:
        return hi
    return lo + timedelta(days=r.randint(0, (hi - lo).days))


def ja_date(d: date, r: Random | None = None) -> str:
    """A Japanese date as people write it (年月日, or month/day)."""
    if r is not None and r.random() < 0.3:
        return f"{d.month}/{d.day}"
    return f"{d.year}年{d.month}月{d.day}日"


def en_date(d: date, r: Random | None = None) -> str:
    """An English date, in one of the styles people use."""
    if r is not None and r.random() < 0.4:
        return d.isoformat()
    return f"{d.strftime('%B')} {d.day}, {d.year}"


def yen(amount: int) -> str:
    """An amount in yen written the Japanese way."""
    return f"{amount:,}円"


def jpy(amount: int) -> str:
    """An amount in yen written the English way."""
    return f"JPY {amount:,}"


def pick(r: Random, options: list[str], **values: object) -> str:
    """One of the options, with its {placeholders} filled."""
    return r.choice(options).format(**values)


def some(r: Random, options: list[str], k_min: int, k_max: int, **values: object) -> list[str]:
    """Between k_min and k_max distinct options, in random order, filled."""
    k = min(len(options), r.randint(k_min, k_max))
    return [o.format(**values) for o in r.sample(options, k)]


def maybe(r: Random, p: float, options: list[str], **values: object) -> str:
    """One filled option with probability p, else the empty string."""
    return pick(r, options, **values) if r.random() < p else ""


def join_ja(parts: list[str]) -> str:
    """Japanese sentences joined, empty parts skipped."""
    return "".join(p for p in parts if p)


def join_en(parts: list[str]) -> str:
    """English sentences joined with spaces, empty parts skipped."""
    return " ".join(p for p in parts if p)
