"""CLI for customers and CRM analytics: customers show/search/assign, segments, basket, f2."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, cast, get_args

import typer
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from api.cli.context import get_context
from knowledge.analytics import basket_pairs, f2_cohorts, segment_summary
from knowledge.analytics.basket import BasketLevel
from knowledge.errors import CustomerNotFound
from knowledge.profiles import build_profile
from knowledge.records import CustomerProfile
from knowledge.repository import find_customers

console = Console()
customers_app = typer.Typer(help="Look up customers and their profile.", no_args_is_help=True)


def _money(value: Decimal | None, currency: str = "JPY") -> str:
    if value is None:
        return "-"
    return f"{value:,.0f} {currency}" if currency == "JPY" else f"{value:,.2f} {currency}"


def _day(value: object) -> str:
    return str(value)[:10] if value is not None else "-"


def _clip(text: str | None, width: int = 60) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@customers_app.command("show")
def show(
    customer_id: int,
    as_json: Annotated[bool, typer.Option("--json", help="Print the profile as JSON.")] = False,
) -> None:
    """Show one customer's profile: who they are, facts (RFM, LTV, CTB, F2), latest records."""
    ctx = get_context()
    with ctx.sessions() as session:
        try:
            profile = build_profile(session, customer_id, ctx.settings.analytics)
        except CustomerNotFound as e:
            console.print(f"[red]{e}[/red]")
            raise typer.Exit(1) from e
    if as_json:
        console.print_json(profile.model_dump_json())
        return
    console.print(_render(profile))


def _render(profile: CustomerProfile) -> Group:
    c, f = profile.customer, profile.facts
    who = Table.grid(padding=(0, 2))
    who.add_column(style="bold")
    who.add_column()
    for label, value in [
        ("kind", c.kind),
        ("kana", c.name_kana),
        ("e-mail", f"{c.email or '-'}{'  (opted out of marketing)' if c.email_opt_out else ''}"),
        ("phone", c.phone),
        ("address", " ".join(p for p in (c.postal_code, c.region, c.address) if p)),
        ("stage / owner", f"{c.lifecycle_stage} / {c.owner or '-'}"),
        ("industry / size", f"{c.industry or '-'} / {c.company_size or '-'}"),
        ("sources", ", ".join(f"{s}:{x}" for s, x in profile.source_ids)),
    ]:
        if value:
            who.add_row(label, str(value))
    facts = Table(title=f"Facts (reference date {_day(f.reference_date)})", show_header=False)
    facts.add_column(style="bold")
    facts.add_column()
    rfm, ltv = f.rfm, f.ltv
    facts.add_row("orders / spent", f"{f.order_count} / {_money(f.total_spent, f.currency)}")
    facts.add_row("first / last order", f"{_day(f.first_order_at)} / {_day(f.last_order_at)}")
    if rfm is not None:
        recency = "no dated order"
        if rfm.recency_days is not None:
            recency = f"last order {rfm.recency_days} days ago"
        facts.add_row(
            "segment (R F M)",
            f"{rfm.segment}  ({rfm.r or '-'} {rfm.f} {rfm.m}; {recency})",
        )
    if ltv is not None:
        facts.add_row(
            "LTV",
            f"{_money(ltv.value, f.currency)} = AOV {_money(ltv.average_order_value, f.currency)}"
            f" × margin {ltv.gross_margin_rate:.1%} × {ltv.orders_per_year:.2f}/yr"
            f" × {ltv.expected_years:g} yr",
        )
    facts.add_row(
        "prefers", f"{f.ctb.category or '-'} / {f.ctb.taste or '-'} / {f.ctb.brand or '-'}"
    )
    f2 = "converted" if f.f2.converted else "one purchase so far"
    if f.f2.days_to_second is not None:
        f2 += f" (second order after {f.f2.days_to_second} days)"
    facts.add_row("F2", f2)
    facts.add_row("open tickets", str(f.open_tickets))
    parts: list[object] = [Panel(who, title=f"customer:{c.id}  {c.name}"), facts]
    if profile.contacts:
        contacts = Table(title="Contacts")
        for col in ("name", "role", "e-mail", "decision maker"):
            contacts.add_column(col)
        for p in profile.contacts:
            contacts.add_row(
                p.name, p.role or "", p.email or "", "yes" if p.is_decision_maker else ""
            )
        parts.append(contacts)
    if profile.recent_orders:
        orders = Table(title="Recent orders")
        for col in ("id", "date", "channel", "amount", "items"):
            orders.add_column(col)
        for o in profile.recent_orders:
            items = ", ".join(f"{line.product_name}×{line.quantity}" for line in o.lines)
            orders.add_row(
                o.record_id,
                _day(o.ordered_at),
                o.channel or "",
                _money(o.total_amount, o.currency),
                _clip(items, 50),
            )
        parts.append(orders)
    for title, records in (
        ("Open interactions", profile.open_interactions),
        ("Latest interactions", profile.latest_interactions),
    ):
        if records:
            table = Table(title=title)
            for col in ("id", "date", "kind", "status", "text"):
                table.add_column(col)
            for i in records:
                table.add_row(
                    i.record_id,
                    _day(i.occurred_at),
                    i.kind,
                    i.status or "",
                    _clip(i.subject or i.body),
                )
            parts.append(table)
    return Group(*parts)  # type: ignore[arg-type]


