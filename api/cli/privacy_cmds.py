"""CLI for a person's rights (APPI / GDPR): `customers export` and `customers erase`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.cli.context import get_context
from api.cli.customer_cmds import customers_app
from api.cli.retrieval_cmds import open_retrieval
from knowledge.erasure import erase_customer, export_customer
from knowledge.errors import CustomerNotFound

console = Console()
err = Console(stderr=True)


def export(
    customer_id: int,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the JSON here (default: stdout).")
    ] = None,
    actor: Annotated[str, typer.Option(help="Who exports (written to the audit log).")] = "cli",
) -> None:
    """Everything held about one person (with their merged records) as JSON."""
    ctx = get_context()
    places = open_retrieval().customer_places()
    try:
        data = export_customer(ctx.sessions, customer_id, places, actor=actor)
    except CustomerNotFound as e:
        err.print(f"[red]{e}[/red]")
        raise typer.Exit(1) from e
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        err.print(f"wrote {out}")


def erase(
    customer_id: int,
    yes: Annotated[bool, typer.Option("--yes", help="Erase without asking.")] = False,
    actor: Annotated[str, typer.Option(help="Who erases (written to the audit log).")] = "cli",
) -> None:
    """Erase one person (and their merged records) from every table and both indexes."""
    ctx = get_context()
    if not yes:
        typer.confirm(f"Erase customer {customer_id} and every record merged into it?", abort=True)
    places = open_retrieval().customer_places()
    try:
        report = erase_customer(ctx.sessions, customer_id, actor=actor, indexes=places)
    except CustomerNotFound as e:
        err.print(f"[red]{e}[/red]")
        raise typer.Exit(1) from e
    console.print(f"erased customer {customer_id} (records {report.customer_ids})")
    for label, counts in (
        ("deleted", report.deleted),
        ("kept", report.kept),
        ("scrubbed", report.scrubbed),
    ):
        shown = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        console.print(f"  {label}: {shown or '-'}")
    console.print(f"  audit entry: {report.audit_output_id}")


def register(app: typer.Typer) -> None:
    """Both commands go under `kizuna customers` (customer_cmds adds that group to `app`)."""
    customers_app.command("export")(export)
    customers_app.command("erase")(erase)
