"""`kizuna campaigns ...`: define, run (with a progress bar), review, export, results, report."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

from api.cli.context import get_context
from assistant.errors import AssistantError
from knowledge.campaigns import export, report, results, store
from knowledge.campaigns.definition import parse_definition
from knowledge.errors import CampaignError, KnowledgeError

console = Console()
campaigns_app = typer.Typer(help="Campaigns: step-mail sequences, drafts at scale, results.")


def _fail(e: Exception) -> None:
    console.print(f"[red]error[/red] ({getattr(e, 'code', type(e).__name__)}): {e}")
    raise typer.Exit(1) from e


def _clock(now: str | None) -> datetime:
    if not now:
        return datetime.now(UTC)
    try:
        at = datetime.fromisoformat(now)
    except ValueError as e:
        console.print(f"[red]--now must be an ISO 8601 time, got {now!r}[/red]")
        raise typer.Exit(2) from e
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@campaigns_app.command("create")
def create(
    file: Annotated[Path, typer.Argument(help="the definition, JSON or YAML", exists=True)],
) -> None:
    """Create a campaign from a definition file (docs/campaigns.md, "Sequences")."""
    from assistant.jobs.campaign_drafts import check_steps

    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    ctx = get_context()
    try:
        check_steps(parse_definition(data))
        with ctx.sessions() as session:
            record = store.create_campaign(session, data, "cli")
            session.commit()
    except (KnowledgeError, AssistantError) as e:
        _fail(e)
        return
    console.print(f"campaign {record.id}: {record.name}")


@campaigns_app.command("list")
def list_() -> None:
    """Campaigns with their counts."""
    table = Table("id", "name", "enrolled", "exited", "draft", "approved", "exported")
    with get_context().sessions() as session:
        for c in store.list_campaigns(session):
            n = c.counts
            table.add_row(
                str(c.id),
                c.name,
                *(str(n[k]) for k in ("enrolled", "exited", "draft", "approved", "exported")),
            )
    console.print(table)


@campaigns_app.command("run")
def run(
    campaign_id: Annotated[int, typer.Argument(help="campaign id")],
    now: Annotated[
        str | None, typer.Option(help="the scheduler's clock, ISO 8601 (default: now)")
    ] = None,
    code_only: Annotated[
        bool, typer.Option("--code-only", help="templates + data only, no model (large sends)")
    ] = False,
) -> None:
    """One scheduler pass at the clock, then a draft for every due (customer, step)."""
    from assistant.deps import AssistantDeps
    from assistant.jobs.campaign_drafts import run_campaign

    ctx = get_context()
    clock = _clock(now)
    job_id = uuid.uuid4().hex
    try:
        with ctx.sessions() as session:
            store.campaign_row(session, campaign_id)
            busy = store.active_run(session, campaign_id)
            if busy is not None:
                raise CampaignError(f"campaign {campaign_id} is being run (job {busy})")
            store.create_run(session, job_id, campaign_id, clock, code_only, "cli")
            session.commit()
    except KnowledgeError as e:
        _fail(e)
        return
    if code_only:
        deps = AssistantDeps.data_only(ctx.settings, ctx.sessions)
    else:
        from api.cli.assistant_cmds import _assistant

        deps = _assistant().deps
    columns = (
        *Progress.get_default_columns()[:1],
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("drafting", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = run_campaign(deps, job_id, actor="cli", progress=step)
    console.print(
        f"job {result.job_id}: {result.status} · entered {result.entered}, exited "
        f"{result.exited}, queued {result.queued}, skipped {result.skipped}, drafted "
        f"{result.done}/{result.total}, failed {result.failed}"
        + (f" · {result.error}" if result.error else "")
    )
    if result.status == "failed":
        raise typer.Exit(1)


@campaigns_app.command("drafts")
def drafts(
    campaign_id: Annotated[int, typer.Argument(help="campaign id")],
    status: Annotated[str | None, typer.Option(help="draft, approved, edited, ...")] = None,
    limit: Annotated[int, typer.Option(help="how many")] = 20,
) -> None:
    """The campaign's drafts: status, customer, subject."""
    with get_context().sessions() as session:
        total, items = store.list_drafts(
            session, campaign_id, statuses=[status] if status else None, per_page=limit
        )
    table = Table("id", "step", "status", "customer", "subject", "offer")
    for d in items:
        offer = (d.offer or {}).get("code", "")
        table.add_row(str(d.id), str(d.step_index), d.status, d.name or "", d.subject or "", offer)
    console.print(table)
    console.print(f"{total} in all")


