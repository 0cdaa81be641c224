"""CLI for audiences: count a condition, save, list, page through members, refresh metrics."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from api.cli.context import get_context
from knowledge.audience_conditions import FIELDS, OPS
from knowledge.audiences import (
    count,
    create_audience,
    delete_audience,
    get_audience,
    list_audiences,
    members,
)
from knowledge.customer_metrics import ensure_metrics, refresh_metrics
from knowledge.db import transaction
from knowledge.errors import KnowledgeError

console = Console()
audiences_app = typer.Typer(
    help="Audiences: customers matching a condition (docs/campaigns.md).", no_args_is_help=True
)
Where = Annotated[
    str | None, typer.Option("--where", help="The condition as JSON (or use --file).")
]
WhereFile = Annotated[
    Path | None, typer.Option("--file", exists=True, dir_okay=False, help="A JSON condition file.")
]
Now = Annotated[
    str | None, typer.Option("--now", help="ISO date-time relative dates count from (default now).")
]


def _condition(where: str | None, file: Path | None) -> dict[str, Any]:
    if (where is None) == (file is None):
        _fail("give the condition with --where JSON or --file PATH (one of them)")
    raw = where if where is not None else file.read_text(encoding="utf-8")  # type: ignore[union-attr]
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        _fail(f"the condition is not JSON: {e}")
    if not isinstance(data, dict):
        _fail("the condition must be a JSON object")
    return data


def _now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        _fail(f"--now {value!r} is not an ISO date-time")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _fail(message: str) -> Any:
    console.print(f"[red]{message}[/red]")
    raise typer.Exit(1)


@audiences_app.command("count")
def count_cmd(where: Where = None, file: WhereFile = None, now: Now = None) -> None:
    """How many customers match a condition."""
    condition, at = _condition(where, file), _now(now)
    ctx = get_context()
    try:
        with transaction(ctx.sessions) as session:
            n = count(session, condition, at, ctx.settings.analytics)
    except KnowledgeError as e:
        _fail(str(e))
    console.print(f"{n:,} customers")


@audiences_app.command("create")
def create_cmd(
    name: str,
    where: Where = None,
    file: WhereFile = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
) -> None:
    """Save a named audience."""
    condition = _condition(where, file)
    ctx = get_context()
    try:
        with transaction(ctx.sessions) as session:
            saved = create_audience(session, name, condition, description=description)
            n = count(session, saved.condition, datetime.now(UTC), ctx.settings.analytics)
    except (KnowledgeError, ValueError) as e:
        _fail(str(e))
    console.print(f"audience {saved.id} {saved.name!r}: {n:,} customers now")


@audiences_app.command("list")
def list_cmd(
    counts: Annotated[bool, typer.Option("--counts", help="Count each one now.")] = False,
) -> None:
    """Saved audiences, by name."""
    ctx = get_context()
    table = Table("id", "name", "customers", "description", "condition")
    with transaction(ctx.sessions) as session:
        for a in list_audiences(session):
            n = (
                count(session, a.condition, datetime.now(UTC), ctx.settings.analytics)
                if counts
                else None
            )
            condition = json.dumps(a.condition, ensure_ascii=False)
            table.add_row(
                str(a.id),
                a.name,
                f"{n:,}" if n is not None else "-",
                a.description or "",
                condition,
            )
    console.print(table)


@audiences_app.command("members")
def members_cmd(
    audience_id: Annotated[int | None, typer.Argument(help="A saved audience's id.")] = None,
    where: Where = None,
    file: WhereFile = None,
    now: Now = None,
    page: Annotated[int, typer.Option("--page", min=1)] = 1,
    per_page: Annotated[int, typer.Option("--per-page", min=1, max=500)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print the page as JSON.")] = False,
) -> None:
    """The members of a saved audience (by id) or of a condition, one page."""
    ctx = get_context()
    try:
        with transaction(ctx.sessions) as session:
            if audience_id is not None:
                condition = get_audience(session, audience_id).condition
            else:
                condition = _condition(where, file)
            result = members(
                session, condition, _now(now), page, per_page, settings=ctx.settings.analytics
            )
    except KnowledgeError as e:
        _fail(str(e))
    if as_json:
        console.print_json(result.model_dump_json())
        return
    table = Table("id", "name", "segment", "orders", "LTV", "last order", "opt-in", "region")
    for m in result.items:
        table.add_row(
            str(m.customer_id), m.name, m.segment, str(m.order_count), f"{m.ltv:,.0f}",
            str(m.last_order_at)[:10] if m.last_order_at else "-",
            "yes" if m.marketing_opt_in else "no", m.region or "-",
        )  # fmt: skip
    console.print(table)
    last = max(1, -(-result.total // per_page))
    console.print(f"{result.total:,} customers; page {page} of {last}")


@audiences_app.command("delete")
def delete_cmd(audience_id: int) -> None:
    """Delete a saved audience."""
    try:
        with transaction(get_context().sessions) as session:
            delete_audience(session, audience_id)
    except KnowledgeError as e:
        _fail(str(e))
    console.print(f"audience {audience_id} deleted")


@audiences_app.command("fields")
def fields_cmd() -> None:
    """The fields a condition can test, with their operators."""
    table = Table("field", "type", "operators", "values / meaning")
    for name, spec in FIELDS.items():
        table.add_row(
            name, spec.type, ", ".join(OPS[spec.type]), ", ".join(spec.values) or spec.description
        )
    table.add_row("custom.<key>", "custom", ", ".join(OPS["custom"]), "a custom attribute")
    console.print(table)


def refresh_after_import() -> None:
    """Bring the stored customer metrics up to date after an import, so counts start fresh."""
    ctx = get_context()
    with transaction(ctx.sessions) as session:
        ensure_metrics(session, ctx.settings.analytics)


@audiences_app.command("refresh")
def refresh_cmd() -> None:
    """Recompute the stored customer metrics now (counts do it when the data changed)."""
    ctx = get_context()
    with transaction(ctx.sessions) as session:
        n = refresh_metrics(session, ctx.settings.analytics)
    console.print(f"customer metrics refreshed: {n:,} customers with orders")


def register(app: typer.Typer) -> None:
    app.add_typer(audiences_app, name="audiences")
