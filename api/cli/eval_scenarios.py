"""`kizuna eval scenarios FILE`: the scenario suite through the real HTTP API, a pass table.

By default the app is started in this process on a scratch data directory (uvicorn on a free
127.0.0.1 port, the configured model), the fixture company is imported through the normal
importer (then 名寄せ, enrichment and indexing, as `kizuna import` / `dedupe --merge` /
`index` do), and every item is sent over HTTP with httpx. With --url and --key it runs against
a running server instead, importing the fixture through POST /ingest.
"""

from __future__ import annotations

import json
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from api.scenarios import (
    FIXTURE_FILES,
    Cited,
    Item,
    Outcome,
    Output,
    RecordKey,
    ScenarioSet,
    check,
    load_fixture,
    load_scenarios,
    markdown_table,
    pass_table,
    record_keys,
    record_label,
    report_json,
)
from knowledge.settings import Settings, load_settings

console = Console()
err = Console(stderr=True)
TIMEOUT = httpx.Timeout(900.0, connect=10.0)  # one brief on the local model can take minutes


class ScenarioClient:
    """The HTTP calls the suite makes, with one admin key."""

    def __init__(self, url: str, key: str) -> None:
        self.http = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=TIMEOUT
        )
        self._records: dict[str, RecordKey | None] = {}

    def close(self) -> None:
        self.http.close()

    def customer_id(self, term: str) -> int:
        """The one customer the search term finds (merged duplicates are not listed)."""
        r = self.http.get("/customers", params={"q": term, "limit": 5})
        r.raise_for_status()
        found = r.json()
        if len(found) != 1:
            names = [c.get("name") for c in found]
            raise ValueError(f"customer search {term!r} found {len(found)}: {names}")
        return int(found[0]["id"])

    def record_key(self, record_id: str) -> RecordKey | None:
        """The fixture key of a cited record (fetched once)."""
        if record_id not in self._records:
            r = self.http.get(f"/records/{record_id}")
            self._records[record_id] = record_label(r.json()) if r.status_code == 200 else None
        return self._records[record_id]

    def run(self, item: Item, customer_id: int, conversation_id: str | None) -> Output:
        """Send one item; the output as the checks need it."""
        started = time.monotonic()
        if item.kind == "chat":
            body: dict[str, Any] = {"question": item.input, "customer_id": customer_id}
            if conversation_id:
                body["conversation_id"] = conversation_id
            r = self.http.post("/chat/answer", json=body)
        elif item.kind == "brief":
            r = self.http.post(f"/customers/{customer_id}/brief", json={"language": item.language})
        else:
            body = {"customer_id": customer_id, "purpose": item.input, "language": item.language}
            r = self.http.post("/drafts/email", json=body)
        seconds = time.monotonic() - started
        if r.status_code != 200:
            return Output(status=r.status_code, seconds=seconds, error=r.text[:300])
        data = r.json()
        if item.kind == "chat":
            text = data["text"]
        elif item.kind == "brief":
            text = data["markdown"]
        else:
            text = f"{data['subject']}\n{data['body']}"
        citations = [
            Cited(c["record_id"], c.get("kind", ""), self.record_key(c["record_id"]))
            for c in data.get("citations", [])
        ]
        return Output(
            status=200,
            text=text,
            answered=data.get("answered") if item.kind == "chat" else None,
            citations=citations,
            seconds=seconds,
            degraded=data.get("degraded"),
        )


