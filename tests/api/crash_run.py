"""Crash runs: kill -9 an import of N records at a random moment, restart, re-run, compare.

Two ways in: the CLI (`kizuna import DIR`, then `kizuna index`) and the API (`kizuna serve`
with POST /ingest batches; on restart the server enriches and indexes what the killed one
left undone). After the re-run, the SQL rows and both indexes' entries must be the same sets
as a clean run's, `kizuna index check` clean and SQLite's integrity check ok on every
database file. Shared by tests/api/test_crash.py (few runs) and benchmarks/bench_crash.py.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from knowledge.apikeys import create_key
from knowledge.db import make_engine, make_session_factory, migrate
from knowledge.settings import Settings
from tests.api.live import free_port
from tests.api.load_run import start_server

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "crash-crm"
BATCH = 1000
NOT_COMPARED = {"import_runs", "alembic_version", "api_keys"}  # logs of the runs themselves
CLI = [sys.executable, "-c", "from api.cli.main import run; run()"]


def write_records(folder: Path, n: int) -> dict[str, list[dict[str, Any]]]:
    """n canonical records (a fifth customers, the rest their interactions) as JSONL files."""
    folder.mkdir(parents=True, exist_ok=True)
    customers = n // 5
    records: dict[str, list[dict[str, Any]]] = {
        "customer": [
            {"external_id": f"C{i}", "name": f"顧客 {i} Customer", "email": f"c{i}@example.jp"}
            for i in range(customers)
        ],
        "interaction": [
            {
                "external_id": f"I{i}",
                "customer_external_id": f"C{i % customers}",
                "kind": "inquiry" if i % 2 else "email",
                "occurred_at": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00+09:00",
                "subject": f"注文 {i} について",
                "body": f"お問い合わせ {i}: 商品 {i % 97} の配送について。Order {i} arrived late.",
                "language": "ja",
            }
            for i in range(n - customers)
        ],
    }
    for entity, rows in records.items():
        with (folder / f"{entity}s.jsonl").open("w", encoding="utf-8") as out:
            out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    return records


def env_for(data_dir: Path) -> dict[str, str]:
    """The environment of every Kizuna process of one run: its data dir, fake models."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "HF_HUB_OFFLINE": "1",
        "KIZUNA_ENVIRONMENT": "test",
        "KIZUNA_DATA_DIR": str(data_dir),
        "KIZUNA_RETRIEVAL__EMBEDDER": "fake-64",
        "KIZUNA_RETRIEVAL__EMBED_PROCESS": "false",
        "KIZUNA_LLM__MODE": "fake",
        "KIZUNA_IMPORTS__PROGRESS": "false",
        "KIZUNA_API__GENERATIONS_PER_MINUTE": "0",
    }


def cli(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*CLI, *args], env=env_for(data_dir), capture_output=True, text=True, timeout=1800
    )
    if check and done.returncode != 0:
        raise RuntimeError(
            f"kizuna {' '.join(args)} failed: {done.stdout[-1500:]}{done.stderr[-1500:]}"
        )
    return done


# --- what a run leaves -----------------------------------------------------------------


def snapshot(data_dir: Path) -> dict[str, Any]:
    """Rows per table, the source records' keys and hashes, and both indexes' entries."""
    from retrieval.service import build_retrieval

    db = sqlite3.connect(data_dir / "kizuna.db")
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        counts = {
            t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
            for t in sorted(tables)
            if t not in NOT_COMPARED
        }
        sources = set(
            db.execute("SELECT entity, source, external_id, content_hash FROM source_records")
        )
        enriched = db.execute(
            "SELECT COUNT(*) FROM interactions WHERE enriched_at IS NOT NULL"
        ).fetchone()[0]
    finally:
        db.close()
    settings = Settings(environment="test", data_dir=data_dir)
    settings.retrieval.embedder = "fake-64"
    engine = make_engine(settings.database)
    try:
        retrieval = build_retrieval(settings.retrieval, make_session_factory(engine))
        vectors = {(c, h) for c, (_r, h) in retrieval.vectors.hashes().items()}
        keywords = {(c, h) for c, (_r, h) in retrieval.keywords.hashes().items()}
    finally:
        engine.dispose()
    return {
        "counts": counts,
        "sources": sources,
        "enriched": enriched,
        "vectors": vectors,
        "keywords": keywords,
    }


