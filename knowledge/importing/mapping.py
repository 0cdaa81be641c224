"""Declarative source mappings (YAML): how a source's records become canonical records.

The format is documented in docs/imports.md. A mapping has one part per entity; each part
names the files it applies to, where the records sit in a JSON file, the external id, the
field specs (dotted paths or small transforms), defaults and reference sources.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from knowledge.errors import ImportRejected, RowRejected
from knowledge.importing.canonical import ENTITIES

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "mappings"
_MISSING = object()
_TRANSFORMS = {
    "path",
    "join",
    "split",
    "sum",
    "count",
    "keys",
    "each",
    "object",
    "value",
    "date",
    "map",
}


@dataclass(frozen=True)
class EntityMapping:
    """How one entity's records are read from a source."""

    entity: str
    files: tuple[str, ...] = ()
    records: str = ""
    explode: str | None = None
    external_id: Any = "external_id"
    fields: dict[str, Any] | None = None  # None: records are canonical already
    defaults: dict[str, Any] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)  # entity -> source

    def matches(self, filename: str) -> bool:
        """Whether this part applies to a file name."""
        return any(fnmatch.fnmatch(filename, pattern) for pattern in self.files)

    def expand(self, record: dict[str, Any], key: str | None) -> list[dict[str, Any]]:
        """The source records inside one read record (several when `explode` is set)."""
        scope = {"$key": key, "$record": record}
        if not self.explode:
            return [scope]
        inner = _resolve(scope, self.explode)
        if inner is _MISSING or inner is None:
            return []
        items = inner.items() if isinstance(inner, dict) else enumerate(inner)
        return [
            {"$key": str(k), "$record": v, "$parent": record, "$parent_key": key}
            for k, v in items
            if isinstance(v, dict)
        ]

    def apply(self, scope: dict[str, Any]) -> dict[str, Any]:
        """One canonical record from a source record (RowRejected names the field)."""
        record = scope["$record"]
        if self.fields is None:
            out = dict(record)
        else:
            out = {}
            for name, spec in self.fields.items():
                value = evaluate(spec, scope, name)
                if value is not _MISSING and value is not None:
                    out[name] = value
        ext = evaluate(self.external_id, scope, "external_id")
        if ext is not _MISSING and ext is not None:
            out["external_id"] = ext
        for name, value in self.defaults.items():
            if out.get(name) in (None, ""):
                out[name] = value
        return out


@dataclass(frozen=True)
class SourceMapping:
    """A named mapping: one EntityMapping per entity the source exports."""

    name: str
    source: str | None
    parts: tuple[EntityMapping, ...]

    def for_entity(self, entity: str) -> EntityMapping:
        """The part for one entity (ImportRejected when the mapping has none)."""
        for part in self.parts:
            if part.entity == entity:
                return part
        raise ImportRejected(f"mapping {self.name!r} has no part for entity {entity!r}")

    def for_file(self, filename: str) -> EntityMapping | None:
        """The part whose file patterns match a file name."""
        return next((p for p in self.parts if p.matches(filename)), None)


def load_mapping(ref: str | Path) -> SourceMapping:
    """A built-in mapping by name (e.g. `kizuna-customer`) or a YAML file path."""
    path = Path(ref)
    if not path.suffix:
        path = BUILTIN_DIR / f"{ref}.yaml"
        if not path.exists():
            names = ", ".join(sorted(builtin_mappings()))
            raise ImportRejected(f"no built-in mapping {ref!r}; built-in: {names}")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ImportRejected(f"{path}: cannot read mapping ({e})") from e
    return parse_mapping(doc, str(path))


def builtin_mappings() -> list[str]:
    """Names of the mappings shipped in knowledge/mappings/."""
    return sorted(p.stem for p in BUILTIN_DIR.glob("*.yaml"))


def canonical_mapping(entity: str) -> SourceMapping:
    """The identity mapping of a canonical entity (records carry the canonical field names)."""
    return SourceMapping(f"kizuna-{entity}", None, (EntityMapping(entity=entity),))


def parse_mapping(doc: Any, where: str = "<mapping>") -> SourceMapping:
    """Check and build a SourceMapping from its YAML document."""
    if not isinstance(doc, dict):
        raise ImportRejected(f"{where}: a mapping must be a YAML object")
    raw_parts = doc.get("entities")
    if raw_parts is None and "entity" in doc:
        raw_parts = [doc]
    if not isinstance(raw_parts, list) or not raw_parts:
        raise ImportRejected(f"{where}: `entities` must be a non-empty list")
    parts = []
    for n, raw in enumerate(raw_parts):
        here = f"{where}: entities[{n}]"
        if not isinstance(raw, dict) or raw.get("entity") not in ENTITIES:
            raise ImportRejected(f"{here}: `entity` must be one of {', '.join(ENTITIES)}")
        fields = raw.get("fields")
        if fields is not None and not isinstance(fields, dict):
            raise ImportRejected(f"{here}: `fields` must be an object")
        for name, spec in (fields or {}).items():
            _check_spec(spec, f"{here}.fields.{name}")
        files = raw.get("files", [])
        parts.append(
            EntityMapping(
                entity=raw["entity"],
                files=tuple([files] if isinstance(files, str) else files),
                records=str(raw.get("records", "") or ""),
                explode=raw.get("explode"),
                external_id=raw.get("external_id", "external_id"),
                fields=fields,
                defaults=dict(raw.get("defaults") or {}),
                references=dict(raw.get("references") or {}),
            )
        )
    name = str(doc.get("name") or Path(where).stem)
    return SourceMapping(name=name, source=doc.get("source"), parts=tuple(parts))


