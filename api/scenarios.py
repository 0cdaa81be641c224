"""The scenario suite's file format, its checks and its pass table (no I/O beyond reading it).

A scenario file (YAML) names a fixture company (canonical import files), the customers the
items talk about, and the items: chat questions, briefs and drafts, each with strings that
must appear, records that must be cited and strings that must not appear.
`api/cli/eval_scenarios.py` runs them through the HTTP API; this module judges the outputs.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

Kind = Literal["chat", "brief", "draft"]
# Entities of a fixture directory, in import order (customers before what references them).
FIXTURE_FILES: tuple[tuple[str, str], ...] = (
    ("customer", "customers.json"),
    ("contact", "contacts.json"),
    ("order", "orders.json"),
    ("interaction", "interactions.json"),
    ("article", "articles.json"),
)
_DIGIT_GROUPS = re.compile(r"(?<=\d)[,，](?=\d{3})")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Fixture(Strict):
    dir: str
    source: str = "scenario-co"
    dedupe: bool = False  # merge the duplicate customers (名寄せ) after the import


class Item(Strict):
    """One question, brief or draft, and what its output must (not) contain."""

    id: str
    category: str
    language: Literal["ja", "en"]
    customer: str
    kind: Kind
    input: str = ""  # chat: the question; draft: the purpose; brief: unused
    conversation: str | None = None  # items sharing a name are asked in one conversation
    must_include: list[list[str]] = Field(default_factory=list)
    must_cite: list[list[str]] = Field(default_factory=list)
    must_not_include: list[str] = Field(default_factory=list)
    answered: bool | None = None
    status: int = 200

    @field_validator("must_include", "must_cite", mode="before")
    @classmethod
    def _groups(cls, value: Any) -> Any:
        """A bare string is a group of one."""
        if isinstance(value, list):
            return [[v] if isinstance(v, str) else v for v in value]
        return value


class Defaults(Strict):
    must_not_include: list[str] = Field(default_factory=list)
    chat: dict[str, list[str]] = Field(default_factory=dict)
    brief: dict[str, list[str]] = Field(default_factory=dict)
    draft: dict[str, list[str]] = Field(default_factory=dict)


class ScenarioSet(Strict):
    name: str
    fixture: Fixture
    customers: dict[str, str]  # handle -> a search term that finds exactly that customer
    defaults: Defaults = Field(default_factory=Defaults)
    items: list[Item]
    path: Path | None = None

    def forbidden(self, item: Item) -> list[str]:
        """The strings `item` must not contain: its own, the set's, its kind's."""
        by_kind = getattr(self.defaults, item.kind).get("must_not_include", [])
        return [*item.must_not_include, *self.defaults.must_not_include, *by_kind]

    def fixture_dir(self) -> Path:
        base = self.path.parent if self.path else Path.cwd()
        return base / self.fixture.dir


def load_scenarios(path: str | Path) -> ScenarioSet:
    """Read and validate a scenario file; unknown customers and duplicate ids are refused."""
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    scenarios = ScenarioSet.model_validate({**data, "path": path})
    seen: set[str] = set()
    for item in scenarios.items:
        if item.id in seen:
            raise ValueError(f"{path}: item id {item.id!r} appears twice")
        seen.add(item.id)
        if item.customer not in scenarios.customers:
            raise ValueError(f"{path}: item {item.id}: unknown customer {item.customer!r}")
    return scenarios


def load_fixture(directory: Path) -> dict[str, list[dict[str, Any]]]:
    """The fixture's canonical records by entity (files that are absent give none)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for entity, name in FIXTURE_FILES:
        file = directory / name
        out[entity] = json.loads(file.read_text(encoding="utf-8")) if file.exists() else []
    return out


@dataclass(frozen=True)
class RecordKey:
    """How a cited record is recognised as a fixture record: its type and a unique label."""

    record_type: str  # interaction | article | order
    label: str  # subject, title or order number


def record_keys(fixture: dict[str, list[dict[str, Any]]]) -> dict[str, RecordKey]:
    """Fixture external id -> the key a cited record (GET /records/ID) is matched by."""
    keys: dict[str, RecordKey] = {}
    for r in fixture.get("interaction", []):
        keys[r["external_id"]] = RecordKey("interaction", r["subject"])
    for r in fixture.get("article", []):
        keys[r["external_id"]] = RecordKey("article", r["title"])
    for r in fixture.get("order", []):
        keys[r["external_id"]] = RecordKey("order", r.get("order_number") or r["external_id"])
    return keys


def record_label(record: dict[str, Any]) -> RecordKey:
    """The key of a record as GET /records/ID returns it."""
    kind = str(record.get("record_type", ""))
    label = {"interaction": "subject", "article": "title", "order": "order_number"}.get(kind)
    return RecordKey(kind, str(record.get(label) or "") if label else "")


