"""Imports of real files: the tau-bench-retail export, and CSV / JSONL files with broken rows."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.importing import import_file
from knowledge.models import (
    Article,
    Customer,
    ImportRun,
    Order,
    OrderLine,
    Product,
    QuarantinedRow,
    SourceRecord,
)
from knowledge.settings import ImportSettings
from tests.conftest import SHARED_DATA

TAU = SHARED_DATA / "tau-bench-retail"
FIXTURES = Path(__file__).parent / "fixtures"
QUIET = ImportSettings(progress=False, batch_size=200)


def _count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_tau_bench_retail_imports_as_it_is_and_twice_changes_nothing(
    sessions: sessionmaker[Session],
) -> None:
    first = import_file(sessions, TAU, source="tau-bench-retail", settings=QUIET)
    assert first.for_entity("customer").inserted == 500
    assert first.for_entity("order").inserted == 1000
    assert first.for_entity("article").inserted == 1
    assert first.rejected == 0
    assert sorted(first.skipped_files) == ["LICENSE", "readme.md"]
    assert _count(sessions, Customer) == 500
    assert _count(sessions, Order) == 1000
    assert _count(sessions, Article) == 1
    # One product row per variant of the 50 products.
    with sessions() as s:
        parents = s.scalars(select(Product.attributes)).all()
        assert len({a["product_id"] for a in parents}) == 50
        assert _count(sessions, Product) == first.for_entity("product").inserted > 50
        # Every order line points at its variant and the order total is the sum of lines.
        assert s.scalar(select(func.count()).where(OrderLine.product_id.is_(None))) == 0
        order = s.scalars(select(Order).where(Order.order_number == "#W2611340")).one()
        assert order.total_amount == Decimal("536.65")
        assert order.currency == "USD"
        assert order.ordered_at is None  # the export has no dates
        assert {ln.product_name for ln in order.lines} == {"Water Bottle", "Office Chair"}
        noah = s.scalars(
            select(Customer).where(Customer.email == "noah.brown7922@example.com")
        ).one()
        assert noah.name == "Noah Brown"
        assert noah.postal_code == "80279"
        assert noah.country == "US"
        assert noah.region == "CO"
        assert noah.custom_attributes["payment_method_ids"] == [
            "paypal_5727330",
            "credit_card_7815826",
        ]
        assert order.customer_id != noah.id
        policy = s.scalars(select(Article)).one()
        assert policy.kind == "policy"
        assert policy.title == "Retail agent policy"
    second = import_file(sessions, TAU, source="tau-bench-retail", settings=QUIET)
    assert second.inserted == second.updated == second.rejected == 0
    assert second.unchanged == first.read
    assert _count(sessions, Customer) == 500
    assert _count(sessions, Order) == 1000
    with sessions() as s:
        runs = s.scalars(select(ImportRun).order_by(ImportRun.id)).all()
    assert len(runs) == 8
    assert all(r.status == "done" for r in runs)


def test_tau_single_file_and_changed_record_updates_in_place(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    import_file(sessions, TAU / "users.json", source="tau-bench-retail", settings=QUIET)
    edited = tmp_path / "users.json"
    text = (TAU / "users.json").read_text(encoding="utf-8")
    edited.write_text(
        text.replace("noah.brown7922@example.com", "noah@new.example.com"), encoding="utf-8"
    )
    report = import_file(
        sessions, edited, source="tau-bench-retail", mapping="tau-bench-retail", settings=QUIET
    )
    assert (report.updated, report.unchanged, report.inserted) == (1, 499, 0)
    with sessions() as s:
        assert s.scalar(select(func.count()).where(Customer.email == "noah@new.example.com")) == 1
    assert _count(sessions, Customer) == 500


def _rejects_by_row(report_rows: list) -> dict[int | None, tuple[str | None, str]]:
    return {r.row: (r.field, r.reason) for r in report_rows}


def test_csv_and_jsonl_with_broken_rows_import_good_rows_and_report_each_bad_one(
    sessions: sessionmaker[Session],
) -> None:
    products = import_file(sessions, FIXTURES / "products.csv", source="shop", settings=QUIET)
    assert products.inserted == 1
    customers = import_file(
        sessions, FIXTURES / "customers_broken.csv", source="shop", settings=QUIET
    )
    assert (customers.read, customers.inserted, customers.rejected) == (7, 3, 4)
    bad = _rejects_by_row(customers.rejected_rows)
    assert set(bad) == {4, 5, 6, 8}  # CSV line numbers (the header is line 1)
    assert bad[4][0] == "email" and "malformed" in bad[4][1]
    assert bad[5] == ("name", "required field is missing or empty")
    assert bad[6][0] == "annual_revenue" and "not a number" in bad[6][1]
    assert bad[8][0] == "language" and "'fr'" in bad[8][1]
    assert all(r.file and r.file.endswith("customers_broken.csv") for r in customers.rejected_rows)

    orders = import_file(sessions, FIXTURES / "orders_broken.jsonl", source="shop", settings=QUIET)
    assert (orders.read, orders.inserted, orders.rejected) == (7, 2, 5)
    bad = _rejects_by_row(orders.rejected_rows)
    assert bad[2][0] == "customer_external_id" and "unknown customer 'C404'" in bad[2][1]
    assert bad[3][0] == "ordered_at" and "ISO 8601" in bad[3][1]
    assert bad[4][0] == "lines[1].unit_price" and "not a number" in bad[4][1]
    assert bad[5][0] is None and "malformed JSON" in bad[5][1]
    assert bad[7] == ("external_id", "required field is missing or empty")

    with sessions() as s:
        # Nothing half-written: the order with one bad line has no row and no lines.
        assert s.scalars(select(Order.order_number)).all() in (["A-1", None], [None, "A-1"])
        assert s.scalar(select(func.count()).select_from(OrderLine)) == 3
        o1 = s.scalars(select(Order).where(Order.order_number == "A-1")).one()
        assert o1.total_amount == Decimal("3800.00")
        assert o1.gross_margin == Decimal("1300.00")
        by_name = {ln.product_name: ln for ln in o1.lines}
        # The SKU line took the catalogue's name, category and brand.
        assert by_name["モイスチャーローション"].category == "スキンケア"
        assert by_name["モイスチャーローション"].product_id is not None
        assert by_name["ハンドクリーム"].product_id is None
        hanako = s.scalars(select(Customer).where(Customer.email == "hanako@example.jp")).one()
        assert hanako.name == "Sato Hanako"
        assert hanako.phone == "+819011112222"
        assert hanako.email_opt_out is True
        taro = s.scalars(select(Customer).where(Customer.email == "taro.yamada@example.jp")).one()
        assert taro.name_key == "yamadataro"
        assert taro.postal_code == "1500001"
        quarantined = s.scalars(select(QuarantinedRow)).all()
        assert len(quarantined) == 9
        assert {q.row_number for q in quarantined if q.field == "email"} == {4}
        assert all(q.reason for q in quarantined)
        runs = s.scalars(select(ImportRun).order_by(ImportRun.id)).all()
        assert [r.rejected for r in runs] == [0, 4, 5]
    again = import_file(sessions, FIXTURES / "orders_broken.jsonl", source="shop", settings=QUIET)
    assert (again.unchanged, again.rejected) == (2, 5)


def test_yaml_mapping_with_record_path_and_transforms(
    sessions: sessionmaker[Session],
) -> None:
    report = import_file(
        sessions,
        FIXTURES / "mapped_users.json",
        source="people",
        mapping=FIXTURES / "mapped_users.yaml",
        settings=QUIET,
    )
    assert (report.inserted, report.rejected) == (2, 1)
    assert report.rejected_rows[0].row == 3
    assert report.rejected_rows[0].field == "custom_attributes.joined"
    with sessions() as s:
        taro = s.scalars(select(Customer).where(Customer.name == "Taro Yamada")).one()
        assert taro.email == "taro@example.jp"
        assert taro.phone == "+81312345678"
        assert taro.lifecycle_stage == "customer"
        assert taro.custom_attributes == {
            "joined": "2024-04-01T00:00:00",
            "points_total": "42.5",
            "point_events": 3,
            "family_name": "Yamada",
        }
        sato = s.scalars(select(Customer).where(Customer.name == "Hanako Sato")).one()
        assert sato.lifecycle_stage == "prospect"
        ids = s.scalars(
            select(SourceRecord.external_id).where(SourceRecord.source == "people")
        ).all()
        assert sorted(ids) == ["7", "8"]


def test_unknown_entity_file_is_refused_with_a_hint(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    from knowledge.errors import ImportRejected

    odd = tmp_path / "stuff.csv"
    odd.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="--entity"):
        import_file(sessions, odd, source="x", settings=QUIET)
    with pytest.raises(ImportRejected, match="no such file"):
        import_file(sessions, tmp_path / "missing.csv", source="x", settings=QUIET)
