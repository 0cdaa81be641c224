"""Hybrid search: scope enforced (no cross-customer result, ever), filters, spans, fusion."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from retrieval.errors import ScopeRequired
from retrieval.search import rrf
from retrieval.service import Retrieval
from retrieval.types import Scope, SearchFilters
from tests.retrieval.conftest import BASE_TIME, add_article, add_customer, add_interaction

MODES = ("hybrid", "keyword", "vector")


def test_no_cross_customer_results_with_unique_markers(
    retrieval: Retrieval, db: sessionmaker[Session]
) -> None:
    """Each customer has a unique marker word; searching any marker in any scope stays inside."""
    customers = []
    for i in range(15):
        cid = add_customer(db, f"顧客{i}")
        marker = f"marker{i:02d}zq"
        add_interaction(db, cid, f"{marker} について問い合わせがありました。配送の件です。")
        add_interaction(db, cid, f"Follow-up call about {marker} and the delivery.", language="en")
        add_interaction(db, cid, "一般的な問い合わせ。返品の方法を知りたい。")
        customers.append((cid, marker))
    add_article(db, "配送について", "marker00zq 配送は3日以内です。")
    retrieval.index(progress=False)
    for scope_cid, own_marker in customers:
        for _, marker in customers:
            for mode in MODES:
                hits = retrieval.search(marker, Scope.customer(scope_cid), k=10, mode=mode)
                assert all(h.customer_id == scope_cid for h in hits)
                assert all(h.record_id.startswith("interaction:") for h in hits)
                if marker == own_marker and mode != "vector":
                    assert hits and marker in hits[0].text
    kb_hits = retrieval.search("marker00zq 配送", Scope.knowledge_base(), k=10)
    assert kb_hits and all(h.customer_id is None and h.kind == "faq" for h in kb_hits)


def test_search_without_scope_is_an_error(retrieval: Retrieval) -> None:
    with pytest.raises(ScopeRequired):
        retrieval.search("anything", None)  # type: ignore[arg-type]


def test_scope_rechecked_on_returned_chunks(
    retrieval: Retrieval, db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even an index that ignored the filter cannot leak another customer's chunk."""
    a, b = add_customer(db), add_customer(db)
    add_interaction(db, a, "秘密の相談内容です。")
    add_interaction(db, b, "秘密の相談内容です。")
    retrieval.index(progress=False)
    real_query = retrieval.vectors.query
    monkeypatch.setattr(retrieval.vectors, "query", lambda v, where, k: real_query(v, None, k))
    monkeypatch.setattr(
        retrieval.vectors, "nearest_among", lambda v, ids, where, k: real_query(v, None, k)
    )
    monkeypatch.setattr(retrieval.keywords, "search", lambda t, m, k: [])
    hits = retrieval.search("秘密の相談", Scope.customer(a), k=10)
    assert [h.customer_id for h in hits] == [a]


def test_hybrid_finds_what_either_side_finds(
    retrieval: Retrieval, db: sessionmaker[Session]
) -> None:
    cid = add_customer(db)
    exact = add_interaction(db, cid, "型番 KZ-9000 の電源が入らない。", subject="故障")
    add_interaction(db, cid, "請求書の宛名を変更したい。", subject="請求")
    retrieval.index(progress=False)
    hits = retrieval.search("KZ-9000 電源", Scope.customer(cid), k=2)
    assert hits[0].record_id == f"interaction:{exact}"
    assert set(hits[0].sources) == {"vector", "keyword"}
    assert hits[0].kind == "inquiry" and hits[0].occurred_at is not None
    assert "KZ-9000" in hits[0].span
    assert retrieval.search("KZ-9000", Scope.customer(cid), k=2, mode="keyword")[0].sources == (
        "keyword",
    )


def test_results_are_distinct_records_with_best_span(
    retrieval: Retrieval, db: sessionmaker[Session]
) -> None:
    cid = add_customer(db)
    body = (
        "".join(f"定例会議の議事録{i}。" for i in range(60))
        + "次回は新製品の見積もりを送ると約束した。"
    )
    rid = add_interaction(db, cid, body, kind="meeting_note", phase="sales")
    retrieval.index(progress=False)
    hits = retrieval.search("見積もり 約束", Scope.customer(cid), k=5)
    assert [h.record_id for h in hits] == [f"interaction:{rid}"]
    assert hits[0].span == "次回は新製品の見積もりを送ると約束した。"


