"""Shared pieces of the analytics: the per-customer order aggregate and date handling.

Every figure is computed from SQL with one set-based aggregate per question (GROUP BY
customer), never by loading customers one by one. Only *active* customers count: a customer
merged into another (merged_into_id set) is left out, and since a merge moves the orders to
the survivor, they count there.

Orders in an excluded status (``excluded_order_statuses``: cancelled, returned, ...) are not
counted anywhere; orders without a status are. Orders without a date (some exports have none)
count in frequency, spend, margin, CTB and baskets, but not in recency, first/last order,
F2 timing, cohorts or the LTV time span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from knowledge.models import Customer, ImportRun, MergeLog, Order, OrderLine
from knowledge.settings import AnalyticsSettings

CENT = Decimal("0.01")


@dataclass(frozen=True)
class OrderAggregate:
    """One customer's orders summed up by SQL."""

    customer_id: int
    orders: int
    spend: Decimal
    margin: Decimal
    first_at: datetime | None
    last_at: datetime | None
    currency: str | None = None
    # Calendar days of first_at / last_at, worked out once (they are used several times).
    first_day: date | None = field(default=None, init=False)
    last_day: date | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "first_day", to_date(self.first_at))
        object.__setattr__(self, "last_day", to_date(self.last_at))


def to_date(value: datetime | date | str | None) -> date | None:
    """The calendar date of a stored timestamp (aware values are read in UTC)."""
    if value is None:
        return None
    if isinstance(value, str):  # raw SQLite text, when a driver returns it unconverted
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.date()
    return value


def money(value: object) -> Decimal:
    """A SQL sum as Decimal with two places (SQLite may hand back floats)."""
    if value is None:
        return Decimal("0.00")
    return Decimal(str(value)).quantize(CENT)


def active_customer() -> ColumnElement[bool]:
    """Customers that count in analytics: not merged into another one."""
    return Customer.merged_into_id.is_(None)


def counted_order(settings: AnalyticsSettings) -> ColumnElement[bool]:
    """Orders that count: not in an excluded status (no status counts)."""
    excluded = [x.lower() for x in settings.excluded_order_statuses]
    if not excluded:
        return Order.id.is_not(None)
    return or_(Order.status.is_(None), func.lower(Order.status).not_in(excluded))


def counted_join(settings: AnalyticsSettings) -> ColumnElement[bool]:
    """Join condition orders -> customers keeping counted orders of active customers."""
    return and_(Customer.id == Order.customer_id, active_customer(), counted_order(settings))


def order_margin(settings: AnalyticsSettings) -> ColumnElement[Decimal]:
    """Gross margin of an order: its own figure, else its lines', else the default rate.

    A line without a margin counts at the default rate when other lines of the order have one.
    The correlated subquery is only evaluated for orders without their own margin.
    """
    rate = literal(settings.default_gross_margin_rate)
    line_margin = (
        select(
            case(
                (
                    func.count(OrderLine.gross_margin) > 0,
                    func.sum(func.coalesce(OrderLine.gross_margin, OrderLine.amount * rate)),
                ),
                else_=None,
            )
        )
        .where(OrderLine.order_id == Order.id)
        .correlate(Order)
        .scalar_subquery()
    )
    return func.coalesce(Order.gross_margin, line_margin, Order.total_amount * rate)


def aggregate_stmt(
    settings: AnalyticsSettings, customer_id: int | None = None, *, with_margin: bool = True
) -> Select[*tuple[Any, ...]]:
    """SELECT customer_id, orders, spend, margin, first, last FROM orders GROUP BY customer."""
    # The margin fallbacks cost a subquery per order without its own margin; RFM needs none.
    margin = func.sum(order_margin(settings)) if with_margin else literal(0)
    stmt = (
        select(
            Order.customer_id,
            func.count(Order.id),
            func.sum(Order.total_amount),
            margin,
            func.min(Order.ordered_at),
            func.max(Order.ordered_at),
            func.max(Order.currency),
        )
        .join(Customer, counted_join(settings))
        .group_by(Order.customer_id)
    )
    if customer_id is not None:
        stmt = stmt.where(Order.customer_id == customer_id)
    return stmt


def order_aggregates(
    session: Session,
    settings: AnalyticsSettings,
    customer_id: int | None = None,
    *,
    with_margin: bool = True,
) -> list[OrderAggregate]:
    """The order aggregate of every active customer with orders (or of one customer)."""
    stmt = aggregate_stmt(settings, customer_id, with_margin=with_margin)
    rows = session.execute(stmt).all()
    return [
        OrderAggregate(
            customer_id=row[0],
            orders=int(row[1]),
            spend=money(row[2]),
            margin=money(row[3]),
            first_at=row[4],
            last_at=row[5],
            currency=row[6],
        )
        for row in rows
    ]


def reference_date(session: Session, settings: AnalyticsSettings) -> date | None:
    """The day recency is measured from: the setting, else the latest order date (None if none)."""
    if settings.reference_date is not None:
        return settings.reference_date
    # Merges move orders to the survivor, so the plain indexed max is the active customers' max.
    stmt = select(func.max(Order.ordered_at)).where(counted_order(settings))
    latest = session.execute(stmt).scalar()
    return to_date(latest)


def active_customer_count(session: Session) -> int:
    """How many customers count in analytics (with or without orders)."""
    return int(
        session.execute(select(func.count(Customer.id)).where(active_customer())).scalar() or 0
    )


def data_fingerprint(session: Session) -> tuple[object, ...]:
    """A handful of indexed lookups that change when orders, imports, merges or undos do.

    Newest order id and date, newest import run, newest merge, undone merges, active customers:
    what cached or stored analytics (the RFM population, customer_metrics) are checked against.
    """
    row = session.execute(
        select(
            select(func.max(Order.id)).scalar_subquery(),
            select(func.max(Order.ordered_at)).scalar_subquery(),
            select(func.max(ImportRun.id)).scalar_subquery(),
            select(func.max(MergeLog.id)).scalar_subquery(),
            select(func.count(MergeLog.undone_at)).scalar_subquery(),
            select(func.count(Customer.id)).where(active_customer()).scalar_subquery(),
        )
    ).one()
    return tuple(row)