@customers_app.command("search")
def search(
    query: str,
    limit: Annotated[int, typer.Option(help="At most this many customers.")] = 20,
) -> None:
    """Find customers by name, kana, e-mail or phone (全角/半角 and kana/romaji insensitive)."""
    ctx = get_context()
    with ctx.sessions() as session:
        found = find_customers(session, query, limit=limit)
    if not found:
        console.print(f"no customer matches {query!r}")
        raise typer.Exit(1)
    table = Table()
    for col in ("id", "name", "kana", "e-mail", "phone", "stage"):
        table.add_column(col)
    for c in found:
        table.add_row(
            str(c.id), c.name, c.name_kana or "", c.email or "", c.phone or "", c.lifecycle_stage
        )
    console.print(table)


@customers_app.command("assign")
def assign(
    customer_id: int,
    owner: Annotated[
        str | None, typer.Option(help="The user who owns it (an API key's --user); '' clears.")
    ] = None,
    team: Annotated[
        str | None, typer.Option(help="The team it belongs to (an API key's --team); '' clears.")
    ] = None,
) -> None:
    """Set who owns a customer and which team it belongs to (who may see it: docs/api.md)."""
    from knowledge.visibility import assign_customer

    if owner is None and team is None:
        console.print("[red]error:[/red] give --owner and/or --team")
        raise typer.Exit(2)
    try:
        stored = assign_customer(get_context().sessions, customer_id, owner=owner, team=team)
    except (CustomerNotFound, ValueError) as e:
        console.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from e
    console.print(f"customer {customer_id}: owner {stored[0] or '-'}, team {stored[1] or '-'}")


def segments() -> None:
    """Customers, revenue and average LTV per RFM segment."""
    ctx = get_context()
    with ctx.sessions() as session:
        rows = segment_summary(session, ctx.settings.analytics)
    table = Table(title="Segments")
    for col in ("segment", "customers", "share", "revenue", "average LTV"):
        table.add_column(col, justify="left" if col == "segment" else "right")
    for r in rows:
        table.add_row(
            r.segment,
            f"{r.customers:,}",
            f"{r.share:.1%}",
            f"{r.revenue:,.0f}",
            f"{r.average_ltv:,.0f}",
        )
    console.print(table)


def basket(
    by: Annotated[str, typer.Option(help="Pair products or categories.")] = "product",
    min_support: Annotated[float, typer.Option(help="Least share of orders with the pair.")] = 0.01,
    limit: Annotated[int, typer.Option(help="At most this many pairs.")] = 20,
) -> None:
    """Items frequently bought together: support, confidence and lift."""
    levels = get_args(BasketLevel)
    if by not in levels:
        raise typer.BadParameter(f"--by must be {' or '.join(levels)}, got {by!r}")
    level = cast(BasketLevel, by)
    ctx = get_context()
    with ctx.sessions() as session:
        try:
            pairs = basket_pairs(
                session,
                by=level,
                min_support=min_support,
                limit=limit,
                settings=ctx.settings.analytics,
            )
        except ValueError as e:
            raise typer.BadParameter(str(e)) from e
    if not pairs:
        console.print(f"no pair reaches support {min_support}")
        return
    table = Table(title=f"Bought together ({by})")
    for col in ("A", "B", "orders", "support", "conf A→B", "conf B→A", "lift"):
        table.add_column(col, justify="left" if col in ("A", "B") else "right")
    for p in pairs:
        table.add_row(
            p.item_a,
            p.item_b,
            f"{p.orders:,}",
            f"{p.support:.2%}",
            f"{p.confidence_a_to_b:.1%}",
            f"{p.confidence_b_to_a:.1%}",
            f"{p.lift:.2f}",
        )
    console.print(table)


def f2(
    within: Annotated[
        int | None, typer.Option(help="Count a second order only within this many days.")
    ] = None,
) -> None:
    """First-to-second purchase conversion per first-purchase month."""
    ctx = get_context()
    with ctx.sessions() as session:
        cohorts = f2_cohorts(session, within_days=within, settings=ctx.settings.analytics)
    table = Table(title="F2 conversion by first-purchase month")
    for col in ("cohort", "customers", "converted", "rate", "median days to 2nd"):
        table.add_column(col, justify="left" if col == "cohort" else "right")
    for c in cohorts:
        median = f"{c.median_days_to_second:g}" if c.median_days_to_second is not None else "-"
        table.add_row(c.cohort, f"{c.customers:,}", f"{c.converted:,}", f"{c.rate:.1%}", median)
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(customers_app, name="customers")
    app.command("segments")(segments)
    app.command("basket")(basket)
    app.command("f2")(f2)
