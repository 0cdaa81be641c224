"""Sentence-aware chunking of interactions and articles, with overlap and stable ids.

A chunk id is ``interaction:{id}:{n}`` / ``article:{id}:{n}``; every chunk of a record
carries the record's content hash, so an unchanged record is never re-embedded.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from knowledge.records import ArticleRecord, InteractionRecord

# A sentence ends after Japanese 。！？ (and their half-width forms) or after . ! ? followed
# by a space; a newline always ends one.
_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=[.])(?=\s)|\n+")

KB_CUSTOMER_ID = -1  # Chroma metadata cannot hold None: articles carry this instead


@dataclass(frozen=True)
class Chunk:
    """One indexed piece of a record, with the metadata every index stores beside it."""

    chunk_id: str
    record_id: str
    n: int
    text: str  # the chunk as shown in results
    title: str | None
    record_hash: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def indexed_text(self) -> str:
        """What is embedded and tokenised: the title gives every chunk its context."""
        return f"{self.title}\n{self.text}" if self.title else self.text


def split_sentences(text: str) -> list[str]:
    """Split Japanese and English text into sentences (punctuation kept)."""
    parts = (p.strip() for p in _SENTENCE_END.split(text))
    return [p for p in parts if p]


def _hard_split(sentence: str, size: int, overlap: int) -> list[str]:
    step = max(1, size - overlap)
    return [sentence[i : i + size] for i in range(0, max(1, len(sentence) - overlap), step)]


def _join(sentences: list[str]) -> str:
    # Japanese sentences follow each other without a space; Latin ones need one.
    out = sentences[0]
    for s in sentences[1:]:
        out += s if out.endswith(("。", "！", "？")) or not s.isascii() else " " + s
    return out


def chunk_text(text: str, size: int = 400, overlap: int = 80) -> list[str]:
    """Group sentences into chunks of at most `size` characters, repeating ~`overlap` chars."""
    sentences: list[str] = []
    for s in split_sentences(text):
        sentences.extend(_hard_split(s, size, overlap) if len(s) > size else [s])
    chunks: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        if current and sum(len(s) + 1 for s in current) + len(sentence) > size:
            chunks.append(_join(current))
            # Carry the last sentences (up to `overlap` chars) into the next chunk so a
            # statement spanning a boundary is still found whole in one of them.
            carry: list[str] = []
            for s in reversed(current):
                if sum(len(c) + 1 for c in carry) + len(s) > overlap:
                    break
                carry.insert(0, s)
            current = carry
        current.append(sentence)
    if current:
        chunks.append(_join(current))
    return chunks or [""]


def _epoch(value: datetime | None) -> int:
    if value is None:
        return 0
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # SQLite hands back naive datetimes, stored as UTC
    return int(value.timestamp())


def _hash(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def chunk_record(
    record: InteractionRecord | ArticleRecord, size: int = 400, overlap: int = 80
) -> list[Chunk]:
    """Chunk one interaction or article; chunk ids and hash depend only on its content."""
    if isinstance(record, InteractionRecord):
        title = record.subject
        meta: dict[str, Any] = {
            "source_type": "interaction",
            "customer_id": record.customer_id,
            "kind": record.kind,
            "phase": record.phase or "",
            "channel": record.channel or "",
            "language": record.language or "",
            "occurred_at": _epoch(record.occurred_at),
        }
    else:
        title = record.title
        meta = {
            "source_type": "article",
            "customer_id": KB_CUSTOMER_ID,
            "kind": record.kind,
            "phase": "",
            "channel": "",
            "language": record.language or "",
            "occurred_at": _epoch(record.updated_at),
        }
    record_hash = _hash(
        {"title": title, "body": record.body, "meta": meta, "size": size, "overlap": overlap}
    )
    texts = chunk_text(record.body, size, overlap)
    chunks = []
    for n, text in enumerate(texts):
        chunk_id = f"{record.record_id}:{n}"
        metadata = {
            **meta,
            "record_id": record.record_id,
            "chunk_id": chunk_id,
            "n": n,
            "title": title or "",
            "record_hash": record_hash,
        }
        chunks.append(Chunk(chunk_id, record.record_id, n, text, title, record_hash, metadata))
    return chunks
