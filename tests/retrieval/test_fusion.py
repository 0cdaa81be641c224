"""Fusion of the rankers: adaptive z-score fusion, its per-query weights, and the caches that
keep knowledge-base search cheap (vectors in memory, bridge word mappings, sentence tokens)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from knowledge.settings import RetrievalSettings, Settings
from retrieval.errors import QuestionsFileError
from retrieval.evaluation import evaluate
from retrieval.labelled_sets import load_article_set, load_jaquad
from retrieval.search import (
    Candidate,
    FusionWeights,
    _record_gap,
    _z_scores,
    fuse,
    fuse_adaptive,
    fuse_rrf,
    rrf,
)
from retrieval.service import Retrieval, build_retrieval
from retrieval.types import Scope
from tests.retrieval.conftest import add_article
from tests.retrieval.test_bridge import LexiconEmbedder

SUPPORT_EN = Path(__file__).parent / "data" / "support_en"


def _side(*scores: float, coverage: float = 1.0, prefix: str = "c") -> list[Candidate]:
    return [Candidate(f"{prefix}{i}", s, coverage, f"r{prefix}{i}") for i, s in enumerate(scores)]


def _order(fused: dict[str, tuple[float, tuple[str, ...]]]) -> list[str]:
    return sorted(fused, key=lambda c: (-fused[c][0], c))


def test_z_scores_clip_below_the_mean_and_handle_short_lists() -> None:
    z = _z_scores(_side(3.0, 2.0, 1.0))
    assert z[0] == pytest.approx(1.2247, abs=1e-3) and z[1] == 0.0 and z[2] == 0.0
    assert _z_scores(_side(5.0)) == [1.0]
    assert _z_scores([]) == []
    assert _z_scores(_side(2.0, 2.0, 2.0)) == [0.0, 0.0, 0.0]
    # A lone keyword hit among a pool of ten candidates stands far out (the rest hold none
    # of the query's words); a floor on the spread keeps tiny cosine differences small.
    assert _z_scores(_side(4.0), pool=10)[0] == pytest.approx(3.0)
    flat = _side(0.40, 0.39, 0.38)
    assert _z_scores(flat, floor=0.05)[0] == pytest.approx(0.2)
    assert _z_scores(flat)[0] == pytest.approx(1.2247, abs=1e-3)


def test_record_gap_skips_other_chunks_of_the_same_record() -> None:
    same = [
        Candidate("a:1", 10.0, 1.0, "a"),
        Candidate("a:2", 9.5, 1.0, "a"),
        Candidate("b:1", 4.0, 1.0, "b"),
    ]
    assert _record_gap(same) == 6.0
    assert _record_gap([Candidate("a:1", 3.0, 1.0, "a")]) == 3.0


def test_confident_keyword_side_is_not_outvoted_by_a_noisy_vector_side() -> None:
    """The keyword side has a clear winner holding every query word; the vector side's scores
    are flat (cosines within 0.02) and put another chunk first: fusion keeps the keyword's."""
    keyword = [Candidate("k", 12.0, 1.0, "rk"), *_side(4.0, 3.9, 3.8, 3.7, coverage=0.3)]
    vector = [
        Candidate("v", 0.52, 1.0, "rv"),
        Candidate("c1", 0.515, 1.0, "rc1"),
        Candidate("k", 0.51, 1.0, "rk"),
        *_side(0.505, 0.50, 0.50, prefix="w"),
    ]
    settings = RetrievalSettings()
    adaptive = fuse_adaptive({"vector": vector, "keyword": keyword}, settings)
    assert _order(adaptive)[0] == "k"
    assert set(adaptive["k"][1]) == {"vector", "keyword"}


def test_confident_vector_side_wins_over_weak_partial_keyword_matches() -> None:
    """A paraphrase: the keyword side matches only one word of the query (coverage 0.25) in
    several chunks, while the vector side clearly prefers one chunk."""
    keyword = _side(5.0, 4.8, 4.7, 4.6, coverage=0.25, prefix="k")
    vector = [Candidate("v", 0.70, 1.0, "rv"), *_side(0.40, 0.39, 0.38, 0.37, prefix="w")]
    fused = fuse_adaptive({"vector": vector, "keyword": keyword}, RetrievalSettings())
    assert _order(fused)[0] == "v"


