"""Retrieval evaluation on labelled questions: recall@1/5/10, MRR and nDCG@10 per mode and category.

A questions file is JSONL, one ``{query, relevant_ids, scope, language?, category?}`` per line
(the demo's questions.jsonl), or the demo's questions.json with a "questions" list.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrieval.errors import QuestionsFileError
from retrieval.types import Scope

if TYPE_CHECKING:
    from retrieval.service import Retrieval

MODES = ("keyword", "vector", "hybrid")


@dataclass(frozen=True)
class Question:
    query: str
    relevant_ids: frozenset[str]
    scope: Scope
    category: str
    language: str | None = None


@dataclass
class Metrics:
    """Mean metrics over a set of questions."""

    questions: int = 0
    recall_at_1: float = 0.0
    recall_at_5: float = 0.0
    recall_at_10: float = 0.0
    mrr: float = 0.0
    ndcg_at_10: float = 0.0


@dataclass
class EvalReport:
    """Metrics per mode, per category ("all" plus each question category)."""

    table: dict[str, dict[str, Metrics]] = field(default_factory=dict)  # mode -> category -> m


def _scope(raw: Any, where: str) -> Scope:
    if not isinstance(raw, dict) or raw.get("kind") not in ("customer", "knowledge_base", "global"):
        raise QuestionsFileError(
            f"{where}: field 'scope' must be {{'kind': 'customer', 'customer_id': N}}, "
            "{'kind': 'knowledge_base'} or {'kind': 'global'}"
        )
    if raw["kind"] == "customer":
        if not isinstance(raw.get("customer_id"), int):
            raise QuestionsFileError(f"{where}: field 'scope.customer_id' must be an integer")
        return Scope.customer(raw["customer_id"])
    return Scope(raw["kind"])


def parse_question(raw: Any, where: str) -> Question:
    """One labelled question from its JSON object; `where` names file and line for errors."""
    if not isinstance(raw, dict):
        raise QuestionsFileError(f"{where}: expected a JSON object")
    query = raw.get("query")
    if not isinstance(query, str) or not query.strip():
        raise QuestionsFileError(f"{where}: field 'query' must be a non-empty string")
    relevant = raw.get("relevant_ids")
    if (
        not isinstance(relevant, list)
        or not relevant
        or not all(isinstance(r, str) for r in relevant)
    ):
        raise QuestionsFileError(f"{where}: field 'relevant_ids' must be a non-empty list of ids")
    language = raw.get("language")
    return Question(
        query=query,
        relevant_ids=frozenset(relevant),
        scope=_scope(raw.get("scope"), where),
        category=str(raw.get("category") or language or "all"),
        language=language,
    )


def load_questions(path: str | Path) -> list[Question]:
    """Read a JSONL (or the demo's JSON) questions file; errors name the file, line and field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise QuestionsFileError(f"{path}: cannot read: {e.strerror}") from e
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise QuestionsFileError(f"{path}: not valid JSON: {e}") from e
        items = data.get("questions") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise QuestionsFileError(f"{path}: expected a list under 'questions'")
        return [parse_question(q, f"{path}: question {i + 1}") for i, q in enumerate(items)]
    questions = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as e:
            raise QuestionsFileError(f"{path}:{number}: not valid JSON: {e.msg}") from e
        questions.append(parse_question(raw, f"{path}:{number}"))
    if not questions:
        raise QuestionsFileError(f"{path}: no questions")
    return questions


def score_ranking(ranked: list[str], relevant: frozenset[str]) -> dict[str, float]:
    """Recall@1/5/10, reciprocal rank and nDCG@10 of one ranked list of record ids."""

    def recall(k: int) -> float:
        return len(relevant & set(ranked[:k])) / len(relevant)

    rr = next((1.0 / i for i, r in enumerate(ranked, start=1) if r in relevant), 0.0)
    dcg = sum(1.0 / math.log2(i + 1) for i, r in enumerate(ranked[:10], start=1) if r in relevant)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(len(relevant), 10) + 1))
    return {
        "recall_at_1": recall(1),
        "recall_at_5": recall(5),
        "recall_at_10": recall(10),
        "mrr": rr,
        "ndcg_at_10": dcg / ideal,
    }


def _mean(rows: list[dict[str, float]]) -> Metrics:
    if not rows:
        return Metrics()
    n = len(rows)
    return Metrics(n, *(sum(r[key] for r in rows) / n for key in rows[0]))


def evaluate(
    retrieval: Retrieval, questions: list[Question], modes: tuple[str, ...] = MODES, k: int = 10
) -> EvalReport:
    """Run every question in every mode and average the metrics per category."""
    report = EvalReport()
    for mode in modes:
        per_category: dict[str, list[dict[str, float]]] = {"all": []}
        for q in questions:
            hits = retrieval.search(q.query, q.scope, k=k, mode=mode)  # type: ignore[arg-type]
            row = score_ranking([h.record_id for h in hits], q.relevant_ids)
            per_category["all"].append(row)
            per_category.setdefault(q.category, []).append(row)
        report.table[mode] = {cat: _mean(rows) for cat, rows in per_category.items()}
    return report


def markdown_table(report: EvalReport) -> str:
    """The report as a Markdown table (category, mode, metrics)."""
    lines = [
        "| category | mode | n | recall@1 | recall@5 | recall@10 | MRR | nDCG@10 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    categories = sorted({c for per in report.table.values() for c in per}, key=lambda c: c != "all")
    for category in categories:
        for mode, per in report.table.items():
            m = per.get(category)
            if m is None:
                continue
            lines.append(
                f"| {category} | {mode} | {m.questions} | {m.recall_at_1:.3f} | "
                f"{m.recall_at_5:.3f} | {m.recall_at_10:.3f} | {m.mrr:.3f} | {m.ndcg_at_10:.3f} |"
            )
    return "\n".join(lines)
