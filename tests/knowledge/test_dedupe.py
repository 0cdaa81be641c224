"""名寄せ: variants across sources are found, merged with a log, and undo restores exactly."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.dedupe import auto_merge, find_candidates, list_merges, merge, undo
from knowledge.errors import MergeError
from knowledge.importing import import_records
from knowledge.models import Customer, Interaction, MergeLog, Order, SourceRecord
from knowledge.settings import DedupeSettings, ImportSettings

QUIET = ImportSettings(progress=False)

EC = [
    {"external_id": "ec-1", "name": "山田 太郎", "name_kana": "ヤマダ タロウ",
     "email": "taro@example.jp", "postal_code": "150-0001"},
    {"external_id": "ec-2", "name": "佐藤 花子", "phone": "090-1111-2222"},
    {"external_id": "ec-3", "name": "鈴木 一郎", "address": "東京都港区芝公園4-2-8",
     "postal_code": "105-0011"},
    {"external_id": "ec-4", "name": "高橋 次郎", "email": "jiro@example.jp"},
]  # fmt: skip
POS = [
    # 全角 name and e-mail
    {"external_id": "pos-1", "name": "山田　太郎", "email": "ＴＡＲＯ＠ＥＸＡＭＰＬＥ．ＪＰ",
     "age_band": "40s", "custom_attributes": {"member_rank": "gold"}},
    # half-width kana name, phone written another way
    {"external_id": "pos-2", "name": "ｻﾄｳ ﾊﾅｺ", "phone": "０９０ １１１１ ２２２２",
     "email_opt_out": True},
    # same name and address only: a candidate for review, not an automatic merge
    {"external_id": "pos-3", "name": "スズキ イチロウ", "address": "東京都港区芝公園４－２－８"},
    # a different person
    {"external_id": "pos-4", "name": "田中 三郎", "email": "saburo@example.jp"},
]  # fmt: skip


def _load(sessions: sessionmaker[Session]) -> dict[str, int]:
    import_records(sessions, EC, source="demo-ec", entity="customer", settings=QUIET)
    import_records(sessions, POS, source="demo-pos", entity="customer", settings=QUIET)
    orders = [
        {"external_id": f"o-{ext}", "customer_external_id": ext, "ordered_at": "2024-01-05",
         "lines": [{"product_name": "化粧水", "unit_price": 3000}]}
        for ext in ("pos-1", "pos-2", "pos-3")
    ]  # fmt: skip
    import_records(sessions, orders, source="demo-pos", entity="order", settings=QUIET)
    notes = [
        {"external_id": "n-1", "customer_external_id": "pos-1", "kind": "store_visit",
         "occurred_at": "2024-01-05T11:00:00", "body": "店頭で化粧水を購入。"},
    ]  # fmt: skip
    import_records(sessions, notes, source="demo-pos", entity="interaction", settings=QUIET)
    with sessions() as s:
        rows = s.execute(
            select(SourceRecord.external_id, SourceRecord.entity_id).where(
                SourceRecord.entity == "customer"
            )
        )
        return dict(rows.tuples().all())


def _snapshot(sessions: sessionmaker[Session]) -> dict[str, Any]:
    with sessions() as s:
        customers = {
            c.id: {k: v for k, v in vars(c).items() if not k.startswith("_") and k != "updated_at"}
            for c in s.scalars(select(Customer))
        }
        return {
            "customers": customers,
            "orders": sorted(s.execute(select(Order.id, Order.customer_id)).tuples().all()),
            "notes": sorted(
                s.execute(select(Interaction.id, Interaction.customer_id)).tuples().all()
            ),
            "sources": sorted(
                s.execute(select(SourceRecord.id, SourceRecord.entity_id)).tuples().all()
            ),
        }


def test_width_kana_and_phone_variants_are_found_with_reasons(
    sessions: sessionmaker[Session],
) -> None:
    ids = _load(sessions)
    with sessions() as s:
        found = {c.customer_ids: c for c in find_candidates(s)}
    yamada = found[(ids["ec-1"], ids["pos-1"])]
    assert yamada.score >= 0.9
    assert "same e-mail" in yamada.reasons and any("name" in r for r in yamada.reasons)
    sato = found[(ids["ec-2"], ids["pos-2"])]
    assert sato.score >= 0.9
    assert "same phone" in sato.reasons
    suzuki = found[(ids["ec-3"], ids["pos-3"])]
    assert 0.6 <= suzuki.score < 0.9
    assert "same address" in suzuki.reasons
    assert not any({ids["ec-4"], ids["pos-4"]} & set(pair) for pair in found)


def test_auto_merge_then_undo_restores_exactly(sessions: sessionmaker[Session]) -> None:
    ids = _load(sessions)
    before = _snapshot(sessions)
    with sessions.begin() as s:
        result = auto_merge(s, DedupeSettings(), actor="tester")
    assert {(m.survivor_id, m.merged_id) for m in result.merged} == {
        (ids["ec-1"], ids["pos-1"]),
        (ids["ec-2"], ids["pos-2"]),
    }
    assert [c.customer_ids for c in result.review] == [(ids["ec-3"], ids["pos-3"])]
    with sessions() as s:
        taro = s.get(Customer, ids["ec-1"])
        assert taro is not None
        assert taro.age_band == "40s"  # filled from the merged record
        assert taro.custom_attributes == {"member_rank": "gold"}
        assert s.get(Customer, ids["pos-1"]).merged_into_id == ids["ec-1"]  # type: ignore[union-attr]
        assert s.get(Customer, ids["ec-2"]).email_opt_out is True  # type: ignore[union-attr]
        # Orders and interactions follow the survivor; so does the source id.
        owners = set(s.scalars(select(Order.customer_id)))
        assert owners == {ids["ec-1"], ids["ec-2"], ids["pos-3"]}
        assert s.scalar(select(Interaction.customer_id)) == ids["ec-1"]
        log_rows = s.scalars(select(MergeLog)).all()
        assert len(log_rows) == 2
        assert all(r.merged_by == "tester" and r.reasons for r in log_rows)
    # Re-importing the POS customer now resolves to the survivor, never a new duplicate.
    again = import_records(sessions, POS, source="demo-pos", entity="customer", settings=QUIET)
    assert again.inserted == 0
    with sessions.begin() as s:
        for entry in list_merges(s):
            undo(s, entry.id)
    assert _snapshot(sessions) == before
    with sessions() as s:
        assert all(e.undone_at is not None for e in list_merges(s))


def test_manual_merge_rules(sessions: sessionmaker[Session]) -> None:
    ids = _load(sessions)
    with sessions.begin() as s:
        first = merge(s, ids["ec-3"], ids["pos-3"], score=0.6, reasons=["checked"], actor="ops")
        assert first.moved["orders"]
        second = merge(s, ids["ec-4"], ids["ec-3"], score=0.1, reasons=["same firm"], actor="ops")
        with pytest.raises(MergeError, match="already merged"):
            merge(s, ids["ec-4"], ids["pos-3"], score=1, reasons=[], actor="ops")
        with pytest.raises(MergeError, match="into itself"):
            merge(s, ids["ec-4"], ids["ec-4"], score=1, reasons=[], actor="ops")
        with pytest.raises(MergeError, match=f"merge {second.id} involves"):
            undo(s, first.id)
        undo(s, second.id)
        undo(s, first.id)
        with pytest.raises(MergeError, match="already undone"):
            undo(s, first.id)


def test_the_survivors_facts_count_the_merged_customers_orders_until_undone(
    sessions: sessionmaker[Session],
) -> None:
    """名寄せ: lifetime spend and order count are the pair's, through build_profile; undo splits."""
    from knowledge.profiles import build_profile
    from knowledge.settings import AnalyticsSettings

    ids = _load(sessions)
    orders = [
        {"external_id": "o-ec-2", "customer_external_id": "ec-2", "ordered_at": "2023-11-02",
         "lines": [{"product_name": "美容液", "unit_price": 4500}]},
    ]  # fmt: skip
    import_records(sessions, orders, source="demo-ec", entity="order", settings=QUIET)
    settings = AnalyticsSettings(population_cache_s=0)
    survivor, merged = ids["ec-2"], ids["pos-2"]

    def facts(customer_id: int) -> tuple[int, int, int]:
        with sessions() as s:
            profile = build_profile(s, customer_id, settings)
            f = profile.facts
            return profile.customer.id, f.order_count, int(f.total_spent)

    assert facts(survivor) == (survivor, 1, 4500)
    assert facts(merged) == (merged, 1, 3000)
    with sessions.begin() as s:
        entry = merge(s, survivor, merged, score=0.9, reasons=["same phone"], actor="tester")
    # Either id now opens the survivor, whose facts are the pair's.
    assert facts(survivor) == (survivor, 2, 7500)
    assert facts(merged) == (survivor, 2, 7500)
    with sessions() as s:
        profile = build_profile(s, survivor, settings)
        assert profile.facts.first_order_at is not None
        assert profile.facts.first_order_at.date().isoformat() == "2023-11-02"
        assert {o.customer_id for o in profile.recent_orders} == {survivor}
        assert len(profile.recent_orders) == 2
    with sessions.begin() as s:
        undo(s, entry.id)
    assert facts(survivor) == (survivor, 1, 4500)
    assert facts(merged)[0] == merged