def test_strong_keyword_evidence_takes_weight_from_the_vector_side() -> None:
    """The same vector side counts less when the keyword side is confident."""
    vector = [Candidate("v", 0.7, 1.0, "rv"), *_side(0.4, 0.39, 0.38, prefix="w")]
    confident = [Candidate("k", 10.0, 1.0, "rk"), *_side(2.0, 1.9, prefix="x")]
    unsure = [Candidate("k", 10.0, 1.0, "rk"), *_side(10.0, 9.8, prefix="x")]
    settings = RetrievalSettings()
    with_confident = fuse_adaptive({"vector": vector, "keyword": confident}, settings)
    with_unsure = fuse_adaptive({"vector": vector, "keyword": unsure}, settings)
    assert with_confident["v"][0] < with_unsure["v"][0]
    no_yield = fuse_adaptive(
        {"vector": vector, "keyword": confident}, settings, FusionWeights(vector_yield=0.0)
    )
    assert no_yield["v"][0] == pytest.approx(with_unsure["v"][0])


def test_a_weak_bridge_hit_breaks_a_near_tie_of_the_vector_side() -> None:
    """Cross-lingual, from the demo ("Which foundation shade did we swap her to?"): the vector
    side puts the right note second, the bridge found it through one mapped word of four."""
    vector = [
        Candidate("a", 0.403, 1.0, "ra"),
        Candidate("b", 0.348, 1.0, "rb"),
        Candidate("c", 0.211, 1.0, "rc"),
        Candidate("d", 0.111, 1.0, "rd"),
    ]
    bridge = [Candidate("b", 1.65, 0.25, "rb")]
    fused = fuse_adaptive({"vector": vector, "keyword": [], "bridge": bridge}, RetrievalSettings())
    assert _order(fused)[:2] == ["b", "a"]
    assert fused["b"][1] == ("vector", "bridge")


def test_candidates_below_every_mean_keep_their_rank_order() -> None:
    fused = fuse_adaptive({"vector": _side(0.9, 0.1, 0.1, 0.1, 0.1)}, RetrievalSettings())
    assert _order(fused) == ["c0", "c1", "c2", "c3", "c4"]


def test_rrf_setting_keeps_the_earlier_fusion() -> None:
    sides = {
        "vector": _side(0.9, 0.8, prefix="a"),
        "keyword": [Candidate("a1", 3.0, 0.5, "ra1"), Candidate("b", 2.0, 1.0, "rb")],
    }
    settings = RetrievalSettings(fusion="rrf")
    expected = rrf(
        {"vector": ["a0", "a1"], "keyword": ["a1", "b"]},
        60,
        {"keyword": {"a1": 0.25, "b": 1.0}},
    )
    assert fuse(sides, settings) == expected == fuse_rrf(sides, settings)


# -- the knowledge-base path: vectors held in memory ---------------------------------------


def test_kb_vector_search_is_exact_and_follows_index_changes(
    retrieval: Retrieval, db: sessionmaker[Session]
) -> None:
    ids = [
        add_article(db, f"記事{i}", f"配送と返品の案内その{i}。番号{i * 7}。") for i in range(12)
    ]
    retrieval.index(progress=False)
    query = "配送 返品 番号21"
    hits = retrieval.search(query, Scope.knowledge_base(), k=12, mode="vector")
    q = retrieval.embedder.embed([query])[0]
    texts = {
        f"article:{i}": f"記事{n}\n配送と返品の案内その{n}。番号{n * 7}。"
        for n, i in enumerate(ids)
    }
    assert [h.record_id for h in hits][:1] == [
        max(texts, key=lambda r: float(retrieval.embedder.embed([texts[r]])[0] @ q))
    ]
    assert {h.record_id for h in hits} == set(texts)
    # A new article is seen by the next search (the in-memory vectors follow the index).
    new = add_article(db, "新着", "配送 返品 番号21 の専用窓口。")
    retrieval.index(progress=False)
    after = retrieval.search(query, Scope.knowledge_base(), k=3, mode="vector")
    assert after[0].record_id == f"article:{new}"


