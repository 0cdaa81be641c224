"""Evaluation metrics and the questions-file reader."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from retrieval.errors import QuestionsFileError
from retrieval.evaluation import load_questions, score_ranking
from retrieval.types import Scope


def test_metrics_of_one_ranking() -> None:
    m = score_ranking(["a", "x", "b", "y"], frozenset({"b", "a"}))
    assert m["recall_at_1"] == 0.5 and m["recall_at_5"] == 1.0 and m["mrr"] == 1.0
    ideal = 1 + 1 / math.log2(3)
    assert m["ndcg_at_10"] == pytest.approx((1 + 1 / math.log2(4)) / ideal)
    none = score_ranking(["x"], frozenset({"a"}))
    assert none == {
        "recall_at_1": 0.0,
        "recall_at_5": 0.0,
        "recall_at_10": 0.0,
        "mrr": 0.0,
        "ndcg_at_10": 0.0,
    }


def test_reads_jsonl_and_demo_json(tmp_path: Path) -> None:
    q = {
        "query": "返品",
        "relevant_ids": ["article:1"],
        "scope": {"kind": "knowledge_base"},
        "language": "ja",
        "category": "cross",
    }
    jsonl = tmp_path / "q.jsonl"
    jsonl.write_text(json.dumps(q) + "\n\n")
    (parsed,) = load_questions(jsonl)
    assert parsed.scope == Scope.knowledge_base() and parsed.category == "cross"
    demo = tmp_path / "questions.json"
    demo.write_text(
        json.dumps(
            {"seed": 1, "questions": [q, {**q, "scope": {"kind": "customer", "customer_id": 4}}]}
        )
    )
    assert [x.scope for x in load_questions(demo)] == [Scope.knowledge_base(), Scope.customer(4)]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("not json", "q.jsonl:1: not valid JSON"),
        ('{"relevant_ids": ["a"], "scope": {"kind": "global"}}', "field 'query'"),
        ('{"query": "x", "relevant_ids": [], "scope": {"kind": "global"}}', "field 'relevant_ids'"),
        ('{"query": "x", "relevant_ids": ["a"]}', "field 'scope'"),
    ],
)
def test_bad_lines_name_file_line_and_field(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(QuestionsFileError, match=message):
        load_questions(path)
