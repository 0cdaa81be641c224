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
from pathlib import Path
from typing import IO, Any

from knowledge.errors import ImportRejected
from knowledge.importing.encoding import open_text

_CHUNK = 1 << 16
_WS = " \t\r\n"


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
    with open_text(path, encoding) as fh:
        stream = _JsonStream(fh, path)
        for key in (k for k in record_path.split(".") if k):
            stream.descend_into(key)
        yield from stream.records()


def read_text(path: Path, encoding: str | None = None) -> Iterator[SourceRow]:
    """A whole text/Markdown file as one record: file name, stem, title (first heading), body."""
    with open_text(path, encoding) as fh:
        body = fh.read()
    title = next(
        (ln.lstrip("#").strip() for ln in body.splitlines() if ln.strip().startswith("#")),
        path.stem,
    )
    yield SourceRow(1, {"file": path.name, "stem": path.stem, "title": title, "body": body})


class _JsonStream:
    """Incremental JSON: walks containers by hand and decodes one record at a time.

    Only the current record is ever held in memory (plus one read chunk), which is what
    keeps a million-record file bounded without a third-party streaming parser.
    """

    def __init__(self, fh: IO[str], path: Path) -> None:
        self.fh = fh
        self.path = path
        self.buf = ""
        self.pos = 0
        self.decoder = json.JSONDecoder()

    def _fill(self) -> bool:
        chunk = self.fh.read(_CHUNK)
        if not chunk:
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def _peek(self) -> str:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def _expect(self, chars: str) -> str:
        ch = self._peek()
        if not ch or ch not in chars:
            raise ImportRejected(f"{self.path}: malformed JSON, expected {chars!r}, found {ch!r}")
        self.pos += 1
        return ch

    def _value(self) -> Any:
        self._peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as e:
                # Possibly cut by the chunk boundary: read more and retry; else it is broken.
                if self._fill():
                    continue
                raise ImportRejected(f"{self.path}: malformed JSON ({e.msg})") from e
            # A number may be cut at the chunk end ("12" of "123"): make sure one more char follows.
            if end >= len(self.buf) and self._fill():
                continue
            self.pos = end
            return value

    def descend_into(self, key: str) -> None:
        """Move into the value of `key` of the current object (skipping other values)."""
        self._expect("{")
        while True:
            if self._peek() == "}":
                raise ImportRejected(f"{self.path}: no key {key!r} at the record path")
            name = self._value()
            self._expect(":")
            if name == key:
                return
            self._value()
            self._expect(",}")

    def records(self) -> Iterator[SourceRow]:
        opener = self._expect("[{")
        closer = "]" if opener == "[" else "}"
        number = 0
        if self._peek() == closer:
            return
        while True:
            number += 1
            key = None
            if opener == "{":
                key = self._value()
                self._expect(":")
            value = self._value()
            if isinstance(value, dict):
                yield SourceRow(number, value, key=None if key is None else str(key))
            else:
                yield SourceRow(number, None, "a record must be an object", key=key)
            if self._expect("," + closer) == closer:
                return