@campaigns_app.command("approve")
def approve(
    campaign_id: Annotated[int, typer.Argument(help="campaign id")],
    ids: Annotated[list[int] | None, typer.Option("--id", help="a draft id (repeat)")] = None,
    all_: Annotated[bool, typer.Option("--all", help="every draft of the campaign")] = False,
) -> None:
    """Approve drafts (after reviewing a sample)."""
    if not ids and not all_:
        console.print("[red]give --id ... or --all[/red]")
        raise typer.Exit(2)
    with get_context().sessions() as session:
        n, missing = store.approve_many(
            session, campaign_id, "cli", ids=None if all_ else list(ids or [])
        )
        session.commit()
    console.print(f"{n} approved" + (f"; not drafts: {missing}" if missing else ""))


@campaigns_app.command("export")
def export_(
    campaign_id: Annotated[int, typer.Argument(help="campaign id")],
    out: Annotated[Path, typer.Option(help="the file to write")],
    format_: Annotated[str, typer.Option("--format", help="csv or jsonl")] = "csv",
) -> None:
    """Export the approved drafts (docs/campaigns.md, "Export layout") and record them."""
    if format_ not in ("csv", "jsonl"):
        console.print("[red]--format must be csv or jsonl[/red]")
        raise typer.Exit(2)
    with get_context().sessions() as session:
        rows = export.export_ready(session, campaign_id, datetime.now(UTC))
        session.commit()
    text = export.to_csv(rows) if format_ == "csv" else export.to_jsonl(rows)
    out.write_text(text, encoding="utf-8")
    console.print(f"{len(rows)} messages exported to {out}")


@campaigns_app.command("results")
def results_(
    file: Annotated[Path, typer.Argument(help="CSV / JSONL: message_id, event, occurred_at")],
) -> None:
    """Import delivery results; unsubscribes set the customer's opt-out."""
    try:
        with get_context().sessions() as session:
            r = results.import_results_file(session, file, datetime.now(UTC))
            session.commit()
    except KnowledgeError as e:
        _fail(e)
        return
    console.print(
        f"read {r.read}, recorded {r.recorded}, unchanged {r.unchanged}, rejected {r.rejected}, "
        f"unsubscribed {r.unsubscribed}"
    )
    for row in r.rejected_rows[:20]:
        console.print(f"  row {row['row']} {row['field']}: {row['reason']}", highlight=False)


@campaigns_app.command("report")
def report_(
    campaign_id: Annotated[int, typer.Argument(help="campaign id")],
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Per step and in total: drafted, approved, exported, opened, clicked, converted, revenue."""
    with get_context().sessions() as session:
        data = report.campaign_report(session, campaign_id)
    if as_json:
        console.print_json(json.dumps(data, default=str))
        return
    cols = ("audience", "drafted", "approved", "exported", "opened", "clicked", "converted")
    table = Table("step", "purpose", *cols, "revenue", "uplift (pt)")
    for s in [*data["steps"], data["total"]]:
        table.add_row(
            "total" if s["step_index"] is None else str(s["step_index"]),
            s["purpose"] or "",
            *(str(s[c]) for c in cols),
            f"{s['revenue']:,.0f}",
            _pt(s["uplift"]),
        )
    console.print(table)


def _pt(value: Any) -> str:
    return "-" if value is None else f"{value:+.1f}"


def register(app: typer.Typer) -> None:
    app.add_typer(campaigns_app, name="campaigns")