def normalise(text: str) -> str:
    """NFKC, case-folded, digit groups joined (29,100 -> 29100), whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _DIGIT_GROUPS.sub("", text)
    return re.sub(r"\s+", " ", text)


@dataclass
class Cited:
    """One citation of an output as the checks see it."""

    record_id: str
    kind: str
    key: RecordKey | None = None  # the fixture key of the cited record, when fetched


@dataclass
class Output:
    """What one item produced through the API."""

    status: int
    text: str = ""
    answered: bool | None = None
    citations: list[Cited] = field(default_factory=list)
    seconds: float = 0.0
    degraded: str | None = None
    error: str | None = None


@dataclass
class Outcome:
    item: Item
    output: Output
    failures: list[str]

    @property
    def passed(self) -> bool:
        return not self.failures


def _cites(ref: str, cited: Cited, keys: dict[str, RecordKey]) -> bool:
    if ref == "profile":
        return cited.record_id.startswith("profile:") or cited.kind == "profile"
    if ref.startswith("kind:"):
        return cited.kind == ref.removeprefix("kind:")
    key = keys.get(ref)
    return key is not None and cited.key == key


def check(
    scenarios: ScenarioSet, item: Item, output: Output, keys: dict[str, RecordKey]
) -> Outcome:
    """Judge one output against its item; every failed check gives one reason."""
    failures: list[str] = []
    if output.status != item.status:
        detail = f": {output.error}" if output.error else ""
        failures.append(f"HTTP {output.status}, expected {item.status}{detail}")
        return Outcome(item, output, failures)
    if item.status != 200:
        return Outcome(item, output, failures)
    text = normalise(output.text)
    for group in item.must_include:
        if not any(normalise(s) in text for s in group):
            failures.append(f"missing one of {group}")
    for s in scenarios.forbidden(item):
        if normalise(s) in text:
            failures.append(f"contains {s!r}")
    for group in item.must_cite:
        unknown = [r for r in group if r != "profile" and not r.startswith("kind:")]
        unknown = [r for r in unknown if r not in keys]
        if unknown:
            failures.append(f"must_cite names unknown fixture ids {unknown}")
        elif not any(_cites(r, c, keys) for r in group for c in output.citations):
            failures.append(f"cites none of {group}")
    if item.answered is not None and output.answered is not item.answered:
        failures.append(f"answered={output.answered}, expected {item.answered}")
    return Outcome(item, output, failures)


@dataclass
class Row:
    category: str
    passed: int = 0
    total: int = 0

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def pass_table(outcomes: list[Outcome]) -> list[Row]:
    """Passed / total per category (in first-seen order), then an `overall` row."""
    rows: dict[str, Row] = {}
    for o in outcomes:
        row = rows.setdefault(o.item.category, Row(o.item.category))
        row.total += 1
        row.passed += o.passed
    overall = Row("overall", sum(r.passed for r in rows.values()), len(outcomes))
    return [*rows.values(), overall]


def markdown_table(rows: list[Row]) -> str:
    """The pass table as Markdown (for docs)."""
    lines = ["| category | passed | total | rate |", "|---|---:|---:|---:|"]
    for r in rows:
        name = f"**{r.category}**" if r.category == "overall" else r.category
        lines.append(f"| {name} | {r.passed} | {r.total} | {r.rate:.0%} |")
    return "\n".join(lines)


def report_json(scenarios: ScenarioSet, outcomes: list[Outcome], seconds: float) -> dict[str, Any]:
    """Every item's output, checks and timing, and the table (for --json)."""
    by_category: dict[str, list[str]] = defaultdict(list)
    for o in outcomes:
        if not o.passed:
            by_category[o.item.category].append(o.item.id)
    return {
        "name": scenarios.name,
        "seconds": round(seconds, 1),
        "table": [
            {"category": r.category, "passed": r.passed, "total": r.total}
            for r in pass_table(outcomes)
        ],
        "failed": dict(by_category),
        "items": [
            {
                "id": o.item.id,
                "category": o.item.category,
                "kind": o.item.kind,
                "language": o.item.language,
                "customer": o.item.customer,
                "input": o.item.input,
                "passed": o.passed,
                "failures": o.failures,
                "status": o.output.status,
                "answered": o.output.answered,
                "degraded": o.output.degraded,
                "seconds": round(o.output.seconds, 2),
                "citations": [
                    {
                        "record_id": c.record_id,
                        "kind": c.kind,
                        "label": c.key.label if c.key else None,
                    }
                    for c in o.output.citations
                ],
                "text": o.output.text,
            }
            for o in outcomes
        ],
    }
