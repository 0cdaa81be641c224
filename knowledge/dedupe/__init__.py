"""名寄せ: duplicate customer detection, merge with a log, and exact undo."""

from __future__ import annotations

from knowledge.dedupe.candidates import Candidate, find_candidates
from knowledge.dedupe.merge import (
    AutoMergeResult,
    MergeEntry,
    auto_merge,
    list_merges,
    merge,
    undo,
)

__all__ = [
    "AutoMergeResult",
    "Candidate",
    "MergeEntry",
    "auto_merge",
    "find_candidates",
    "list_merges",
    "merge",
    "undo",
]
