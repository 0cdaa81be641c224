"""CLI commands of the knowledge layer: init, import, customers, segments, dedupe."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.audience_cmds import refresh_after_import
from api.cli.context import get_context
from assistant.enrich import enrich_all
from knowledge.dedupe import auto_merge, find_candidates, list_merges, merge, undo
from knowledge.errors import KnowledgeError
from knowledge.importing import import_file, list_quarantine, list_runs
from retrieval.errors import RetrievalError
from retrieval.service import build_retrieval

console = Console()


def init() -> None:
    """Create (or migrate) the database."""
    ctx = get_context()
    _ = ctx.engine
    console.print(f"database ready: {ctx.settings.database.url}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    register_imports(app)


# Imports --------------------------------------------------------------------------------


def import_cmd(
    path: Annotated[
        Path, typer.Argument(help="A CSV / JSON / JSONL / Markdown file, or a directory.")
    ],
    source: str = typer.Option(..., "--source", help="Source system name (idempotency key)."),
    mapping: str | None = typer.Option(
        None, "--mapping", help="A YAML mapping file or a built-in mapping name."
    ),
    entity: str | None = typer.Option(
        None, "--entity", help="customer, contact, product, order, interaction or article."
    ),
    encoding: str | None = typer.Option(
        None,
        "--encoding",
        help="The files' text encoding (utf-8, cp932, utf-16, ...); "
        "default: detected (BOM, else UTF-8, else CP932).",
    ),
) -> None:
    """Import a file (or a directory) from a source system; rejected rows go to quarantine.

    New and changed interactions are then enriched (sentiment, intent), as on every import path.
    """
    ctx = get_context()
    try:
        report = import_file(
            ctx.sessions, path, source=source, mapping=mapping, settings=ctx.settings.imports,
            entity=entity, encoding=encoding,
        )  # fmt: skip
    except KnowledgeError as e:
        console.print(f"[red]import refused:[/red] {e}")
        raise typer.Exit(1) from e
    table = Table("run", "entity", "file", "read", "inserted", "updated", "unchanged", "rejected")
    for part in report.parts or [report]:
        table.add_row(
            str(part.run_id), part.entity, Path(part.file or "-").name, str(part.read),
            str(part.inserted), str(part.updated), str(part.unchanged),
            f"[red]{part.rejected}[/red]" if part.rejected else "0",
        )  # fmt: skip
    console.print(table)
    if report.skipped_files:
        console.print(f"not imported (no mapping part): {', '.join(report.skipped_files)}")
    for r in report.rejected_rows[:20]:
        console.print(f"[red]rejected[/red] {r.where()}: {r.reason}")
    if report.rejected:
        console.print(f"{report.rejected} rejected row(s): see `kizuna quarantine RUN_ID`")
    enriched = enrich_all(ctx.sessions, ctx.settings.assistant.intents)
    if enriched:
        console.print(f"{enriched} interaction(s) enriched (sentiment, intent)")
    refresh_after_import()  # the analytics audiences filter on


def imports_cmd(limit: int = typer.Option(30, help="How many runs to show.")) -> None:
    """The import log, newest first."""
    with get_context().sessions() as session:
        runs = list_runs(session, limit)
    table = Table("run", "source", "file", "status", "started", "read", "ins", "upd", "same", "rej")
    for r in runs:
        table.add_row(
            str(r.id), r.source, Path(r.file or "-").name, r.status,
            f"{r.started_at:%Y-%m-%d %H:%M}" if r.started_at else "-", str(r.read),
            str(r.inserted), str(r.updated), str(r.unchanged), str(r.rejected),
        )  # fmt: skip
    console.print(table)


def quarantine_cmd(
    run_id: int | None = typer.Argument(None, help="Import run id (default: all runs)."),
    limit: int = typer.Option(200, help="How many rows to show."),
) -> None:
    """Rejected rows with file, row, field and reason."""
    with get_context().sessions() as session:
        rows = list_quarantine(session, run_id, limit)
    table = Table("run", "file", "row", "field", "reason")
    for q in rows:
        table.add_row(
            str(q.run_id), Path(q.file or "-").name, str(q.row or "-"), q.field or "-", q.reason
        )
    console.print(table if rows else "no rejected rows")


# 名寄せ ---------------------------------------------------------------------------------

dedupe_app = typer.Typer(help="名寄せ: duplicate customers (review, merge, undo, log).")


@dedupe_app.callback(invoke_without_command=True)
def dedupe_cmd(
    typer_ctx: typer.Context,
    do_merge: bool = typer.Option(False, "--merge", help="Merge all pairs above the threshold."),
) -> None:
    """List duplicate candidates (or merge those above the threshold with --merge)."""
    if typer_ctx.invoked_subcommand is not None:
        return
    ctx = get_context()
    settings = ctx.settings.dedupe
    if do_merge:
        with ctx.sessions.begin() as session:
            result = auto_merge(session, settings, actor="cli")
        for m in result.merged:
            console.print(
                f"merge {m.id}: customer {m.merged_id} → {m.survivor_id} "
                f"(score {m.score:.2f}; {', '.join(m.reasons)})"
            )
        console.print(f"{len(result.merged)} merged; {len(result.review)} left for review")
        if result.merged:
            _refresh_index()
        candidates = result.review
    else:
        with ctx.sessions() as session:
            candidates = find_candidates(session, min_score=settings.review_threshold)
    table = Table("customers", "names", "score", "action", "reasons")
    for c in candidates:
        action = "merge" if c.score >= settings.merge_threshold else "review"
        table.add_row(
            f"{c.customer_ids[0]} / {c.customer_ids[1]}", f"{c.names[0]} / {c.names[1]}",
            f"{c.score:.2f}", action, ", ".join(c.reasons),
        )  # fmt: skip
    console.print(table if candidates else "no duplicate candidates")


@dedupe_app.command("merge")
def dedupe_merge(
    survivor: int = typer.Argument(..., help="The customer that stays."),
    merged: int = typer.Argument(..., help="The customer merged into it."),
) -> None:
    """Merge one customer into another (logged; undo with `kizuna dedupe undo`)."""
    try:
        with get_context().sessions.begin() as session:
            entry = merge(session, survivor, merged, score=1.0, reasons=["manual"], actor="cli")
    except KnowledgeError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(1) from e
    moved = ", ".join(f"{len(v)} {k}" for k, v in entry.moved.items())
    console.print(f"merge {entry.id}: customer {merged} → {survivor} ({moved})")
    _refresh_index()


@dedupe_app.command("undo")
def dedupe_undo(merge_id: int = typer.Argument(..., help="The merge log id.")) -> None:
    """Undo a merge: records move back, the survivor's filled fields are restored."""
    try:
        with get_context().sessions.begin() as session:
            entry = undo(session, merge_id)
    except KnowledgeError as e:
        console.print(f"[red]{e}[/red]")
        raise typer.Exit(1) from e
    console.print(f"merge {entry.id} undone: customer {entry.merged_id} restored")
    _refresh_index()


