"""Indexer: incremental by content hash, deletes, check, reindex, and convergence after a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker

from knowledge.models import Interaction
from knowledge.settings import Settings
from retrieval.embedders import FakeEmbedder
from retrieval.service import Retrieval, build_retrieval
from retrieval.types import Scope
from tests.retrieval.conftest import add_article, add_customer, add_interaction


class CountingEmbedder(FakeEmbedder):
    """Counts what is embedded; can fail on a chosen call to simulate a crash mid-run."""

    def __init__(self, fail_on_call: int | None = None) -> None:
        super().__init__(64)
        self.name = "fake-64"
        self.texts = 0
        self.calls = 0
        self.fail_on_call = fail_on_call

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise RuntimeError("simulated crash mid-batch")
        self.texts += len(texts)
        return super().embed(texts)


def _fill(db: sessionmaker[Session], n: int = 30) -> list[int]:
    cid = add_customer(db)
    ids = [add_interaction(db, cid, f"問い合わせ{i}番。商品{i}について。" * 3) for i in range(n)]
    add_article(db, "返品", "30日以内なら返品できます。")
    return ids


def test_incremental_update_and_delete(rsettings: Settings, db: sessionmaker[Session]) -> None:
    ids = _fill(db)
    embedder = CountingEmbedder()
    r = build_retrieval(rsettings.retrieval, db, embedder=embedder)
    first = r.index(progress=False)
    assert first.records_indexed == 31 and r.check().ok
    embedded = embedder.texts
    again = r.index(progress=False)
    assert again.records_indexed == 0 and again.records_unchanged == 31
    assert embedder.texts == embedded  # unchanged records are never re-embedded
    with db.begin() as s:
        s.execute(
            update(Interaction).where(Interaction.id == ids[0]).values(body="新しい本文です。")
        )
        s.execute(delete(Interaction).where(Interaction.id == ids[1]))
    assert not r.check().ok  # stale and orphaned chunks are seen before the update
    report = r.index(progress=False)
    assert (report.records_indexed, report.records_deleted) == (1, 1)
    assert embedder.texts == embedded + 1
    assert r.check().ok
    cid = r.search("新しい本文", Scope.everything(), k=1)[0]
    assert cid.record_id == f"interaction:{ids[0]}"


def test_check_reports_missing_orphaned_stale(
    retrieval: Retrieval, db: sessionmaker[Session]
) -> None:
    ids = _fill(db, 5)
    retrieval.index(progress=False)
    retrieval.vectors.delete([f"interaction:{ids[0]}:0"])
    retrieval.keywords.delete([f"interaction:{ids[1]}:0"])
    with db.begin() as s:
        s.execute(update(Interaction).where(Interaction.id == ids[2]).values(body="変更"))
        s.execute(delete(Interaction).where(Interaction.id == ids[3]))
    report = retrieval.check()
    assert report.missing == sorted([f"interaction:{ids[0]}:0", f"interaction:{ids[1]}:0"])
    assert report.stale == [f"interaction:{ids[2]}:0"]
    assert report.orphaned == [f"interaction:{ids[3]}:0"]
    retrieval.index(progress=False)
    assert retrieval.check().ok


def test_a_record_moved_to_another_customer_is_stale_until_reindexed(
    retrieval: Retrieval, db: sessionmaker[Session]
) -> None:
    # 名寄せ moves records between customers: the owner is part of what the index compares.
    survivor, merged = add_customer(db, "山田 太郎"), add_customer(db, "ヤマダ タロウ")
    add_interaction(db, survivor, "請求書の再発行を依頼。")
    moved = add_interaction(db, merged, "化粧水のサンプルを希望。")
    retrieval.index(progress=False)
    with db.begin() as s:
        s.execute(update(Interaction).where(Interaction.id == moved).values(customer_id=survivor))
    assert retrieval.check().stale == [f"interaction:{moved}:0"]
    assert retrieval.index(progress=False).records_indexed == 1
    assert retrieval.check().ok
    hits = retrieval.search("サンプル", Scope.customer(survivor), mode="keyword")
    assert [h.record_id for h in hits] == [f"interaction:{moved}"]
    assert retrieval.search("サンプル", Scope.customer(merged), mode="keyword") == []


def test_reindex_rebuilds_everything(retrieval: Retrieval, db: sessionmaker[Session]) -> None:
    _fill(db, 10)
    retrieval.index(progress=False)
    report = retrieval.reindex(progress=False)
    assert report.records_indexed == 11
    check = retrieval.check()
    assert check.ok and check.vector_chunks == check.keyword_chunks == check.expected_chunks


def test_crash_mid_batch_then_rerun_converges(
    rsettings: Settings, db: sessionmaker[Session]
) -> None:
    cid = add_customer(db)
    for i in range(300):  # more than one batch of 256 chunks
        add_interaction(db, cid, f"記録{i}。")
    crashing = build_retrieval(rsettings.retrieval, db, embedder=CountingEmbedder(fail_on_call=2))
    with pytest.raises(RuntimeError, match="simulated crash"):
        crashing.index(progress=False)
    partial = crashing.check()
    assert partial.missing and not partial.ok
    r = build_retrieval(rsettings.retrieval, db, embedder=CountingEmbedder())
    report = r.index(progress=False)
    assert report.records_unchanged == 256 and report.records_indexed == 44
    assert r.check().ok


_SLOW_INDEX = textwrap.dedent(
    """
    import sys, time
    from knowledge.db import make_engine, make_session_factory
    from knowledge.settings import Settings
    from retrieval.embedders import FakeEmbedder
    from retrieval.service import build_retrieval

    class Slow(FakeEmbedder):
        def embed(self, texts):
            if len(texts) > 1:
                print("batch", flush=True)
                time.sleep(1.0)
            return super().embed(texts)

    settings = Settings.model_validate_json(sys.argv[1])
    sessions = make_session_factory(make_engine(settings.database))
    emb = Slow(64)
    emb.name = "fake-64"
    build_retrieval(settings.retrieval, sessions, embedder=emb).index(progress=False)
    """
)


@pytest.mark.slow
def test_killed_process_then_rerun_converges(
    rsettings: Settings, db: sessionmaker[Session], tmp_path: Path
) -> None:
    """A real `kill -9` of an indexing process mid-run; the next run repairs everything."""
    cid = add_customer(db)
    for i in range(1200):
        add_interaction(db, cid, f"長い記録{i}。内容は{i}です。")
    rsettings.database.url = str(db.kw["bind"].url)
    script = tmp_path / "slow_index.py"
    script.write_text(_SLOW_INDEX)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen(
        [sys.executable, str(script), rsettings.model_dump_json()],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    batches = 0
    deadline = time.monotonic() + 60
    while batches < 3 and time.monotonic() < deadline:
        if proc.stdout.readline().startswith("batch"):
            batches += 1
    time.sleep(0.2)  # inside the third batch's embed: two batches written, one in flight
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    r = build_retrieval(rsettings.retrieval, db, embedder=CountingEmbedder())
    assert not r.check().ok
    report = r.index(progress=False)
    assert 0 < report.records_unchanged < 1200
    assert r.check().ok


def test_old_keyword_layout_is_rebuilt_then_refilled(
    retrieval: Retrieval, db: sessionmaker[Session]
) -> None:
    from retrieval.keyword import KeywordIndex

    _fill(db, 3)
    retrieval.index(progress=False)
    path = retrieval.keywords.path
    with retrieval.keywords._db as conn:
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    retrieval.keywords.close()
    retrieval.keywords = KeywordIndex(path)
    assert retrieval.keywords.count() == 0
    assert len(retrieval.check().missing) == 4
    report = retrieval.index(progress=False)
    assert report.records_indexed == 4 and report.chunks_embedded == 0  # vectors were current
    assert retrieval.check().ok


@pytest.mark.slow
def test_child_process_embedding_gives_the_same_index(
    rsettings: Settings, db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    import numpy as np

    from retrieval import indexer

    monkeypatch.setattr(indexer, "BATCH_CHUNKS", 2)  # several batches: the child is started
    started: list[object] = []
    real_worker = indexer.EmbedWorker

    def spy(settings: object) -> object:
        started.append(settings)
        return real_worker(settings)  # type: ignore[arg-type]

    monkeypatch.setattr(indexer, "EmbedWorker", spy)
    _fill(db, 8)

    def vectors(child: bool) -> dict[str, list[float]]:
        settings = rsettings.model_copy(deep=True)
        settings.retrieval.embed_process = child
        settings.retrieval.collection += "c" if child else "p"
        r = build_retrieval(settings.retrieval, db)  # the embedder named by the settings
        report = r.index(progress=False)
        assert r.check().ok and report.embed_seconds > 0
        got = r.vectors.collection.get(include=["embeddings"])
        return dict(zip(got["ids"], np.asarray(got["embeddings"]).tolist(), strict=True))

    in_child, in_process = vectors(True), vectors(False)
    assert len(started) == 1  # one child for the whole run, none when switched off
    assert in_child.keys() == in_process.keys()
    for chunk_id, vector in in_child.items():
        assert np.allclose(vector, in_process[chunk_id], atol=1e-6)


_INDEX = textwrap.dedent(
    """
    import sys
    from knowledge.db import make_engine, make_session_factory
    from knowledge.settings import Settings
    from retrieval.embedders import FakeEmbedder
    from retrieval.service import build_retrieval

    settings = Settings.model_validate_json(sys.argv[1])
    emb = FakeEmbedder(64)
    emb.name = "fake-64"
    sessions = make_session_factory(make_engine(settings.database))
    build_retrieval(settings.retrieval, sessions, embedder=emb).index(progress=False)
    """
)


@pytest.mark.slow
def test_a_chroma_file_left_empty_by_a_kill_is_rebuilt_from_sql(
    rsettings: Settings, db: sessionmaker[Session], tmp_path: Path
) -> None:
    """A kill -9 while Chroma persisted its HNSW files left index_metadata.pickle empty (the
    crash benchmark); every read then failed. The next index run rebuilds the vector side."""
    if rsettings.retrieval.chroma_host:
        pytest.skip("the files of an embedded Chroma")
    cid = add_customer(db)
    for i in range(1500):
        add_interaction(db, cid, f"記録{i}。内容は{i}です。")
    rsettings.database.url = str(db.kw["bind"].url)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    subprocess.run([sys.executable, "-c", _INDEX, rsettings.model_dump_json()], env=env, check=True)
    pickles = list(Path(rsettings.retrieval.chroma_path).rglob("index_metadata.pickle"))
    assert pickles, "Chroma wrote no HNSW files for 1500 records"
    for pickle in pickles:
        pickle.write_bytes(b"")  # as the killed process left it
    subprocess.run(  # a fresh process, as after a restart: the first read fails, then rebuilds
        [sys.executable, "-c", _INDEX, rsettings.model_dump_json()], env=env, check=True
    )
    r = build_retrieval(rsettings.retrieval, db, embedder=CountingEmbedder())
    report = r.check()
    assert report.ok and report.vector_chunks == report.expected_chunks == 1500
