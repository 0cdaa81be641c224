"""CLI commands of the retrieval layer: index, index check, reindex, search, eval retrieval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, get_args

import typer
from rich.console import Console
from rich.table import Table

from api.cli.context import get_context
from api.cli.eval_scenarios import eval_scenarios
from retrieval.errors import IndexCorrupt, RetrievalError
from retrieval.evaluation import MODES, evaluate, load_questions, markdown_table
from retrieval.service import Mode, Retrieval, build_retrieval
from retrieval.types import IndexReport, Scope

console = Console()
err = Console(stderr=True)

index_app = typer.Typer(help="Build, update and check the search index.")
eval_app = typer.Typer(help="Evaluate parts of Kizuna on labelled data.")


def open_retrieval() -> Retrieval:
    ctx = get_context()
    try:
        return build_retrieval(ctx.settings.retrieval, ctx.sessions)
    except RetrievalError as e:
        err.print(f"[red]error[/red] ({e.code}): {e}")
        raise typer.Exit(2) from e


def _print_index(report: IndexReport) -> None:
    console.print(
        f"records: {report.records_seen} seen, {report.records_indexed} indexed, "
        f"{report.records_unchanged} unchanged, {report.records_deleted} deleted; "
        f"chunks: {report.chunks_upserted} written, {report.chunks_deleted} deleted; "
        f"{report.seconds:.1f}s (embedding {report.embed_seconds:.1f}s)"
    )


@index_app.callback(invoke_without_command=True)
def index(
    ctx: typer.Context,
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Index new and changed records, remove deleted ones (safe to re-run)."""
    if ctx.invoked_subcommand is None:
        _print_index(open_retrieval().index(progress=progress))


@index_app.command("compact")
def index_compact() -> None:
    """Remove the text of deleted chunks from the index files (Chroma's log, free pages)."""
    open_retrieval().compact()
    console.print("index files compacted")


@index_app.command("check")
def index_check(
    show: Annotated[int, typer.Option(help="How many chunk ids to list per problem.")] = 10,
) -> None:
    """Report missing, orphaned and stale chunks; exit code 1 when there are any."""
    try:
        report = open_retrieval().check()
    except IndexCorrupt as e:
        err.print(f"[red]error[/red] ({e.code}): {e}; run `kizuna index` to rebuild it")
        raise typer.Exit(1) from e
    console.print(
        f"records: {report.records}, expected chunks: {report.expected_chunks}, "
        f"in Chroma: {report.vector_chunks}, in keyword index: {report.keyword_chunks}"
    )
    for name, ids in (
        ("missing", report.missing),
        ("orphaned", report.orphaned),
        ("stale", report.stale),
    ):
        console.print(f"{name}: {len(ids)}" + (f"  e.g. {', '.join(ids[:show])}" if ids else ""))
    if not report.ok:
        console.print("[red]index is not in step with the database: run `kizuna index`[/red]")
        raise typer.Exit(1)
    console.print("[green]index consistent[/green]")


def reindex(
    progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True,
) -> None:
    """Drop the index and build it again from the database."""
    _print_index(open_retrieval().reindex(progress=progress))


def search(
    query: Annotated[str, typer.Argument(help="What to look for (Japanese or English).")],
    customer: Annotated[int | None, typer.Option(help="Search this customer's records.")] = None,
    kb: Annotated[bool, typer.Option("--kb", help="Search the knowledge base.")] = False,
    all_: Annotated[bool, typer.Option("--all", help="Search everything (admin).")] = False,
    k: Annotated[int, typer.Option(help="How many records.")] = 8,
    mode: Annotated[str, typer.Option(help=" | ".join(get_args(Mode)))] = "hybrid",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search one customer's records (--customer ID), the knowledge base (--kb) or all (--all)."""
    if sum((customer is not None, kb, all_)) != 1:
        err.print("[red]error[/red]: give exactly one scope: --customer ID, --kb or --all")
        raise typer.Exit(2)
    if mode not in MODES:
        err.print(f"[red]error[/red]: --mode must be one of {', '.join(MODES)}, not {mode!r}")
        raise typer.Exit(2)
    if customer is not None:
        scope = Scope.customer(customer)
    else:
        scope = Scope.knowledge_base() if kb else Scope.everything()
    hits = open_retrieval().search(query, scope, k=k, mode=mode)  # type: ignore[arg-type]
    if as_json:
        rows = [
            {
                "record_id": h.record_id,
                "chunk_id": h.chunk_id,
                "customer_id": h.customer_id,
                "kind": h.kind,
                "date": h.occurred_at.isoformat() if h.occurred_at else None,
                "score": round(h.score, 5),
                "sources": list(h.sources),
                "title": h.title,
                "span": h.span,
            }
            for h in hits
        ]
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("record", "kind", "date", "found by", "span")
    for h in hits:
        date = h.occurred_at.date().isoformat() if h.occurred_at else ""
        table.add_row(h.record_id, h.kind, date, "+".join(h.sources), h.span[:120])
    console.print(table if hits else "no results")


@eval_app.command("retrieval")
def eval_retrieval(
    questions: Annotated[Path, typer.Option(help="JSONL of {query, relevant_ids, scope}.")],
    k: Annotated[int, typer.Option(help="Results per query.")] = 10,
    markdown: Annotated[bool, typer.Option(help="Print a Markdown table.")] = False,
) -> None:
    """Recall@1/5/10, MRR and nDCG@10 of keyword, vector and hybrid search, per category."""
    try:
        labelled = load_questions(questions)
    except RetrievalError as e:
        err.print(f"[red]error[/red] ({e.code}): {e}")
        raise typer.Exit(2) from e
    report = evaluate(open_retrieval(), labelled, k=k)
    if markdown:
        console.print(markdown_table(report), markup=False)
        return
    table = Table("category", "mode", "n", "R@1", "R@5", "R@10", "MRR", "nDCG@10")
    for mode, per in report.table.items():
        for category, m in sorted(per.items()):
            table.add_row(
                category,
                mode,
                str(m.questions),
                f"{m.recall_at_1:.3f}",
                f"{m.recall_at_5:.3f}",
                f"{m.recall_at_10:.3f}",
                f"{m.mrr:.3f}",
                f"{m.ndcg_at_10:.3f}",
            )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.add_typer(index_app, name="index")
    app.command("reindex")(reindex)
    app.command("search")(search)
    eval_app.command("scenarios")(eval_scenarios)
    app.add_typer(eval_app, name="eval")
