"""The text encoding of an import file: a BOM decides, else strict UTF-8, else strict CP932.

A hand-written rule rather than a statistical detector (charset-normalizer, chardet): the
files Kizuna meets are UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode
text") and Shift_JIS as Windows writes it, CP932 (Excel, Japanese core systems). Japanese
text in CP932 is practically never valid UTF-8, so "BOM, else UTF-8, else CP932", each tried
strictly, tells them apart with no guessing, the same on every machine and library version;
a statistical detector may name cp1252 or big5 for a short Japanese sample and its guess
shifts between releases. Anything else is refused with a clear error, and the caller can
name the encoding.

CP932, not Python's "shift_jis": the latter is plain JIS X 0208 and refuses characters
every Japanese customer list has (髙 and 﨑 in names, ①, ㈱).
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from knowledge.errors import ImportRejected

SAMPLE = 1 << 16  # bytes decided on: the first 64 KiB that hold a non-ASCII byte
GUESSES = ("utf-8", "cp932")
_BOMS = (  # UTF-32 first: its little-endian BOM begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ALIASES = {"windows-31j": "cp932", "windows_31j": "cp932", "cswindows31j": "cp932"}


def check_encoding(name: str) -> str:
    """The codec to read a file with when the caller names its encoding; unknown names refused."""
    codec = _ALIASES.get(name.strip().lower(), name.strip())
    try:
        io.TextIOWrapper(io.BytesIO(), encoding=codec)  # refuses non-text codecs (base64)
        canonical = codecs.lookup(codec).name
    except (LookupError, ValueError):  # ValueError: a NUL in the name
        canonical = "undefined"
    if canonical == "undefined":  # Python's codec that refuses every byte
        raise ImportRejected(f"unknown text encoding {name!r} (e.g. utf-8, cp932, utf-16)")
    if canonical == "shift_jis":
        return "cp932"  # a file called Shift_JIS is CP932 in practice (see the module doc)
    if canonical == "utf-8":
        return "utf-8-sig"  # a BOM is not part of the text
    return canonical


def detect_encoding(path: Path) -> str:
    """The codec of a file by the rule above; ImportRejected names line and encodings tried."""
    with _binary(path) as fh:
        chunk = fh.read(SAMPLE)
        for bom, codec in _BOMS:
            if chunk.startswith(bom):
                return codec
        # ASCII reads the same in UTF-8 and CP932: decide on the first chunk that is not.
        while True:
            if b"\0" in chunk:  # valid UTF-8, but no CSV or JSON has it: UTF-16 sans BOM
                raise ImportRejected(
                    f"{path}: NUL bytes but no byte order mark (UTF-16 or UTF-32 without a "
                    "BOM?); name the encoding with --encoding (e.g. utf-16-le)"
                )
            if not chunk.isascii():
                break
            if len(chunk) < SAMPLE:
                return "utf-8"
            chunk = fh.read(SAMPLE)
        final = len(chunk) < SAMPLE  # else a character may be cut at the end: keep it pending
        for codec in GUESSES:
            try:
                codecs.getincrementaldecoder(codec)("strict").decode(chunk, final)
            except UnicodeDecodeError:
                continue
            return codec
    tried = "; ".join(f"not {codec}: {_where(path, codec)}" for codec in GUESSES)
    raise ImportRejected(
        f"{path}: cannot tell the text encoding ({tried}); encodings tried: BOM (utf-8, "
        f"utf-16, utf-32), {', '.join(GUESSES)}; name it with --encoding"
    )


def resolve_codec(path: Path, encoding: str | None = None) -> str:
    """The codec to read the file with: the one named (checked), else the one detected."""
    return check_encoding(encoding) if encoding else detect_encoding(path)


@contextmanager
def open_text(
    path: Path, encoding: str | None = None, *, codec: str | None = None
) -> Iterator[IO[str]]:
    """The file as text in its encoding; a byte that does not decode becomes ImportRejected.

    `codec`: the codec resolve_codec already chose, for a reader that opens the file again.
    """
    codec = codec or resolve_codec(path, encoding)
    try:
        fh = path.open(encoding=codec, newline="")
    except OSError as e:
        raise ImportRejected(f"{path}: cannot open ({e.strerror})") from e
    with fh:
        try:
            yield fh
        except UnicodeError as e:  # UnicodeDecodeError, or a rarer codec's own complaint
            # A byte further on that the detected (or given) encoding refuses.
            how = (
                f"the encoding was given as {encoding!r}"
                if encoding
                else f"the encoding was detected from the file's start, trying BOM, "
                f"{', '.join(GUESSES)}"
            )
            raise ImportRejected(
                f"{path}: not {encoding or codec}: {_where(path, codec)} ({how}); "
                "name the file's encoding with --encoding"
            ) from e


def _where(path: Path, codec: str) -> str:
    """'line N, byte 0xNN' of the first byte the codec refuses (a rescan: error path only)."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    line = 1
    with _binary(path) as fh:
        while chunk := fh.read(SAMPLE):
            state = decoder.getstate()
            try:
                line += decoder.decode(chunk).count("\n")
                continue
            except UnicodeError:
                decoder.setstate(state)
            # Byte by byte through the chunk that failed, to count the lines before the byte.
            for i in range(len(chunk)):
                try:
                    line += decoder.decode(chunk[i : i + 1]).count("\n")
                except UnicodeDecodeError as e:
                    return f"line {line}, byte 0x{e.object[e.start]:02x}"
                except UnicodeError:
                    return f"line {line}"
        try:
            decoder.decode(b"", final=True)
        except UnicodeError:
            return f"line {line}, a character cut at the end of the file"
    return f"line {line}"


@contextmanager
def _binary(path: Path) -> Iterator[IO[bytes]]:
    try:
        fh = path.open("rb")
    except OSError as e:
        raise ImportRejected(f"{path}: cannot open ({e.strerror})") from e
    with fh:
        yield fh
