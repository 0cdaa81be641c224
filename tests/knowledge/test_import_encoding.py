"""Text encodings of import files: CP932 (Excel, Japanese core systems), UTF-8 with or without
BOM, UTF-16 with BOM; detected, or named by the caller; a file none fits is refused clearly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from api.cli import context
from api.cli.main import _register, app
from knowledge.errors import ImportRejected
from knowledge.importing import check_encoding, detect_encoding, import_file
from knowledge.importing.encoding import SAMPLE
from knowledge.importing.readers import read_csv, read_json, read_jsonl, read_path, read_text
from knowledge.models import Customer, ImportRun
from knowledge.settings import ImportSettings, Settings

FIXTURES = Path(__file__).parent / "fixtures"
CP932_CSV = FIXTURES / "customers_cp932.csv"  # saved as Excel does: CP932, CRLF
QUIET = ImportSettings(progress=False, batch_size=200)
HEADER = "external_id,name,email\r\n"


def _rows(path: Path, encoding: str | None = None) -> list[dict[str, str]]:
    return [r.data for r in read_csv(path, encoding=encoding) if r.data is not None]


def _flat(message: object) -> str:
    """An error message with line wrapping (rich, at the terminal width) undone."""
    return " ".join(str(message).split())


def test_the_cp932_fixture_is_neither_utf8_nor_plain_shift_jis() -> None:
    data = CP932_CSV.read_bytes()
    for codec in ("utf-8", "shift_jis"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(codec)
    assert "髙橋" in data.decode("cp932")


def test_cp932_csv_is_detected_and_read_with_characters_outside_jis_x_0208() -> None:
    assert detect_encoding(CP932_CSV) == "cp932"
    rows = _rows(CP932_CSV)
    assert [r["external_id"] for r in rows] == ["S1", "S2", "S3"]
    assert rows[0]["name"] == "髙橋 一郎"
    assert rows[0]["address"] == "東京都千代田区千代田1-1 ①号室"
    assert rows[1]["name"] == "㈱山﨑商事"
    assert rows[1]["annual_revenue"] == "1,500,000"  # a quoted comma, CRLF line ends
    assert rows[2]["email_opt_out"] == "はい"
    assert _rows(CP932_CSV, encoding="cp932") == rows
    assert _rows(CP932_CSV, encoding="Shift_JIS") == rows  # Shift_JIS is read as CP932


@pytest.mark.parametrize(
    ("codec", "expected"),
    [
        ("utf-8-sig", "utf-8-sig"),  # UTF-8 with BOM (Excel's "CSV UTF-8")
        ("utf-8", "utf-8"),
        ("utf-16", "utf-16"),  # with BOM, little-endian (Excel's "Unicode text")
        ("utf-16-be-bom", "utf-16"),
    ],
)
def test_utf8_with_and_without_bom_and_utf16_with_bom_read_like_cp932(
    tmp_path: Path, codec: str, expected: str
) -> None:
    text = CP932_CSV.read_bytes().decode("cp932")
    path = tmp_path / "customers.csv"
    if codec == "utf-16-be-bom":
        path.write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    else:
        path.write_bytes(text.encode(codec))
    assert detect_encoding(path) == expected
    rows = _rows(path)
    assert rows == _rows(CP932_CSV)
    assert next(iter(rows[0])) == "external_id"  # no BOM left on the first header


def test_every_reader_detects_the_encoding(tmp_path: Path) -> None:
    records = [{"external_id": "J1", "name": "髙橋 ①"}, {"external_id": "J2", "name": "㈱髙島屋"}]
    jsonl = tmp_path / "customers.jsonl"
    jsonl.write_bytes(
        "\r\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode("cp932")
    )
    assert [r.data for r in read_jsonl(jsonl)] == records
    doc = tmp_path / "customers.json"
    doc.write_bytes(json.dumps({"items": records}, ensure_ascii=False).encode("utf-16"))
    assert [r.data for r in read_json(doc, "items")] == records
    note = tmp_path / "policy.md"
    note.write_bytes("# 返品ポリシー ㈱髙島屋\n\n①未開封に限る\n".encode("cp932"))
    (row,) = read_text(note)
    assert row.data is not None and row.data["title"] == "返品ポリシー ㈱髙島屋"
    assert [r.data for r in read_path(jsonl, encoding="cp932")] == records


def test_detection_looks_past_an_ascii_start_and_a_character_cut_at_the_sample_end(
    tmp_path: Path,
) -> None:
    filler = "".join(f"A{n:05},name {n},a{n}@example.com\r\n" for n in range(3000))
    assert len(filler) > SAMPLE
    late = tmp_path / "late.csv"
    late.write_bytes((HEADER + filler + "Z1,髙橋 一郎,z@example.jp\r\n").encode("cp932"))
    assert detect_encoding(late) == "cp932"
    assert _rows(late)[-1]["name"] == "髙橋 一郎"
    # UTF-8 whose first 64 KiB end inside a three-byte character: still UTF-8, not CP932.
    cut = tmp_path / "cut.csv"
    head = HEADER + "C1,"
    pad = "x" * (SAMPLE - len(head) - 1)
    cut.write_bytes((head + pad + "髙橋,c@example.jp\r\n").encode("utf-8"))
    with pytest.raises(UnicodeDecodeError, match="unexpected end"):
        cut.read_bytes()[:SAMPLE].decode("utf-8")
    assert detect_encoding(cut) == "utf-8"
    assert _rows(cut)[0]["name"].endswith("髙橋")


def test_a_file_no_encoding_fits_is_refused_naming_file_line_and_encodings(
    tmp_path: Path,
) -> None:
    bad = tmp_path / "customers_bad.csv"
    bad.write_bytes(HEADER.encode() + b"B1,ok,b1@example.jp\r\nB2,\x85\x40\x85\x40,b2@x.jp\r\n")
    with pytest.raises(ImportRejected) as caught:
        list(read_csv(bad))
    message = str(caught.value)
    assert "customers_bad.csv" in message
    assert "not utf-8: line 3, byte 0x85" in message
    assert "not cp932: line 3, byte 0x85" in message
    assert "encodings tried" in message and "--encoding" in message


def test_a_later_byte_that_does_not_fit_the_detected_encoding_names_its_line(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    # UTF-8 at the start (detected from it), a CP932 row pasted in after the first 64 KiB.
    filler = "".join(f"M{n:05},顧客 {n},m{n}@example.jp\r\n" for n in range(3000))
    mixed = tmp_path / "customers.csv"
    mixed.write_bytes(
        (HEADER + filler).encode("utf-8") + "X1,山田 太郎,x@example.jp\r\n".encode("cp932")
    )
    assert detect_encoding(mixed) == "utf-8"
    with pytest.raises(ImportRejected) as caught:
        import_file(sessions, mixed, source="shop", settings=QUIET)
    message = str(caught.value)
    assert f"{mixed}: not utf-8: line 3002, byte 0x8e" in message
    assert "detected" in message and "--encoding" in message
    with sessions() as s:
        run = s.scalars(select(ImportRun)).one()
    assert run.status == "failed" and "line 3002" in (run.error or "")
    with pytest.raises(ImportRejected, match=r"not utf-8: line 3002, .*given as 'utf-8'"):
        list(read_csv(mixed, encoding="utf-8"))


def test_named_encodings_aliases_and_unknown_names() -> None:
    assert check_encoding("cp932") == "cp932"
    assert check_encoding("Shift_JIS") == check_encoding("sjis") == "cp932"
    assert check_encoding("Windows-31J") == check_encoding("MS932") == "cp932"
    assert check_encoding("UTF-8") == "utf-8-sig"
    assert check_encoding("utf-16") == "utf-16"
    for name in ("klingon", "base64", "undefined", "utf-8\x00"):
        with pytest.raises(ImportRejected, match="unknown text encoding"):
            check_encoding(name)
    with pytest.raises(ImportRejected, match=r"not utf-8: line 2, byte 0xee .*given as 'utf-8'"):
        _rows(CP932_CSV, encoding="utf-8")


def test_utf16_without_bom_is_refused_unless_named(tmp_path: Path) -> None:
    path = tmp_path / "customers.csv"
    path.write_bytes((HEADER + "U1,髙橋,u@example.jp\r\n").encode("utf-16-le"))
    with pytest.raises(ImportRejected, match="without a BOM"):
        _rows(path)
    assert _rows(path, encoding="utf-16-le")[0]["name"] == "髙橋"


def test_import_file_stores_cp932_customers_detected_or_named(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    first = import_file(sessions, CP932_CSV, source="core", settings=QUIET)
    assert (first.inserted, first.rejected) == (3, 0), first.rejected_rows
    again = import_file(sessions, CP932_CSV, source="core", settings=QUIET, encoding="cp932")
    assert again.unchanged == 3
    with sessions() as s:
        names = set(s.scalars(select(Customer.name)).all())
    assert "髙橋 一郎" in names
    assert any("山﨑商事" in n for n in names)  # ㈱ is (株) after NFKC
    with pytest.raises(ImportRejected, match="unknown text encoding"):
        import_file(sessions, CP932_CSV, source="core", settings=QUIET, encoding="klingon")
    with sessions() as s:
        assert len(s.scalars(select(ImportRun)).all()) == 2  # the unknown name logged no run


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    settings = Settings(environment="test", data_dir=tmp_path / "data", imports={"progress": False})  # type: ignore[arg-type]
    monkeypatch.setattr(context, "_context", context.CliContext(settings))
    _register()
    yield


def _cli(*args: str) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "400"})
    return result.exit_code, result.output, result.exception


def test_cli_import_detects_or_takes_encoding_and_refuses_without_a_traceback(
    cli: None, tmp_path: Path
) -> None:
    code, out, _ = _cli("import", str(CP932_CSV), "--source", "core", "--encoding", "cp932")
    assert code == 0, out
    assert "customers_cp932.csv" in out
    code, out, _ = _cli("import", str(CP932_CSV), "--source", "core")  # detected
    assert code == 0, out
    with context.get_context().sessions() as s:
        assert len(s.scalars(select(Customer)).all()) == 3
        assert [r.inserted for r in s.scalars(select(ImportRun).order_by(ImportRun.id))] == [3, 0]
    bad = tmp_path / "customers.csv"
    bad.write_bytes(HEADER.encode() + b"B1,\x85\x40,b@example.jp\r\n")
    code, out, exc = _cli("import", str(bad), "--source", "core")
    assert code == 1 and isinstance(exc, SystemExit), out
    assert "Traceback" not in out and "UnicodeDecodeError" not in out
    flat = _flat(out)
    assert "import refused" in flat and "customers.csv" in flat
    assert "line 2" in flat and "utf-8" in flat and "cp932" in flat
    code, out, exc = _cli("import", str(CP932_CSV), "--source", "core", "--encoding", "klingon")
    assert code == 1 and isinstance(exc, SystemExit)
    assert "unknown text encoding" in _flat(out)
