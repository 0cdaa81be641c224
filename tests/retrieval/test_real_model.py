"""The real default embedder (USE multilingual) on the bilingual labelled set.

Integration: loads the packaged model and embeds ~60 texts (about 10 s on 2 cores).
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from knowledge.settings import Settings
from retrieval.evaluation import evaluate, parse_question
from retrieval.service import build_retrieval
from retrieval.types import Scope
from tests.retrieval.bilingual import load_bilingual

pytestmark = pytest.mark.integration


def test_hybrid_with_real_model_ja_en_and_cross_lingual(
    rsettings: Settings, db: sessionmaker[Session]
) -> None:
    rsettings.retrieval.embedder = "use-multilingual"
    questions = load_bilingual(db)
    retrieval = build_retrieval(rsettings.retrieval, db)
    retrieval.index(progress=False)
    assert retrieval.check().ok
    report = evaluate(retrieval, [parse_question(q, f"q{i}") for i, q in enumerate(questions)])
    for category in ("ja", "en", "cross"):
        hybrid = report.table["hybrid"][category].recall_at_5
        assert hybrid >= report.table["keyword"][category].recall_at_5
        assert hybrid >= 0.9, (category, hybrid)
    # the keyword side alone cannot cross languages; hybrid does
    assert report.table["keyword"]["cross"].recall_at_5 < 0.2
    # an English question finds the Japanese note, inside the customer's scope only
    cid = questions[0]["scope"]["customer_id"]
    hits = retrieval.search("my package is late", Scope.customer(cid), k=3)
    assert any("届いていません" in h.text for h in hits)
    assert all(h.customer_id == cid for h in hits)
