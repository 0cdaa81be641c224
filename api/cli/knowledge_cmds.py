"""CLI commands of the knowledge layer: init, import, customers, segments, dedupe."""

from __future__ import annotations

import typer
from rich.console import Console

from api.cli.context import get_context

console = Console()


def init() -> None:
    """Create (or migrate) the database."""
    ctx = get_context()
    _ = ctx.engine
    console.print(f"database ready: {ctx.settings.database.url}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
