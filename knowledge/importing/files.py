"""The public entry points: import a batch of records, a file, or a directory of files."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sized
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from knowledge.errors import ImportRejected
from knowledge.importing.canonical import ENTITIES
from knowledge.importing.encoding import check_encoding
from knowledge.importing.mapping import (
    BUILTIN_DIR,
    EntityMapping,
    SourceMapping,
    canonical_mapping,
    load_mapping,
)
from knowledge.importing.readers import SourceRow, read_path
from knowledge.importing.report import ImportReport
from knowledge.importing.runner import run_import
from knowledge.settings import ImportSettings

log = logging.getLogger(__name__)

_READABLE = {".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".md", ".txt"}


def import_records(
    sessions: sessionmaker[Session],
    records: Iterable[dict[str, Any]],
    *,
    source: str,
    entity: str,
    mapping: SourceMapping | None = None,
    settings: ImportSettings,
    file: str | None = None,
) -> ImportReport:
    """Import records of one entity (canonical fields unless a mapping is given)."""
    part = (mapping or canonical_mapping(_check_entity(entity))).for_entity(entity)
    total = len(records) if isinstance(records, Sized) else None
    rows = (
        SourceRow(n, r) if isinstance(r, dict) else SourceRow(n, None, "a record must be an object")
        for n, r in enumerate(records, start=1)
    )
    return run_import(
        sessions, rows, source=source, part=part, settings=settings, file=file, total=total
    )


def import_file(
    sessions: sessionmaker[Session],
    path: str | Path,
    *,
    source: str,
    mapping: str | Path | None = None,
    settings: ImportSettings,
    entity: str | None = None,
    encoding: str | None = None,
) -> ImportReport:
    """Import a file, or every mapped file of a directory (customers before their orders).

    `encoding` names the files' text encoding; None detects it per file (BOM, UTF-8, CP932).
    """
    path = Path(path)
    if not path.exists():
        raise ImportRejected(f"{path}: no such file or directory")
    if encoding is not None:
        check_encoding(encoding)  # an unknown name is refused before any run is logged
    source_mapping = _choose_mapping(mapping, source)
    if path.is_dir():
        return _import_directory(sessions, path, source, source_mapping, settings, entity, encoding)
    part = _part_for(path, source_mapping, entity)
    rows = read_path(path, part.records, encoding)
    return run_import(sessions, rows, source=source, part=part, settings=settings, file=str(path))


def _import_directory(
    sessions: sessionmaker[Session],
    directory: Path,
    source: str,
    source_mapping: SourceMapping | None,
    settings: ImportSettings,
    entity: str | None,
    encoding: str | None,
) -> ImportReport:
    planned: list[tuple[int, Path, EntityMapping]] = []
    skipped: list[str] = []
    for path in sorted(p for p in directory.iterdir() if p.is_file()):
        try:
            part = _part_for(path, source_mapping, entity)
        except ImportRejected:
            skipped.append(path.name)
            continue
        planned.append((ENTITIES.index(part.entity), path, part))
    if not planned:
        raise ImportRejected(f"{directory}: no file matches the mapping (skipped {skipped})")
    if skipped:
        log.warning("%s: files not imported (no mapping part): %s", directory, ", ".join(skipped))
    reports = []
    for _, path, part in sorted(planned, key=lambda t: (t[0], t[1].name)):
        rows = read_path(path, part.records, encoding)
        reports.append(
            run_import(sessions, rows, source=source, part=part, settings=settings, file=str(path))
        )
    report = ImportReport.combine(source, str(directory), reports)
    report.skipped_files = skipped
    return report


def _choose_mapping(mapping: str | Path | None, source: str) -> SourceMapping | None:
    if mapping is not None:
        return load_mapping(mapping)
    # A source named like a built-in mapping (e.g. tau-bench-retail) uses it.
    if (BUILTIN_DIR / f"{source}.yaml").exists():
        return load_mapping(source)
    return None


def _part_for(path: Path, mapping: SourceMapping | None, entity: str | None) -> EntityMapping:
    if path.suffix.lower() not in _READABLE:
        raise ImportRejected(f"{path}: unsupported file type {path.suffix!r}")
    if entity is not None:
        _check_entity(entity)
        if mapping is None:
            return canonical_mapping(entity).for_entity(entity)
        return mapping.for_entity(entity)
    if mapping is not None:
        part = mapping.for_file(path.name)
        if part is not None:
            return part
        if len(mapping.parts) == 1 and not mapping.parts[0].files:
            return mapping.parts[0]
        raise ImportRejected(f"{path}: mapping {mapping.name!r} has no part for this file")
    guessed = _entity_from_name(path)
    if guessed is None:
        raise ImportRejected(
            f"{path}: cannot tell which entity the file holds; pass --entity "
            f"({', '.join(ENTITIES)}) or a mapping"
        )
    return canonical_mapping(guessed).for_entity(guessed)


def _entity_from_name(path: Path) -> str | None:
    stem = path.stem.lower()
    for entity in ENTITIES:
        if stem in (entity, f"{entity}s") or stem.startswith((f"{entity}s_", f"{entity}s-")):
            return entity
    return None


def _check_entity(entity: str) -> str:
    if entity not in ENTITIES:
        raise ImportRejected(f"unknown entity {entity!r}; expected one of {', '.join(ENTITIES)}")
    return entity