def _refresh_index() -> None:
    """Re-index after a merge or undo: the moved interactions now belong to another customer.

    The customer id is part of each chunk's hash, so the incremental index rewrites the moved
    records (and anything else not yet indexed); `kizuna index check` is clean straight after.
    """
    ctx = get_context()
    try:
        retrieval = build_retrieval(ctx.settings.retrieval, ctx.sessions)
        if not retrieval.vectors.count() and not retrieval.keywords.count():
            console.print("no search index yet: `kizuna index` builds it")
            return
        report = retrieval.index(progress=False)
    except RetrievalError as e:
        console.print(
            f"[red]saved in the database, but the search index was not updated ({e.code}): "
            f"{e}; run `kizuna index`[/red]"
        )
        raise typer.Exit(1) from e
    console.print(f"search index updated: {report.records_indexed} record(s) re-indexed")


@dedupe_app.command("log")
def dedupe_log(limit: int = typer.Option(50, help="How many merges to show.")) -> None:
    """The merge log, newest first."""
    with get_context().sessions() as session:
        entries = list_merges(session, limit)
    table = Table("merge", "survivor", "merged", "score", "by", "at", "undone", "moved", "reasons")
    for e in entries:
        table.add_row(
            str(e.id), str(e.survivor_id), str(e.merged_id), f"{e.score:.2f}", e.merged_by or "-",
            f"{e.merged_at:%Y-%m-%d %H:%M}" if e.merged_at else "-",
            f"{e.undone_at:%Y-%m-%d %H:%M}" if e.undone_at else "",
            ", ".join(f"{len(v)} {k}" for k, v in e.moved.items() if v), ", ".join(e.reasons),
        )  # fmt: skip
    console.print(table if entries else "no merges yet")


def register_imports(app: typer.Typer) -> None:
    """Add import, imports, quarantine and dedupe to the `kizuna` app."""
    app.command("import")(import_cmd)
    app.command("imports")(imports_cmd)
    app.command("quarantine")(quarantine_cmd)
    app.add_typer(dedupe_app, name="dedupe")