def test_kb_search_reads_vectors_from_chroma_once_per_index_version(
    retrieval: Retrieval, db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [add_article(db, f"FAQ{i}", f"質問{i}への回答です。") for i in range(5)]
    retrieval.index(progress=False)
    # One chunk in the keyword table but not (yet) in Chroma: asked for once, not every search.
    retrieval.vectors.delete([f"article:{ids[0]}:0"])
    reads: list[int] = []
    real_get = retrieval.vectors.collection.get

    def counting_get(*args: Any, **kwargs: Any) -> Any:
        reads.append(len(kwargs.get("ids") or []))
        return real_get(*args, **kwargs)

    monkeypatch.setattr(retrieval.vectors.collection, "get", counting_get)
    for query in ("質問1", "回答", "質問3 回答"):
        assert retrieval.search(query, Scope.knowledge_base(), k=3)
    assert reads == [5]


# -- the bridge: a word's mapping is computed once per vocabulary ---------------------------


def test_bridge_maps_a_repeated_word_once(rsettings: Settings, db: sessionmaker[Session]) -> None:
    embedder = LexiconEmbedder()
    r = build_retrieval(rsettings.retrieval, db, embedder=embedder)
    try:
        for i in range(3):
            add_article(db, f"返金{i}", f"返金の手続き{i}。", language="ja")
        r.index(progress=False)
        first = r.search("refund", Scope.knowledge_base(), k=3)
        embedder.calls.clear()
        second = r.search("refund", Scope.knowledge_base(), k=3)
        assert [h.record_id for h in second] == [h.record_id for h in first]
        assert "bridge" in second[0].sources
        assert embedder.calls == [["refund"]]  # the query alone: "refund"'s mapping is cached
    finally:
        r.keywords.close()


# -- labelled sets and "hybrid never below its sides" on them ---------------------------------


def test_support_set_loads_as_knowledge_base_articles(db: sessionmaker[Session]) -> None:
    questions = load_article_set(db, SUPPORT_EN)
    docs = (SUPPORT_EN / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(docs) >= 50 and len(questions) >= 100
    assert all(q.scope == Scope.knowledge_base() for q in questions)
    assert {q.category for q in questions} == {"paraphrase", "direct", "cross"}
    assert all(len(q.relevant_ids) == 1 for q in questions)
    assert {r for q in questions for r in q.relevant_ids} == {
        f"article:{i}" for i in range(1, len(docs) + 1)
    }


def test_article_set_rejects_unknown_documents(tmp_path: Path, db: sessionmaker[Session]) -> None:
    (tmp_path / "articles.jsonl").write_text(
        json.dumps({"id": "a", "title": "T", "body": "B"}) + "\n", encoding="utf-8"
    )
    (tmp_path / "questions.jsonl").write_text(
        json.dumps({"query": "q", "doc_ids": ["zzz"]}) + "\n", encoding="utf-8"
    )
    with pytest.raises(QuestionsFileError, match="zzz"):
        load_article_set(db, tmp_path)


def test_jaquad_paragraphs_become_articles(tmp_path: Path, db: sessionmaker[Session]) -> None:
    squad = {
        "data": [
            {
                "title": "東大寺",
                "paragraphs": [
                    {
                        "context": "東大寺は奈良にある寺院である。",
                        "qas": [{"question": "東大寺はどこ?", "question_type": "Syntactic"}],
                    },
                    {
                        "context": "大仏は高さ約15メートルである。",
                        "qas": [
                            {"question": "大仏の高さは?", "question_type": "Syntactic"},
                            {"question": "大仏は何メートル?", "question_type": "Lexical"},
                        ],
                    },
                ],
            }
        ]
    }
    (tmp_path / "jaquad_dev_0000.json").write_text(json.dumps(squad), encoding="utf-8")
    questions = load_jaquad(db, tmp_path)
    assert [sorted(q.relevant_ids) for q in questions] == [
        ["article:1"],
        ["article:2"],
        ["article:2"],
    ]
    assert [q.category for q in questions] == ["Syntactic", "Syntactic", "Lexical"]
    assert len(load_jaquad(db, tmp_path, max_questions=2)) == 2
    with pytest.raises(QuestionsFileError):
        load_jaquad(db, tmp_path / "missing")


def test_adaptive_fusion_loses_less_to_a_weak_vector_side_than_rrf(
    retrieval: Retrieval, db: sessionmaker[Session]
) -> None:
    """With the hash embedder (no semantics) the vector side is far weaker than the keyword
    side on the English support questions (recall@5 about 0.46 vs 0.81). Reciprocal rank
    fusion passed its noise on; the adaptive fusion must do better on both metrics. (It still
    stays below the keyword side here: see docs/retrieval.md, honest limits.)"""
    questions = [q for q in load_article_set(db, SUPPORT_EN) if q.language == "en"]
    retrieval.index(progress=False)
    adaptive = evaluate(retrieval, questions).table
    retrieval.settings.fusion = "rrf"
    rank_only = evaluate(retrieval, questions, modes=("hybrid",)).table["hybrid"]["all"]
    hybrid, keyword = adaptive["hybrid"]["all"], adaptive["keyword"]["all"]
    assert adaptive["vector"]["all"].recall_at_5 < keyword.recall_at_5
    assert hybrid.recall_at_5 > rank_only.recall_at_5
    assert hybrid.mrr > rank_only.mrr
    assert hybrid.recall_at_5 > adaptive["vector"]["all"].recall_at_5
