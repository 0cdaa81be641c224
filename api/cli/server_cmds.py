"""CLI: `kizuna serve` and `kizuna keys create|list|revoke`."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from api.cli.context import get_context
from knowledge.apikeys import ROLES, ApiKeyError, create_key, list_keys, revoke_key

console = Console()
keys_app = typer.Typer(help="API keys (stored hashed; the plain key is shown once).")


def serve(
    host: str = typer.Option(None, help="bind address (default: api.host, 127.0.0.1)"),
    port: int = typer.Option(None, help="port (default: api.port, 8765)"),
) -> None:
    """Start the HTTP API and the chat panel."""
    # The web stack (the app and uvicorn, ~1 s) loads only for this command.
    import uvicorn

    from api.app import create_app

    ctx = get_context()
    settings = ctx.settings
    host = host or settings.api.host
    port = port or settings.api.port
    console.print(f"Kizuna panel: http://{host}:{port}/   API docs: http://{host}:{port}/docs")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@keys_app.command("create")
def keys_create(
    role: str = typer.Option(..., help=f"one of: {', '.join(ROLES)}"),
    name: str = typer.Option(..., help="a label for the key (the audit log names it)"),
    user: str = typer.Option(
        None, help="the person it belongs to, as customers' owner names them (default: name)"
    ),
    team: list[str] = typer.Option(  # noqa: B008 (typer reads the default here)
        [], "--team", help="a team whose customers it may see (repeat for several)"
    ),
) -> None:
    """Create an API key; prints the plain key once."""
    try:
        record, plain = create_key(
            get_context().sessions, name=name, role=role, user=user, teams=team
        )
    except ApiKeyError as e:
        console.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from e
    teams = ", ".join(record.teams) or "no team"
    console.print(
        f"created key {record.id} ({record.role}, {record.name}, user {record.user}, {teams}); "
        "store it now:"
    )
    console.print(plain, highlight=False, soft_wrap=True)


@keys_app.command("list")
def keys_list() -> None:
    """List keys (never their secrets)."""
    table = Table("id", "prefix", "name", "role", "user", "teams", "created", "revoked")
    for k in list_keys(get_context().sessions):
        table.add_row(
            str(k.id),
            k.prefix,
            k.name,
            k.role,
            k.user or "",
            ", ".join(k.teams),
            f"{k.created_at or ''}",
            f"{k.revoked_at or ''}",
        )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key: str = typer.Argument(..., help="key id or visible prefix")) -> None:
    """Revoke a key (its panel sessions end too)."""
    try:
        record = revoke_key(get_context().sessions, key)
    except ApiKeyError as e:
        console.print(f"[red]error:[/red] {e}")
        raise typer.Exit(2) from e
    console.print(f"revoked key {record.id} ({record.name})")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(keys_app, name="keys")
