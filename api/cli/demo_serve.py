"""The second half of `kizuna demo`: build the index, mint a demo key, serve the panel."""

from __future__ import annotations

from rich.console import Console

from api.cli.context import CliContext
from knowledge.apikeys import create_key, list_keys, revoke_key

console = Console()
DEMO_KEY_NAME = "demo-admin"


def demo_key(ctx: CliContext) -> str:
    """A fresh admin key for the demo; earlier demo keys are revoked (their secrets are gone)."""
    for key in list_keys(ctx.sessions):
        if key.name == DEMO_KEY_NAME and key.active:
            revoke_key(ctx.sessions, key.id)
    return create_key(ctx.sessions, name=DEMO_KEY_NAME, role="admin")[1]


def index_and_serve(ctx: CliContext, *, port: int | None = None) -> None:
    """Index the demo records (incremental), then run the server on 127.0.0.1 until Ctrl+C."""
    import uvicorn

    from api.app import create_app
    from retrieval.service import build_retrieval

    settings = ctx.settings
    retrieval = build_retrieval(settings.retrieval, ctx.sessions)
    console.print("building the search index (only new or changed records are embedded)…")
    report = retrieval.index(progress=True)
    console.print(
        f"index: {report.records_seen:,} records, {report.records_indexed:,} embedded, "
        f"{report.records_unchanged:,} unchanged ({report.seconds:.1f} s)"
    )
    key = demo_key(ctx)
    host = "127.0.0.1"  # the demo never listens beyond this machine
    port = port or settings.api.port
    console.print()
    console.print(f"[bold]Kizuna is running:[/bold] http://{host}:{port}/", highlight=False)
    console.print(f"[bold]Demo API key (admin):[/bold] {key}", highlight=False, soft_wrap=True)
    console.print(
        "Paste the key into the sign-in box. API docs: "
        f"http://{host}:{port}/docs — stop with Ctrl+C.",
        highlight=False,
    )
    # The embedder loaded for indexing is handed to the app: the model loads once.
    app = create_app(settings, embedder=retrieval.embedder)
    uvicorn.run(app, host=host, port=port, log_level="warning")
