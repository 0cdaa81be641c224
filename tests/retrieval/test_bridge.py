"""The cross-lingual keyword bridge, with a deterministic bilingual test embedder."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy.orm import Session, sessionmaker

from knowledge.settings import Settings
from retrieval.embedders import FakeEmbedder
from retrieval.service import Retrieval, build_retrieval
from retrieval.tokenize import tokenize_words
from retrieval.types import Scope
from tests.retrieval.conftest import add_customer, add_interaction

# Words of one concept share a vector; everything else gets a hashed vector far from them.
CONCEPTS = [("refund", "返金"), ("invoices", "請求"), ("shipping", "配送")]


class LexiconEmbedder:
    name = "lexicon-test"
    dimension = 64

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self._fallback = FakeEmbedder(self.dimension - len(CONCEPTS))

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            concept = next((i for i, pair in enumerate(CONCEPTS) if text in pair), None)
            if concept is not None:
                out[row, concept] = 1.0
            else:
                out[row, len(CONCEPTS) :] = self._fallback.embed([text])[0]
        return out


@pytest.fixture
def lexicon_retrieval(
    rsettings: Settings, db: sessionmaker[Session]
) -> Iterator[tuple[Retrieval, LexiconEmbedder]]:
    embedder = LexiconEmbedder()
    r = build_retrieval(rsettings.retrieval, db, embedder=embedder)
    yield r, embedder
    r.keywords.close()


def _groups(r: Retrieval, query: str) -> list[dict[str, float]]:
    assert r.bridge is not None
    words = list(dict.fromkeys(word for _, word in tokenize_words(query)))
    return r.bridge.groups(words, r.embedder.embed(words), r.keywords)


def _no_vector_side(monkeypatch: pytest.MonkeyPatch, r: Retrieval) -> None:
    # Leave only the keyword rankings, so what the bridge adds is seen on its own.
    monkeypatch.setattr(r.vectors, "nearest_among", lambda *a, **k: [])
    monkeypatch.setattr(r.vectors, "query", lambda *a, **k: [])


def test_english_question_finds_japanese_note_through_the_bridge(
    lexicon_retrieval: tuple[Retrieval, LexiconEmbedder],
    db: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r, _ = lexicon_retrieval
    me, other = add_customer(db, "山田 太郎"), add_customer(db, "佐藤 花子")
    wanted = add_interaction(db, me, "先月の注文について返金をお願いしました。")
    add_interaction(db, me, "新しい色の口紅を探しています。")
    add_interaction(db, other, "返金はまだですか。")  # same term, another customer
    r.index(progress=False)
    _no_vector_side(monkeypatch, r)

    assert r.search("refund", Scope.customer(me), k=5, mode="keyword") == []
    hits = r.search("refund", Scope.customer(me), k=5)
    assert [h.record_id for h in hits] == [f"interaction:{wanted}"]
    assert hits[0].sources == ("bridge",)
    assert all(h.customer_id == me for h in hits)


def test_japanese_question_reaches_english_stems_through_their_words(
    lexicon_retrieval: tuple[Retrieval, LexiconEmbedder],
    db: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r, _ = lexicon_retrieval
    cid = add_customer(db)
    wanted = add_interaction(db, cid, "Two invoices were sent twice.", language="en")
    add_interaction(db, cid, "The invoices for March are fine.", language="en")
    add_interaction(db, cid, "Please call me next week.", language="en")
    r.index(progress=False)
    _no_vector_side(monkeypatch, r)

    # "invoic" (the stem) was embedded as "invoices", the word seen in the texts
    assert r.bridge is not None
    assert _groups(r, "請求") == [{"invoic": pytest.approx(1.0)}]
    hits = r.search("請求が二重です", Scope.customer(cid), k=5)
    assert f"interaction:{wanted}" in [h.record_id for h in hits]
    assert all("bridge" in h.sources for h in hits)


def test_unmapped_words_count_against_coverage(
    lexicon_retrieval: tuple[Retrieval, LexiconEmbedder], db: sessionmaker[Session]
) -> None:
    r, _ = lexicon_retrieval
    cid = add_customer(db)
    add_interaction(db, cid, "返金の件です。")
    add_interaction(db, cid, "返金をお願いします。")
    r.index(progress=False)
    assert r.bridge is not None
    groups = _groups(r, "refund lipstick")
    assert groups == [{"返金": pytest.approx(1.0)}, {}]
    found = r.keywords.search_terms(groups, lambda cols: cols["customer_id"] == cid, 5)
    assert found and all(coverage == pytest.approx(0.5) for _, _, coverage, _, _ in found)


def test_terms_are_embedded_once_and_new_terms_only(
    lexicon_retrieval: tuple[Retrieval, LexiconEmbedder], db: sessionmaker[Session]
) -> None:
    r, embedder = lexicon_retrieval
    cid = add_customer(db)
    for _ in range(2):
        add_interaction(db, cid, "配送が遅れています。")
    r.index(progress=False)
    assert r.bridge is not None
    assert r.bridge.refresh(r.keywords) == 0  # the indexer already embedded every term
    embedded = {t for batch in embedder.calls for t in batch}
    assert "配送" in embedded

    embedder.calls.clear()
    for _ in range(2):
        add_interaction(db, cid, "返金を希望します。")
    r.index(progress=False)
    new_terms = {t for batch in embedder.calls for t in batch if len(batch) > 0}
    assert "返金" in new_terms and "配送" not in new_terms


def test_bridge_off_by_setting(
    rsettings: Settings, db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    rsettings.retrieval.bridge_weight = 0
    r = build_retrieval(rsettings.retrieval, db, embedder=LexiconEmbedder())
    cid = add_customer(db)
    for _ in range(2):
        add_interaction(db, cid, "返金をお願いしました。")
    r.index(progress=False)
    _no_vector_side(monkeypatch, r)
    assert r.search("refund", Scope.customer(cid), k=5) == []
    r.keywords.close()


def test_a_replaced_embedder_gets_its_own_term_vectors(
    lexicon_retrieval: tuple[Retrieval, LexiconEmbedder], db: sessionmaker[Session]
) -> None:
    r, _ = lexicon_retrieval
    cid = add_customer(db)
    for _ in range(2):
        add_interaction(db, cid, "返金をお願いしました。")
    r.index(progress=False)
    assert _groups(r, "refund") == [{"返金": pytest.approx(1.0)}]
    assert r.bridge is not None
    # A benchmark swaps in another model: the cached vectors of the old one must not be used.
    r.embedder = r.bridge.embedder = FakeEmbedder(LexiconEmbedder.dimension)
    assert r.bridge.refresh(r.keywords) > 0
    assert _groups(r, "refund") == [{}]
