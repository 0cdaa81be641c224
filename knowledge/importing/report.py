"""What an import did: counts per outcome and the rows it rejected (with where and why)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

# The report keeps this many rejected rows in memory; all of them are in the quarantine table.
MAX_REPORTED_REJECTS = 1000


@dataclass(frozen=True)
class RejectedRow:
    """One input row that was not imported."""

    file: str | None
    row: int | None
    field: str | None
    reason: str
    raw: dict[str, Any] = dataclasses.field(default_factory=dict)

    def where(self) -> str:
        """Human-readable location: file, row and field."""
        parts = [self.file or "<records>"]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts)


@dataclass
class ImportReport:
    """Counts of one import run (or, with parts, of several files imported together)."""

    run_id: int | None
    source: str
    entity: str
    file: str | None = None
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejected_rows: list[RejectedRow] = dataclasses.field(default_factory=list)
    parts: list[ImportReport] = dataclasses.field(default_factory=list)
    # Files of an imported directory that no mapping part matched.
    skipped_files: list[str] = dataclasses.field(default_factory=list)

    def reject(self, row: RejectedRow) -> None:
        """Count a rejected row and keep it (up to MAX_REPORTED_REJECTS)."""
        self.rejected += 1
        if len(self.rejected_rows) < MAX_REPORTED_REJECTS:
            self.rejected_rows.append(row)

    @property
    def run_ids(self) -> list[int]:
        """Every import run id behind this report."""
        if self.parts:
            return [rid for part in self.parts for rid in part.run_ids]
        return [self.run_id] if self.run_id is not None else []

    @classmethod
    def combine(cls, source: str, file: str | None, parts: list[ImportReport]) -> ImportReport:
        """One report summing several (a directory import)."""
        total = cls(run_id=None, source=source, entity="+".join(p.entity for p in parts), file=file)
        for part in parts:
            total.read += part.read
            total.inserted += part.inserted
            total.updated += part.updated
            total.unchanged += part.unchanged
            total.rejected += part.rejected
            total.rejected_rows.extend(part.rejected_rows[:MAX_REPORTED_REJECTS])
        total.parts = parts
        return total

    def for_entity(self, entity: str) -> ImportReport:
        """The part that imported one entity (the report itself when it has no parts)."""
        if not self.parts:
            if self.entity != entity:
                raise KeyError(entity)
            return self
        for part in self.parts:
            if part.entity == entity:
                return part
        raise KeyError(entity)
