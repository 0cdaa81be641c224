"""Streaming readers: CSV (with header), JSON (top-level list or dict of records), JSONL, text.

Each yields SourceRow(row, data, error) one at a time, so memory stays bounded by the
largest single record, not the file. Row numbers are what a person finds in the file:
the CSV line number (header is line 1), the JSONL line number, the JSON record's position.
The text encoding is the caller's, or detected (knowledge/importing/encoding.py).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

import ijson

from knowledge.errors import ImportRejected
from knowledge.importing.encoding import open_text, resolve_codec

_CHUNK = 1 << 16  # bytes ijson reads at a time
_PURE_PYTHON = ijson.get_backend("python")


@dataclass(frozen=True)
class SourceRow:
    """One input record, or why it could not be read."""

    row: int
    data: dict[str, Any] | None
    error: str | None = None
    key: str | None = None  # the record's key when the JSON file is a dict of records


def read_path(
    path: Path, record_path: str = "", encoding: str | None = None
) -> Iterator[SourceRow]:
    """Rows of a file, the format chosen by its suffix (encoding: None detects it)."""
    suffix = path.suffix.lower()
    if suffix == ".csv" or suffix == ".tsv":
        return read_csv(path, delimiter="\t" if suffix == ".tsv" else ",", encoding=encoding)
    if suffix in (".jsonl", ".ndjson"):
        return read_jsonl(path, encoding)
    if suffix == ".json":
        return read_json(path, record_path, encoding)
    if suffix in (".md", ".txt"):
        return read_text(path, encoding)
    raise ImportRejected(
        f"{path}: unsupported file type {suffix!r} (csv, tsv, json, jsonl, md, txt)"
    )


def read_csv(path: Path, delimiter: str = ",", encoding: str | None = None) -> Iterator[SourceRow]:
    """CSV rows as dicts keyed by the header; blank lines skipped."""
    with open_text(path, encoding) as fh:
        reader = csv.DictReader(fh, delimiter=delimiter)
        if reader.fieldnames is None:
            return
        header = [h.strip() for h in reader.fieldnames]
        reader.fieldnames = header
        for raw in reader:
            line = reader.line_num
            if None in raw:
                yield SourceRow(line, None, f"{len(raw[None])} more value(s) than header columns")  # type: ignore[index]
                continue
            if any(v is None for v in raw.values()):
                yield SourceRow(line, None, "fewer values than header columns")
                continue
            if not any((v or "").strip() for v in raw.values()):
                continue
            yield SourceRow(line, {k: v for k, v in raw.items() if k})


def read_jsonl(path: Path, encoding: str | None = None) -> Iterator[SourceRow]:
    """One JSON object per line; a malformed line is reported, not fatal."""
    with open_text(path, encoding) as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as e:
                yield SourceRow(number, None, f"malformed JSON: {e.msg} at column {e.colno}")
                continue
            if not isinstance(data, dict):
                yield SourceRow(number, None, "a JSONL line must be an object")
                continue
            yield SourceRow(number, data)


def read_json(
    path: Path, record_path: str = "", encoding: str | None = None
) -> Iterator[SourceRow]:
    """Records of a JSON file whose records sit in a list or a dict at record_path, streamed."""
    prefix = ".".join(k for k in record_path.split(".") if k)
    codec = resolve_codec(path, encoding)  # detected once: the file is opened up to three times
    with open_text(path, encoding, codec=codec) as fh:
        layout = _layout_at(fh, path, prefix)
    number = 0
    # ijson's C backend reads floats as float (not Decimal) but then refuses integers beyond
    # 64 bits (ijson issue 153); such a file goes on in the pure-Python backend where it stopped.
    for backend in (ijson, _PURE_PYTHON):
        with open_text(path, encoding, codec=codec) as fh:
            try:
                for key, value in islice(_records(backend, fh, prefix, layout), number, None):
                    number += 1
                    if isinstance(value, dict):
                        yield SourceRow(number, value, key=key)
                    else:
                        yield SourceRow(number, None, "a record must be an object", key=key)
                return
            except ijson.JSONError as e:
                if backend is ijson and "integer overflow" in str(e):
                    continue
                raise ImportRejected(f"{path}: malformed JSON ({_first_line(e)})") from e


def _records(backend: Any, fh: IO[str], prefix: str, layout: str) -> Iterator[tuple[Any, Any]]:
    """(key, record) pairs of the list (key None) or dict at prefix."""
    if layout == "start_map":
        return backend.kvitems(fh, prefix, buf_size=_CHUNK, use_float=True)  # type: ignore[no-any-return]
    items = backend.items(
        fh, f"{prefix}.item" if prefix else "item", buf_size=_CHUNK, use_float=True
    )
    return ((None, value) for value in items)


def _layout_at(fh: IO[str], path: Path, prefix: str) -> str:
    """Whether the records at prefix are a list or a dict (reads up to their start only)."""
    wanted = prefix.split(".") if prefix else []
    found = 0  # how many keys of the path the file has shown so far
    try:
        for at, event, value in ijson.parse(fh, buf_size=_CHUNK):
            if at == prefix and event in ("start_array", "start_map"):
                return str(event)
            if at == prefix and event != "map_key":
                raise ImportRejected(
                    f"{path}: malformed JSON, expected a list or an object of records, "
                    f"found {value!r}"
                )
            if event == "map_key" and found < len(wanted) and at == ".".join(wanted[:found]):
                found += value == wanted[found]
    except ijson.JSONError as e:
        raise ImportRejected(f"{path}: malformed JSON ({_first_line(e)})") from e
    if found < len(wanted):
        raise ImportRejected(f"{path}: no key {wanted[found]!r} at the record path")
    raise ImportRejected(f"{path}: malformed JSON (no records found)")


def _first_line(error: Exception) -> str:
    # yajl's messages go on with the text around the error on further lines.
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def read_text(path: Path, encoding: str | None = None) -> Iterator[SourceRow]:
    """A whole text/Markdown file as one record: file name, stem, title (first heading), body."""
    with open_text(path, encoding) as fh:
        body = fh.read()
    title = next(
        (ln.lstrip("#").strip() for ln in body.splitlines() if ln.strip().startswith("#")),
        path.stem,
    )
    yield SourceRow(1, {"file": path.name, "stem": path.stem, "title": title, "body": body})