def integrity(data_dir: Path) -> list[str]:
    """Every SQLite file under data_dir whose PRAGMA integrity_check is not 'ok'."""
    bad = []
    for path in sorted(data_dir.rglob("*")):
        if path.suffix not in (".db", ".sqlite3") or not path.is_file():
            continue
        db = sqlite3.connect(path)
        try:
            result = db.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            db.close()
        if result != "ok":
            bad.append(f"{path.relative_to(data_dir)}: {result}")
    return bad


def differences(clean: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What differs between a clean run's snapshot and a crashed-and-rerun one."""
    out = []
    for table, n in clean["counts"].items():
        if after["counts"].get(table) != n:
            out.append(f"table {table}: {after['counts'].get(table)} rows, clean run {n}")
    for key in ("sources", "vectors", "keywords"):
        missing, extra = clean[key] - after[key], after[key] - clean[key]
        if missing or extra:
            out.append(f"{key}: {len(missing)} missing, {len(extra)} extra")
    if clean["enriched"] != after["enriched"]:
        out.append(f"enriched interactions: {after['enriched']}, clean run {clean['enriched']}")
    return out


# --- the two ways in --------------------------------------------------------------------


@dataclass
class Outcome:
    """One crash run."""

    way: str
    kill_at_s: float
    killed: bool  # False: the process had already finished when the kill came
    differences: list[str] = field(default_factory=list)
    index_check: str = ""
    integrity: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences and not self.integrity and self.index_check == "clean"


def clean_cli(work: Path, records: Path) -> tuple[dict[str, Any], float, tuple[float, float]]:
    """A clean CLI import and index: its snapshot, how long the import command took, and
    when (seconds after its start) it wrote rows: the rest is start-up and enrichment."""
    data = work / "clean"
    started, wall = time.monotonic(), time.time()
    cli(data, "import", str(records), "--source", SOURCE)
    took = time.monotonic() - started
    cli(data, "index", "--no-progress")
    db = sqlite3.connect(data / "kizuna.db")
    try:
        first, last = db.execute(
            "SELECT MIN(started_at), MAX(finished_at) FROM import_runs"
        ).fetchone()
    finally:
        db.close()

    def since_start(stamp: str) -> float:
        when = datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp()
        return max(0.5, when - wall)

    return snapshot(data), took, (since_start(first), since_start(last))


def _kill_after(proc: subprocess.Popen[Any], seconds: float) -> bool:
    time.sleep(seconds)
    if proc.poll() is not None:
        return False
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return True


def _finish(out: Outcome, data: Path, clean: dict[str, Any]) -> Outcome:
    check = cli(data, "index", "check", check=False)
    out.index_check = "clean" if check.returncode == 0 else check.stdout.strip()[-500:]
    out.integrity = integrity(data)
    out.differences = differences(clean, snapshot(data))
    return out


def crash_cli(work: Path, records: Path, clean: dict[str, Any], kill_at: float) -> Outcome:
    """kill -9 `kizuna import` after kill_at s; then import again, index, compare."""
    data = work / f"cli-{kill_at:.2f}"
    proc = subprocess.Popen(
        [*CLI, "import", str(records), "--source", SOURCE],
        env=env_for(data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    out = Outcome("cli", kill_at, _kill_after(proc, kill_at))
    if not out.killed and proc.returncode != 0:
        out.differences.append(f"the import failed (exit {proc.returncode}) before the kill")
    cli(data, "import", str(records), "--source", SOURCE)
    cli(data, "index", "--no-progress")
    return _finish(out, data, clean)


def _admin_key(data: Path) -> str:
    settings = Settings(environment="test", data_dir=data)
    engine = make_engine(settings.database)
    try:
        migrate(engine)
        return create_key(make_session_factory(engine), name="crash", role="admin")[1]
    finally:
        engine.dispose()


def _serve(data: Path, port: int) -> subprocess.Popen[bytes]:
    return start_server(env_for(data), port, data / "server.log")


def _send_all(port: int, key: str, records: dict[str, list[dict[str, Any]]]) -> float:
    """POST /ingest every record in batches; stops quietly when the server is gone.
    Returns the seconds it took."""
    started = time.monotonic()
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600, headers=headers) as c:
        for entity in ("customer", "interaction"):
            rows = records[entity]
            for start in range(0, len(rows), BATCH):
                body = {"source": SOURCE, "entity": entity, "records": rows[start : start + BATCH]}
                try:
                    r = c.post("/ingest", json=body)
                except httpx.HTTPError:
                    return time.monotonic() - started
                if r.status_code != 200:
                    raise RuntimeError(f"/ingest answered {r.status_code}: {r.text[:500]}")
    return time.monotonic() - started


def _wait_settled(port: int, timeout: float = 1800) -> None:
    """Until the server's background enrich-and-index pass is idle twice in a row."""
    deadline = time.monotonic() + timeout
    idle = 0
    while time.monotonic() < deadline:
        state = httpx.get(f"http://127.0.0.1:{port}/ready", timeout=30).json()["index_refresh"]
        idle = idle + 1 if state == "idle" else 0
        if idle >= 2:
            return
        time.sleep(0.5)
    raise RuntimeError("the server's index refresh did not settle")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def api_pass(data: Path, records: dict[str, list[dict[str, Any]]], key: str) -> None:
    """Serve, ingest everything, wait for enrichment and indexing, stop."""
    port = free_port()
    proc = _serve(data, port)
    try:
        _send_all(port, key, records)
        _wait_settled(port)
    finally:
        _stop(proc)


def crash_api(
    work: Path, records: dict[str, list[dict[str, Any]]], clean: dict[str, Any], kill_at: float
) -> Outcome:
    """kill -9 `kizuna serve` kill_at s into the ingest; restart, ingest again, compare."""
    data = work / f"api-{kill_at:.2f}"
    key = _admin_key(data)
    port = free_port()
    proc = _serve(data, port)
    sender = threading.Thread(target=_send_all, args=(port, key, records), daemon=True)
    sender.start()
    out = Outcome("api", kill_at, _kill_after(proc, kill_at))  # type: ignore[arg-type]
    sender.join(60)
    api_pass(data, records, key)
    return _finish(out, data, clean)


def clean_api_seconds(work: Path, records: dict[str, list[dict[str, Any]]]) -> tuple[float, float]:
    """How long a clean API ingest takes: (sending the batches, with the refresh after)."""
    data = work / "api-clean"
    key = _admin_key(data)
    port = free_port()
    proc = _serve(data, port)
    try:
        started = time.monotonic()
        sending = _send_all(port, key, records)
        _wait_settled(port)
        return sending, time.monotonic() - started
    finally:
        _stop(proc)


def run_crashes(
    work: Path,
    n_records: int,
    runs: int,
    seed: int = 0,
    report: Callable[[str], None] = lambda line: None,
) -> list[Outcome]:
    """`runs` crash runs, alternating CLI and API, each killed at a random moment."""
    rng = random.Random(seed)
    folder = work / "records"
    records = write_records(folder, n_records)
    clean, import_s, (write_from, write_to) = clean_cli(work, folder)
    sending_s, api_s = clean_api_seconds(work, records)
    report(
        f"clean runs: CLI import {import_s:.1f} s (rows written {write_from:.1f}-{write_to:.1f} s),"
        f" API ingest {sending_s:.1f} s, with enrichment and indexing {api_s:.1f} s"
    )
    outcomes = []
    for n in range(runs):
        # Every other kill of each way lands while rows are written; the rest anywhere in the
        # run (start-up, enrichment, indexing).
        while_writing = n % 4 < 2
        if n % 2 == 0:
            window = (write_from, write_to) if while_writing else (0.5, import_s)
            out = crash_cli(work, folder, clean, rng.uniform(*window))
        else:
            window = (0.5, sending_s) if while_writing else (0.5, api_s)
            out = crash_api(work, records, clean, rng.uniform(*window))
        outcomes.append(out)
        report(describe(n + 1, out))
    return outcomes


def describe(n: int, o: Outcome) -> str:
    """One line about one crash run."""
    when = f"killed at {o.kill_at_s:5.1f} s" if o.killed else f"done before {o.kill_at_s:.1f} s"
    state = "ok" if o.ok else f"DIFFERS: {o.differences} {o.integrity} {o.index_check}"
    return f"run {n:2d} {o.way:3s} {when}: {state}"
