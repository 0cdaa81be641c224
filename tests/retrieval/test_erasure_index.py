"""Chroma keeps the text of deleted chunks in its write log: forget_deleted removes it, and the
store still opens and replays correctly afterwards (embedded Chroma, a fresh process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from knowledge.settings import RetrievalSettings
from retrieval.chunking import Chunk
from retrieval.vector_store import VectorStore, forget_deleted, make_chroma_client

REOPEN = """
import json, sys
from knowledge.settings import RetrievalSettings
from retrieval.vector_store import VectorStore, make_chroma_client
client = make_chroma_client(RetrievalSettings(chroma_path=sys.argv[1]))
store = VectorStore(client, "erasure", "fake-8")
print(json.dumps({i: t for i, (t, _) in store.get(["gone", "back", "kept"]).items()}))
"""


def chunk(chunk_id: str, text: str) -> Chunk:
    meta = {"record_id": chunk_id, "record_hash": "h", "customer_id": 1}
    return Chunk(chunk_id, chunk_id, 0, text, None, "h", meta)


def on_disk(root: Path, text: str) -> bool:
    return any(p.is_file() and text.encode() in p.read_bytes() for p in root.rglob("*"))


def test_deleted_chunks_leave_chroma_and_the_store_still_replays(tmp_path: Path) -> None:
    path = tmp_path / "chroma"
    store = VectorStore(
        make_chroma_client(RetrievalSettings(chroma_path=str(path))), "erasure", "fake-8"
    )
    texts = {"gone": "zqgone note", "back": "zqback note", "kept": "zqkept note"}
    store.upsert([chunk(i, t) for i, t in texts.items()], np.random.rand(3, 8))
    store.delete(["gone", "back"])
    store.upsert([chunk("back", texts["back"])], np.random.rand(1, 8))  # written again
    assert on_disk(path, "zqgone"), "Chroma's log holds the deleted text: the test proves nothing"

    assert forget_deleted(path) == 2  # the adds of "gone" and the first "back"
    assert not on_disk(path, "zqgone")
    assert on_disk(path, "zqback") and on_disk(path, "zqkept")
    root = str(Path(__file__).resolve().parents[2])
    reopened = subprocess.run(
        [sys.executable, "-c", REOPEN, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": root, "ANONYMIZED_TELEMETRY": "False"},
    )
    assert json.loads(reopened.stdout.strip().splitlines()[-1]) == {
        "back": texts["back"],
        "kept": texts["kept"],
    }
    assert forget_deleted(tmp_path / "nothing-here") == 0
