"""The bilingual demo company: a seeded generator, its planted facts and labelled questions.

`load_demo(sessions, settings, scale=1.0)` generates the records, imports them through
knowledge.importing and writes <data_dir>/demo/questions.json and questions.jsonl.
"""

from __future__ import annotations

from demo.campaigns import DEMO_CLOCK
from demo.common import DEFAULT_SEED, REFERENCE_DATE
from demo.generator import DemoData, generate
from demo.loader import DemoLoadError, DemoSummary, database_counts, load_demo

__all__ = [
    "DEFAULT_SEED",
    "DEMO_CLOCK",
    "REFERENCE_DATE",
    "DemoData",
    "DemoLoadError",
    "DemoSummary",
    "database_counts",
    "generate",
    "load_demo",
]
