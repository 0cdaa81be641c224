"""import_records (the API-shaped entry point) and the streaming JSON reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from knowledge.importing import import_records, readers
from knowledge.models import Contact, Customer, Interaction
from knowledge.settings import ImportSettings

QUIET = ImportSettings(progress=False, batch_size=2)


def _customers() -> list[dict]:
    return [
        {"external_id": "A", "name": "Acme 株式会社", "kind": "company", "language": "en"},
        {"external_id": "B", "name": "山田 花子", "email": "HANAKO@example.jp"},
        {"external_id": "C", "name": "Carol", "phone": "+44 20 7946 0958"},
    ]


def test_records_insert_update_unchanged_and_references(sessions: sessionmaker[Session]) -> None:
    first = import_records(sessions, _customers(), source="api", entity="customer", settings=QUIET)
    assert (first.read, first.inserted) == (3, 3)
    contacts = [
        {"external_id": "K1", "customer_external_id": "A", "name": "Jane Roe", "role": "CTO",
         "is_decision_maker": "yes"},
    ]  # fmt: skip
    assert (
        import_records(sessions, contacts, source="api", entity="contact", settings=QUIET).inserted
        == 1
    )
    notes = [
        {"external_id": "N1", "customer_external_id": "A", "contact_external_id": "K1",
         "kind": "meeting_note", "phase": "sales", "occurred_at": "2024-05-01T09:30:00+09:00",
         "body": "Promised a quote by 5/10.\n見積もりは5/10まで。", "language": "en"},
        {"external_id": "N2", "customer_external_id": "B", "kind": "Inquiry",
         "occurred_at": "2024/05/02", "body": "返品できますか？", "status": "open"},
        {"external_id": "N3", "customer_external_id": "B", "contact_external_id": "K9",
         "kind": "call", "occurred_at": "2024-05-03", "body": "x"},
    ]  # fmt: skip
    report = import_records(sessions, notes, source="api", entity="interaction", settings=QUIET)
    assert (report.inserted, report.rejected) == (2, 1)
    assert report.rejected_rows[0].row == 3
    assert report.rejected_rows[0].field == "contact_external_id"

    changed = _customers()
    changed[1]["email"] = "hanako@example.jp"  # same after normalisation: unchanged
    changed[2]["name"] = "Carol King"
    again = import_records(sessions, changed, source="api", entity="customer", settings=QUIET)
    assert (again.inserted, again.updated, again.unchanged) == (0, 1, 2)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 3
        carol = s.scalars(select(Customer).where(Customer.name == "Carol King")).one()
        assert carol.phone == "+442079460958"
        acme = s.scalars(select(Customer).where(Customer.kind == "company")).one()
        assert acme.name_key == "acme"
        note = s.scalars(select(Interaction).where(Interaction.kind == "meeting_note")).one()
        assert note.customer_id == acme.id
        assert note.contact_id == s.scalar(select(Contact.id))
        assert "\n" in note.body  # line breaks of free text are kept
        assert (
            s.scalars(select(Interaction.kind).where(Interaction.status == "open")).one()
            == "inquiry"
        )


def test_same_external_id_twice_in_a_batch_is_one_row_updated(
    sessions: sessionmaker[Session],
) -> None:
    rows = [{"external_id": "X", "name": "first"}, {"external_id": "X", "name": "second"}]
    report = import_records(
        sessions, rows, source="api", entity="customer", settings=ImportSettings(progress=False)
    )
    assert (report.inserted, report.updated) == (1, 1)
    with sessions() as s:
        assert s.scalars(select(Customer.name)).all() == ["second"]


def test_non_dict_records_and_unknown_fields_are_rejected(sessions: sessionmaker[Session]) -> None:
    rows = [["not", "a", "dict"], {"external_id": "Y", "name": "Y", "favourite_colour": "red"}]
    report = import_records(sessions, rows, source="api", entity="customer", settings=QUIET)  # type: ignore[arg-type]
    assert report.rejected == 2
    assert report.rejected_rows[1].field == "favourite_colour"
    assert "unknown field" in report.rejected_rows[1].reason


@pytest.mark.parametrize("layout", ["list", "dict"])
def test_json_reader_streams_records_across_chunk_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: str
) -> None:
    monkeypatch.setattr(readers, "_CHUNK", 7)  # force records to straddle read chunks
    records = [
        {"id": i, "name": f"名前 {i}", "n": 12345 + i, "tags": ["a", {"b": None}]}
        for i in range(50)
    ]
    payload = records if layout == "list" else {f"k{i}": r for i, r in enumerate(records)}
    path = tmp_path / "data.json"
    path.write_text(
        json.dumps({"meta": {"x": [1, 2]}, "items": payload}, ensure_ascii=False), "utf-8"
    )
    rows = list(readers.read_json(path, "items"))
    assert [r.data for r in rows] == records
    assert [r.row for r in rows] == list(range(1, 51))
    if layout == "dict":
        assert rows[3].key == "k3"


def test_json_reader_keeps_integers_beyond_64_bits_and_numbers_the_records(
    tmp_path: Path,
) -> None:
    # ijson's C backend refuses such integers with use_float; the reader goes on in Python.
    path = tmp_path / "big.json"
    path.write_text(
        '[{"a": 1.5}, {"id": 12345678901234567890, "n": -99999999999999999999}, 7, {"c": 2}]',
        "utf-8",
    )
    rows = list(readers.read_json(path))
    assert [r.row for r in rows] == [1, 2, 3, 4]
    assert rows[0].data == {"a": 1.5} and isinstance(rows[0].data["a"], float)
    assert rows[1].data == {"id": 12345678901234567890, "n": -99999999999999999999}
    assert (rows[2].data, rows[2].error) == (None, "a record must be an object")
    assert rows[3].data == {"c": 2}


@pytest.mark.parametrize(
    ("text", "record_path", "message"),
    [
        ('[{"a": 1}, {"b": }]', "", "malformed JSON (parse error"),
        ('[{"a": 1}', "", "malformed JSON (parse error: premature EOF)"),
        ("42", "", "malformed JSON, expected a list or an object of records, found 42"),
        ('{"export": {"other": []}}', "export.people", "no key 'people' at the record path"),
    ],
)
def test_json_reader_names_the_file_and_what_is_broken(
    tmp_path: Path, text: str, record_path: str, message: str
) -> None:
    from knowledge.errors import ImportRejected

    path = tmp_path / "broken.json"
    path.write_text(text, "utf-8")
    with pytest.raises(ImportRejected) as caught:
        list(readers.read_json(path, record_path))
    assert str(caught.value).startswith(f"{path}: {message}")