def _check_spec(spec: Any, where: str) -> None:
    if isinstance(spec, str | int | float | bool) or spec is None:
        return
    if not isinstance(spec, dict):
        raise ImportRejected(f"{where}: a field spec is a path or an object")
    unknown = set(spec) - _TRANSFORMS - {"sep", "index", "field", "fields", "format", "default"}
    if unknown or not set(spec) & _TRANSFORMS:
        raise ImportRejected(
            f"{where}: unknown keys {sorted(unknown)}; use one of {sorted(_TRANSFORMS)}"
        )
    for sub in spec.get("join", []) if isinstance(spec.get("join"), list) else []:
        _check_spec(sub, where)
    for key in ("fields", "object"):
        subs = spec.get(key) or {}
        if not isinstance(subs, dict):
            raise ImportRejected(f"{where}.{key}: must be an object of field specs")
        for name, sub in subs.items():
            _check_spec(sub, f"{where}.{name}")


def evaluate(spec: Any, scope: dict[str, Any], name: str) -> Any:
    """The value of a field spec for one source record."""
    if isinstance(spec, str):
        return _resolve(scope, spec)
    if not isinstance(spec, dict):
        return spec  # a constant (number, bool, null)
    if "value" in spec:
        return spec["value"]
    if "join" in spec:
        parts = [evaluate(p, scope, name) for p in spec["join"]]
        value: Any = spec.get("sep", " ").join(
            str(p) for p in parts if p is not _MISSING and p not in (None, "")
        )
    elif "split" in spec:
        raw = _resolve(scope, spec["split"])
        pieces = str(raw).split(spec.get("sep")) if raw not in (_MISSING, None) else []
        index = int(spec.get("index", 0))
        value = pieces[index].strip() if -len(pieces) <= index < len(pieces) else _MISSING
    elif "object" in spec:
        built = {k: evaluate(s, scope, f"{name}.{k}") for k, s in spec["object"].items()}
        value = {k: v for k, v in built.items() if v is not _MISSING and v is not None}
    elif "sum" in spec or "count" in spec or "keys" in spec or "each" in spec:
        value = _collection(spec, scope, name)
    else:
        value = _resolve(scope, spec["path"])
    if "map" in spec and value not in (_MISSING, None):
        value = spec["map"].get(value, spec["map"].get(str(value), value))
    if "date" in spec and value not in (_MISSING, None, ""):
        try:
            value = datetime.strptime(str(value), spec["date"]).isoformat()
        except ValueError as e:
            raise RowRejected(f"{value!r} does not match date format {spec['date']!r}", name) from e
    if value in (_MISSING, None, "") and "default" in spec:
        value = spec["default"]
    return value


def _collection(spec: dict[str, Any], scope: dict[str, Any], name: str) -> Any:
    path = spec.get("sum") or spec.get("count") or spec.get("keys") or spec.get("each")
    items = _resolve(scope, str(path))
    if items is _MISSING or items is None:
        return _MISSING
    if "keys" in spec:
        return list(items) if isinstance(items, dict) else _MISSING
    values = list(items.values()) if isinstance(items, dict) else list(items)
    if "count" in spec:
        return len(values)
    if "each" in spec:
        sub_fields = spec.get("fields") or {}
        out = []
        for item in values:
            sub_scope = {**scope, "$record": item, "$parent": scope["$record"]}
            row = {k: evaluate(s, sub_scope, f"{name}.{k}") for k, s in sub_fields.items()}
            out.append({k: v for k, v in row.items() if v is not _MISSING})
        return out
    total = Decimal(0)
    for item in values:
        raw = item.get(spec["field"]) if "field" in spec and isinstance(item, dict) else item
        try:
            total += Decimal(str(raw))
        except InvalidOperation as e:
            raise RowRejected(f"{raw!r} in {path} is not a number", name) from e
    return str(total)


def _resolve(scope: dict[str, Any], path: str) -> Any:
    """A dotted path: `a.b.0.c` in the record; `$key`, `$parent.x`, `$parent_key` too."""
    head, _, rest = path.partition(".")
    if head.startswith("$"):
        if head not in scope:
            return _MISSING
        current: Any = scope[head]
        steps = rest.split(".") if rest else []
    else:
        current = scope["$record"]
        steps = path.split(".")
    for step in steps:
        if isinstance(current, dict):
            current = current.get(step, _MISSING)
        elif isinstance(current, list) and step.lstrip("-").isdigit():
            idx = int(step)
            current = current[idx] if -len(current) <= idx < len(current) else _MISSING
        else:
            return _MISSING
        if current is _MISSING:
            return _MISSING
    return current