def test_filters_kind_phase_language_and_time(
    retrieval: Retrieval, db: sessionmaker[Session]
) -> None:
    cid = add_customer(db)
    old = add_interaction(db, cid, "返品したい。", kind="ticket", phase="support", days=0)
    new = add_interaction(db, cid, "返品について相談。", kind="call", phase="sales", days=100)
    en = add_interaction(db, cid, "I want to return it. 返品", kind="email", language="en", days=50)
    retrieval.index(progress=False)
    scope = Scope.customer(cid)
    for mode in MODES:

        def ids(filters: SearchFilters, mode: str = mode) -> set[str]:
            hits = retrieval.search("返品", scope, k=10, filters=filters, mode=mode)  # type: ignore[arg-type]
            return {h.record_id for h in hits}

        assert ids(SearchFilters(kinds=("ticket",))) <= {f"interaction:{old}"}
        assert ids(SearchFilters(phases=("sales",))) <= {f"interaction:{new}"}
        assert ids(SearchFilters(languages=("en",))) <= {f"interaction:{en}"}
        since = BASE_TIME + timedelta(days=60)
        assert ids(SearchFilters(since=since)) <= {f"interaction:{new}"}
        assert ids(SearchFilters(until=BASE_TIME + timedelta(days=1))) <= {f"interaction:{old}"}
    assert retrieval.search("返品", scope, filters=SearchFilters(kinds=("ticket",)), mode="keyword")


def test_recency_weighting_prefers_newer(retrieval: Retrieval, db: sessionmaker[Session]) -> None:
    cid = add_customer(db)
    old = add_interaction(db, cid, "保守契約の更新について。", days=0)
    new = add_interaction(db, cid, "保守契約の更新について。", days=300)
    retrieval.index(progress=False)
    retrieval.settings.recency_half_life_days = 365
    hits = retrieval.search("保守契約の更新", Scope.customer(cid), k=2)
    assert [h.record_id for h in hits] == [f"interaction:{new}", f"interaction:{old}"]


def test_global_scope_sees_everything(retrieval: Retrieval, db: sessionmaker[Session]) -> None:
    a, b = add_customer(db), add_customer(db)
    add_interaction(db, a, "共通の話題です。")
    add_interaction(db, b, "共通の話題です。")
    add_article(db, "共通", "共通の話題です。")
    retrieval.index(progress=False)
    hits = retrieval.search("共通の話題", Scope.everything(), k=10)
    assert {h.customer_id for h in hits} == {a, b, None}


def test_rrf_sums_reciprocal_ranks() -> None:
    fused = rrf({"vector": ["a", "b"], "keyword": ["b", "c"]}, k=60)
    assert fused["b"][0] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["b"][1] == ("vector", "keyword")
    assert max(fused, key=lambda i: fused[i][0]) == "b"


def test_exact_customer_path_returns_true_nearest_in_scope(
    retrieval: Retrieval, db: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scoring a customer's chunks by id returns exactly the nearest ones, in scope."""
    import retrieval.service as service

    cid, other = add_customer(db), add_customer(db)
    bodies = {}
    for i in range(30):
        body = f"問い合わせ{i}: 配送と請求と返品の件{i % 7}。"
        bodies[f"interaction:{add_interaction(db, cid, body, kind='call')}"] = body
        add_interaction(db, other, f"問い合わせ{i}: 配送の件。")
    retrieval.index(progress=False)
    scope, query = Scope.customer(cid), "配送 請求"
    hits = retrieval.search(query, scope, k=10, mode="vector")
    q = retrieval.embedder.embed([query])[0]
    score = {r: float(retrieval.embedder.embed([b])[0] @ q) for r, b in bodies.items()}
    chosen = {h.record_id for h in hits}
    assert len(chosen) == 10 and chosen <= set(bodies)
    assert min(score[r] for r in chosen) >= max(score[r] for r in set(bodies) - chosen) - 1e-5
    # Chroma's filtered query (the path for very large customers) agrees on the best hit
    monkeypatch.setattr(service, "EXACT_SEARCH_MAX_CHUNKS", 0)
    ann = retrieval.search(query, scope, k=10, mode="vector")
    assert ann[0].record_id == hits[0].record_id or score[ann[0].record_id] == pytest.approx(
        score[hits[0].record_id], abs=1e-5
    )
    filtered = retrieval.search(
        query, scope, k=10, mode="vector", filters=SearchFilters(kinds=("x",))
    )
    assert filtered == []
