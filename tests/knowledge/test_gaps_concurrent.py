"""The same unanswered question asked by several requests at once: counted once each, no
unique-key error (a load run found `UNIQUE constraint failed: knowledge_gaps.question_key`)."""

from __future__ import annotations

import threading
from pathlib import Path

from knowledge.db import make_engine, make_session_factory, migrate
from knowledge.journal import list_gaps, record_gap
from knowledge.settings import DatabaseSettings


def test_concurrent_gaps_are_all_counted(tmp_path: Path) -> None:
    engine = make_engine(DatabaseSettings(url=f"sqlite:///{tmp_path / 'k.db'}"))
    migrate(engine)
    sessions = make_session_factory(engine)
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def ask() -> None:
        start.wait()
        for _ in range(5):
            try:
                record_gap(sessions, "返品の送料は？", "ja")
            except BaseException as e:  # collected: a thread's exception is otherwise lost
                errors.append(e)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    gaps = list_gaps(sessions)
    assert [(g.question, g.count) for g in gaps] == [("返品の送料は？", 40)]
    assert record_gap(sessions, "返品の送料は?", "ja") == 41  # the same question, normalised
    engine.dispose()
