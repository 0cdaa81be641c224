"""Repository read access: search by kana / e-mail / phone variants, records by id, merges."""

from __future__ import annotations

import pytest
from analytics_data import add_customer, add_order, at
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import transaction
from knowledge.errors import CustomerNotFound, RecordNotFound
from knowledge.models import Article, Interaction
from knowledge.repository import (
    find_customers,
    get_customer,
    get_record,
    list_interactions,
    list_orders,
    record_customer_id,
)


def _people(s: Session) -> dict[str, int]:
    yamada = add_customer(
        s,
        "山田 太郎",
        name_kana="ヤマダ タロウ",
        email="taro.yamada@example.jp",
        phone="+81312345678",
    )
    tanaka = add_customer(
        s, "田中 花子", name_kana="タナカ ハナコ", email="hanako@example.com", phone="+819012345678"
    )
    smith = add_customer(s, "John Smith", email="john.smith@acme.example", phone="+14155550123")
    old = add_customer(
        s, "山田 太郎", name_kana="ヤマダ タロウ", email="old@example.jp", merged_into_id=yamada.id
    )
    return {"yamada": yamada.id, "tanaka": tanaka.id, "smith": smith.id, "old": old.id}


@pytest.mark.parametrize(
    ("query", "who"),
    [
        ("やまだ", "yamada"),  # hiragana against the katakana reading
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "yamada"),  # half-width katakana
        ("Yamada Taro", "yamada"),  # romaji
        ("山田", "yamada"),  # kanji, partial
        ("ＴＡＲＯ．ＹＡＭＡＤＡ＠ＥＸＡＭＰＬＥ．ＪＰ", "yamada"),  # full-width, upper-case e-mail
        ("taro.yamada@", "yamada"),  # partial e-mail
        ("03-1234-5678", "yamada"),  # national format
        ("０３（１２３４）５６７８", "yamada"),  # full-width digits and brackets
        ("1234-5678", "yamada"),  # partial number (also in Tanaka's 090-1234-5678)
        ("+1 415 555 0123", "smith"),
        ("smith", "smith"),  # case-insensitive name
        ("はなこ", "tanaka"),
    ],
)
def test_find_customers_variants(sessions: sessionmaker[Session], query: str, who: str) -> None:
    with transaction(sessions) as s:
        ids = _people(s)
    with sessions() as s:
        found = [c.id for c in find_customers(s, query)]
    assert found and found[0] == ids[who]
    assert ids["old"] not in found  # merged customers are not listed


def test_find_customers_edge_cases(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        ids = _people(s)
        for i in range(5):
            add_customer(s, f"Smith {i}")
    with sessions() as s:
        assert find_customers(s, "   ") == []
        assert find_customers(s, "nobody-like-this") == []
        assert find_customers(s, "100%_") == []  # LIKE wildcards are matched literally
        smiths = find_customers(s, "smith", limit=3)
        both = {c.id for c in find_customers(s, "1234-5678")}
    assert len(smiths) == 3 and smiths[0].id == ids["smith"]
    assert both == {ids["yamada"], ids["tanaka"]}


def test_records_and_merges(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        ids = _people(s)
        first = add_order(s, get_customer_row(s, ids["yamada"]), "2024-01-01", "1000")
        undated = add_order(s, get_customer_row(s, ids["yamada"]), None, "500")
        last = add_order(s, get_customer_row(s, ids["yamada"]), "2024-03-01", "2000")
        note = Interaction(
            customer_id=ids["yamada"],
            kind="ticket",
            occurred_at=at("2024-03-02"),
            body="請求書の金額が違います",
            status="open",
        )
        review = Interaction(
            customer_id=ids["yamada"],
            kind="review",
            occurred_at=at("2024-03-05"),
            body="Great lotion",
            rating=5,
        )
        article = Article(kind="faq", title="返品", body="30日以内")
        s.add_all([note, review, article])
        s.flush()
        note_id, review_id, article_id = note.id, review.id, article.id
    with sessions() as s:
        # The merged id resolves to the survivor everywhere.
        assert get_customer(s, ids["old"]).id == ids["yamada"]
        orders = list_orders(s, ids["old"])
        assert [o.id for o in orders] == [last.id, first.id, undated.id]
        assert [o.id for o in list_orders(s, ids["yamada"], limit=1)] == [last.id]
        assert [i.id for i in list_interactions(s, ids["yamada"])] == [review_id, note_id]
        assert [i.id for i in list_interactions(s, ids["yamada"], kinds=["ticket"])] == [note_id]
        record = get_record(s, f"interaction:{note_id}")
        assert record.record_id == f"interaction:{note_id}"
        assert get_record(s, f"article:{article_id}").record_id == f"article:{article_id}"
        assert get_record(s, f"order:{last.id}").record_id == f"order:{last.id}"
        assert record_customer_id(s, f"interaction:{review_id}") == ids["yamada"]
        assert record_customer_id(s, f"order:{first.id}") == ids["yamada"]
        assert record_customer_id(s, f"article:{article_id}") is None
        for bad in ("interaction:999999", "order:x", "nonsense", "article:999999", "unknown:1"):
            with pytest.raises(RecordNotFound):
                get_record(s, bad)
        with pytest.raises(RecordNotFound):
            record_customer_id(s, "interaction:999999")
        with pytest.raises(CustomerNotFound):
            get_customer(s, 999999)


def get_customer_row(s: Session, customer_id: int):  # type: ignore[no-untyped-def]
    from knowledge.models import Customer

    return s.get(Customer, customer_id)
