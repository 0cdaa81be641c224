"""Imports (連携): CSV / JSON / JSONL files and record batches into the knowledge base.

Public entry points: `import_records` (the API-shaped one: a batch of canonical or mapped
records) and `import_file` (a file or a directory, through a declarative YAML mapping).
"""

from __future__ import annotations

from knowledge.importing.encoding import check_encoding, detect_encoding
from knowledge.importing.files import import_file, import_records
from knowledge.importing.log import ImportRunEntry, QuarantineEntry, list_quarantine, list_runs
from knowledge.importing.mapping import (
    EntityMapping,
    SourceMapping,
    builtin_mappings,
    load_mapping,
)
from knowledge.importing.report import ImportReport, RejectedRow

__all__ = [
    "EntityMapping",
    "ImportReport",
    "ImportRunEntry",
    "QuarantineEntry",
    "RejectedRow",
    "SourceMapping",
    "builtin_mappings",
    "check_encoding",
    "detect_encoding",
    "import_file",
    "import_records",
    "list_quarantine",
    "list_runs",
    "load_mapping",
]