def run_items(
    client: ScenarioClient,
    scenarios: ScenarioSet,
    items: list[Item] | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run the items in file order (a conversation's turns in order), judge each."""
    keys = record_keys(load_fixture(scenarios.fixture_dir()))
    customers: dict[str, int] = {}
    conversations: dict[str, str] = {}
    outcomes: list[Outcome] = []
    for item in items if items is not None else scenarios.items:
        if item.customer not in customers:
            customers[item.customer] = client.customer_id(scenarios.customers[item.customer])
        conversation = None
        if item.conversation:
            name = item.conversation
            conversation = conversations.setdefault(name, f"scn-{name}-{uuid.uuid4().hex[:8]}")
        try:
            output = client.run(item, customers[item.customer], conversation)
        except httpx.HTTPError as e:  # a timeout or a dropped connection fails the item only
            output = Output(status=0, error=f"{type(e).__name__}: {e}")
        outcome = check(scenarios, item, output, keys)
        outcomes.append(outcome)
        if on_outcome:
            on_outcome(outcome)
    return outcomes


# ---- the fixture company -------------------------------------------------------------------


def import_fixture(sessions: Any, settings: Settings, scenarios: ScenarioSet) -> None:
    """Import the fixture files as `kizuna import` does, then 名寄せ, enrichment (not indexing)."""
    from assistant.enrich import enrich_all
    from knowledge.dedupe import auto_merge
    from knowledge.importing import import_file

    directory = scenarios.fixture_dir()
    for entity, name in FIXTURE_FILES:
        path = directory / name
        if not path.exists():
            continue
        report = import_file(
            sessions, path, source=scenarios.fixture.source, entity=entity,
            settings=settings.imports,
        )  # fmt: skip
        if report.rejected:
            reasons = [f"{r.row}: {r.field}: {r.reason}" for r in report.rejected_rows[:5]]
            raise ValueError(f"fixture {name}: {report.rejected} rows rejected: {reasons}")
    if scenarios.fixture.dedupe:
        with sessions.begin() as session:
            auto_merge(session, settings.dedupe, actor="scenarios")
    enrich_all(sessions, settings.assistant.intents)


def ingest_fixture(client: ScenarioClient, scenarios: ScenarioSet, wait_s: float = 600) -> None:
    """Import the fixture through POST /ingest (a running server); wait until it is indexed."""
    fixture = load_fixture(scenarios.fixture_dir())
    for entity, _name in FIXTURE_FILES:
        if fixture[entity]:
            body = {
                "source": scenarios.fixture.source,
                "entity": entity,
                "records": fixture[entity],
            }
            r = client.http.post("/ingest", json=body)
            if r.status_code >= 300 or r.json().get("rejected"):
                raise ValueError(f"ingest {entity}: HTTP {r.status_code}: {r.text[:500]}")
    # The server enriches and indexes in the background: wait until every record is found.
    pending = {r["subject"] for r in fixture["interaction"]}
    deadline = time.monotonic() + wait_s
    while pending and time.monotonic() < deadline:
        for subject in list(pending):
            r = client.http.post(
                "/search",
                json={"query": subject, "scope": {"kind": "global"}, "k": 5, "mode": "keyword"},
            )
            if r.status_code == 200 and any(h.get("title") == subject for h in r.json()):
                pending.discard(subject)
        if pending:
            time.sleep(2)
    if pending:
        raise TimeoutError(f"{len(pending)} fixture records not indexed after {wait_s:.0f} s")


def scratch_settings(base: Settings, data_dir: Path) -> Settings:
    """`base` with every path under a scratch data directory (the model cache is kept)."""
    data = base.model_dump()
    data["data_dir"] = data_dir
    data["database"]["url"] = ""
    data["retrieval"]["chroma_path"] = ""
    data["retrieval"]["keyword_index_path"] = ""
    data["retrieval"]["collection"] = f"scn{uuid.uuid4().hex[:12]}"
    data["imports"]["progress"] = False
    # The suite measures answers, not load: one key asks faster than a person would (code
    # answers take 0.1 s), so the per-key rate limit would turn items into 429s.
    data["api"]["generations_per_minute"] = 0
    return Settings(**data)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def in_process(
    scenarios: ScenarioSet,
    settings: Settings,
    *,
    embedder: Any = None,
    llm: Any = None,
    ready_timeout: float = 900,
) -> Iterator[tuple[str, str]]:
    """Serve the app on 127.0.0.1 with the fixture imported and indexed; yields (url, key)."""
    import uvicorn

    from api.app import create_app
    from knowledge.apikeys import create_key

    app = create_app(settings, embedder=embedder, llm=llm)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_timeout
        while getattr(app.state, "services", None) is None:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the app did not start")
            time.sleep(0.2)
        services = app.state.services
        import_fixture(services.sessions, settings, scenarios)
        if services.retrieval is None:
            raise RuntimeError(f"retrieval did not load: {services.errors}")
        services.retrieval.index(progress=False)
        key = create_key(services.sessions, name="scenarios", role="admin")[1]
        while True:  # the model process starts in the background
            try:
                if httpx.get(url + "/ready", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError(f"not ready in {ready_timeout:.0f} s: {services.errors}")
            time.sleep(0.5)
        yield url, key
    finally:
        server.should_exit = True
        thread.join(30)


def run_suite(
    scenarios: ScenarioSet,
    *,
    url: str | None = None,
    key: str | None = None,
    settings: Settings | None = None,
    embedder: Any = None,
    llm: Any = None,
    items: list[Item] | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run the suite against `url` (fixture ingested over HTTP) or an app served in process."""
    if url:
        client = ScenarioClient(url, key or "")
        try:
            ingest_fixture(client, scenarios)
            return run_items(client, scenarios, items, on_outcome)
        finally:
            client.close()
    with tempfile.TemporaryDirectory(prefix="kizuna-scenarios-") as tmp:
        scratch = scratch_settings(settings or load_settings(), Path(tmp) / "data")
        with in_process(scenarios, scratch, embedder=embedder, llm=llm) as (base, admin_key):
            client = ScenarioClient(base, admin_key)
            try:
                return run_items(client, scenarios, items, on_outcome)
            finally:
                client.close()


def select(scenarios: ScenarioSet, only: list[str]) -> list[Item]:
    """Items whose id or category is in `only` (all when empty), whole conversations kept."""
    if not only:
        return list(scenarios.items)
    wanted = set(only)
    chosen = {i.conversation for i in scenarios.items if i.id in wanted and i.conversation}
    return [
        i
        for i in scenarios.items
        if i.id in wanted or i.category in wanted or (i.conversation and i.conversation in chosen)
    ]


def print_report(outcomes: list[Outcome], seconds: float, markdown: bool = False) -> None:
    """The pass table by category and overall, then each failure with its reasons."""
    rows = pass_table(outcomes)
    if markdown:
        console.print(markdown_table(rows), markup=False)
    else:
        table = Table("category", "passed", "total", "rate")
        for r in rows:
            table.add_row(r.category, str(r.passed), str(r.total), f"{r.rate:.0%}")
        console.print(table)
    failed = [o for o in outcomes if not o.passed]
    for o in failed:
        text = o.output.text.replace("\n", " ")[:160]
        console.print(f"[red]FAIL[/red] {o.item.id} ({o.item.category}): "
                      f"{'; '.join(o.failures)}", markup=True, highlight=False)  # fmt: skip
        if text:
            console.print(f"     got: {text}", markup=False, highlight=False)
    console.print(f"{len(outcomes)} items in {seconds:.0f} s")


def eval_scenarios(
    file: Annotated[Path, typer.Argument(help="A scenario file (benchmarks/scenarios/*.yaml).")],
    url: Annotated[str | None, typer.Option(help="Run against this server instead.")] = None,
    key: Annotated[str | None, typer.Option(help="An admin API key for --url.")] = None,
    in_process_: Annotated[
        bool, typer.Option("--in-process", help="Serve the app here (the default).")
    ] = True,
    only: Annotated[
        list[str] | None, typer.Option("--only", help="Item ids or categories (repeatable).")
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the details here.")] = None,
    markdown: Annotated[bool, typer.Option(help="Print the table as Markdown.")] = False,
) -> None:
    """Run a scenario suite through the HTTP API and print the pass table by category."""
    try:
        scenarios = load_scenarios(file)
    except (OSError, ValueError) as e:
        err.print(f"[red]error[/red]: {e}")
        raise typer.Exit(2) from e
    if url and not key:
        err.print("[red]error[/red]: --url needs --key (an admin key: it imports the fixture)")
        raise typer.Exit(2)
    items = select(scenarios, only or [])

    done: list[Outcome] = []
    started = time.monotonic()

    def write_json() -> None:
        if json_out:
            report = report_json(scenarios, done, time.monotonic() - started)
            json_out.write_text(json.dumps(report, ensure_ascii=False, indent=1), "utf-8")

    def progress(o: Outcome) -> None:
        done.append(o)
        mark = "[green]pass[/green]" if o.passed else "[red]FAIL[/red]"
        why = f"  {'; '.join(o.failures)}" if o.failures else ""
        err.print(f"{mark} {o.item.id} {o.output.seconds:.1f}s{why}", markup=True, highlight=False)
        write_json()  # as it goes: a long run interrupted still leaves its details

    outcomes = run_suite(scenarios, url=url, key=key, items=items, on_outcome=progress)
    seconds = time.monotonic() - started
    print_report(outcomes, seconds, markdown)
    write_json()
