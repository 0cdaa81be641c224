"""`kizuna demo`: create the database, load and enrich the bilingual demo company, summarise."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.audience_cmds import refresh_after_import
from api.cli.context import CliContext, get_context
from assistant.enrich import enrich_all
from demo import DEFAULT_SEED, DEMO_CLOCK, DemoLoadError, DemoSummary, database_counts, load_demo
from knowledge.analytics import segment_summary
from knowledge.campaigns.store import list_campaigns

console = Console()


def demo(
    scale: Annotated[
        float, typer.Option(help="Size relative to the full demo (0.1 = a tenth).")
    ] = 1.0,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same data.")
    ] = DEFAULT_SEED,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve",
            help="Then build the search index and start the panel on 127.0.0.1 (default).",
        ),
    ] = True,
    port: Annotated[
        int | None, typer.Option(help="Port for the panel (default: api.port).")
    ] = None,
) -> None:
    """Create the database, load and enrich the demo company, index it and serve; safe to rerun."""
    if scale <= 0 or scale > 1.3:
        console.print(f"[red]--scale must be in (0, 1.3], got {scale}[/red]")
        raise typer.Exit(2)
    ctx = get_context()
    settings = ctx.settings.model_copy(
        update={"imports": ctx.settings.imports.model_copy(update={"progress": False})}
    )
    console.print(f"database: {ctx.settings.database.url}")
    with console.status("generating and importing the demo company…"):
        try:
            summary = load_demo(ctx.sessions, settings, scale=scale, seed=seed)
        except DemoLoadError as e:
            console.print(f"[red]{e}[/red]")
            raise typer.Exit(1) from e
    with console.status("enriching the interactions (sentiment, intent)…"):
        enriched = enrich_all(ctx.sessions, ctx.settings.assistant.intents)
        refresh_after_import()  # the analytics audiences filter on
    _print_summary(summary)
    console.print(f"{enriched:,} interactions enriched (sentiment, intent)")
    with ctx.sessions() as session:
        counts = database_counts(session)
        rows = segment_summary(session, ctx.settings.analytics)
    table = Table(title="In the database")
    for name in counts:
        table.add_column(name, justify="right")
    table.add_row(*(f"{n:,}" for n in counts.values()))
    console.print(table)
    seg = Table(title="Segments (RFM)")
    for col in ("segment", "customers", "share", "revenue (JPY)"):
        seg.add_column(col, justify="left" if col == "segment" else "right")
    for r in rows:
        seg.add_row(r.segment, f"{r.customers:,}", f"{r.share:.1%}", f"{r.revenue:,.0f}")
    console.print(seg)
    _print_campaigns(ctx)
    if serve:
        from api.cli.demo_serve import index_and_serve

        index_and_serve(ctx, port=port)


def _print_summary(s: DemoSummary) -> None:
    table = Table(title=f"Demo import (seed {s.seed}, scale {s.scale}, {s.seconds:.1f} s)")
    for col in ("source", "entity", "read", "inserted", "updated", "unchanged", "rejected"):
        left = col in ("source", "entity")
        table.add_column(col, justify="left" if left else "right", no_wrap=left)
    for b in s.batches:
        table.add_row(
            b.source,
            b.entity,
            *(f"{n:,}" for n in (b.read, b.inserted, b.updated, b.unchanged, b.rejected)),
        )
    console.print(table)
    console.print(
        f"labelled questions: {s.questions} (+{s.unanswerable} unanswerable), planted facts: "
        f"{s.planted}, planted duplicates: {s.duplicates}; reference date {s.reference_date}"
    )
    console.print(f"questions: {s.questions_path}\n           {s.questions_jsonl_path}")


def _print_campaigns(ctx: CliContext) -> None:
    with ctx.sessions() as session:
        campaigns = list_campaigns(session)
    for c in campaigns:
        console.print(f"campaign {c.id}: {c.name}", highlight=False)
    if campaigns:
        console.print(
            f"run one at the demo's clock: kizuna campaigns run ID --now {DEMO_CLOCK} "
            "[--code-only]; then kizuna campaigns drafts ID (docs/campaigns.md)"
        )


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
