"""Labelled article sets for retrieval evaluation: documents written as knowledge-base articles,
with their questions as `Question`s scoped to the knowledge base.

Two layouts are read:

- an article set (``articles.jsonl``: ``{id, title, body, kind?, language?}``; ``questions.jsonl``:
  ``{query, doc_ids, category?, language?}``), e.g. the English support set in
  ``tests/retrieval/data/support_en``;
- JaQuAD (SQuAD v1.1 JSON files): every paragraph is one article (its page title + context), a
  question's relevant record is the paragraph holding its answer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from knowledge.models import Article
from retrieval.errors import QuestionsFileError
from retrieval.evaluation import Question
from retrieval.types import Scope


def _jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise QuestionsFileError(f"{path}: cannot read: {e.strerror}") from e
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise QuestionsFileError(f"{path}:{number}: not valid JSON: {e.msg}") from e
    return rows


def write_articles(sessions: sessionmaker[Session], docs: list[dict[str, Any]]) -> list[int]:
    """Insert documents (title, body, kind?, language?) as articles; their ids in order."""
    with sessions.begin() as s:
        rows = [
            Article(
                kind=str(d.get("kind") or "faq"),
                title=str(d["title"]),
                body=str(d["body"]),
                language=d.get("language"),
                tags=[],
            )
            for d in docs
        ]
        s.add_all(rows)
        s.flush()
        return [row.id for row in rows]


def load_article_set(sessions: sessionmaker[Session], directory: str | Path) -> list[Question]:
    """Write `directory`/articles.jsonl as articles; return `directory`/questions.jsonl."""
    directory = Path(directory)
    docs = _jsonl(directory / "articles.jsonl")
    for doc in docs:
        doc.setdefault("language", "en")
    ids = write_articles(sessions, docs)
    record_of = {str(d["id"]): f"article:{i}" for d, i in zip(docs, ids, strict=True)}
    questions = []
    for number, raw in enumerate(_jsonl(directory / "questions.jsonl"), start=1):
        unknown = [d for d in raw.get("doc_ids", []) if d not in record_of]
        if not raw.get("doc_ids") or unknown:
            raise QuestionsFileError(
                f"{directory / 'questions.jsonl'}:{number}: doc_ids must name documents of "
                f"articles.jsonl (unknown: {unknown})"
            )
        questions.append(
            Question(
                query=str(raw["query"]),
                relevant_ids=frozenset(record_of[d] for d in raw["doc_ids"]),
                scope=Scope.knowledge_base(),
                category=str(raw.get("category") or "all"),
                language=raw.get("language"),
            )
        )
    return questions


def load_jaquad(
    sessions: sessionmaker[Session], directory: str | Path, *, max_questions: int = 0
) -> list[Question]:
    """Write every JaQuAD paragraph as an article; return its questions (category:
    the set's `question_type`; `max_questions` > 0 keeps an evenly spread sample)."""
    files = sorted(Path(directory).glob("*.json"))
    if not files:
        raise QuestionsFileError(f"{directory}: no JaQuAD *.json files")
    docs: list[dict[str, Any]] = []
    asked: list[tuple[int, dict[str, Any]]] = []
    for file in files:
        for page in json.loads(file.read_text(encoding="utf-8"))["data"]:
            for paragraph in page["paragraphs"]:
                docs.append(
                    {"title": page["title"], "body": paragraph["context"], "language": "ja"}
                )
                asked.extend((len(docs) - 1, qa) for qa in paragraph["qas"])
    ids = write_articles(sessions, docs)
    if max_questions and len(asked) > max_questions:
        step = len(asked) / max_questions
        asked = [asked[int(i * step)] for i in range(max_questions)]
    return [
        Question(
            query=qa["question"],
            relevant_ids=frozenset({f"article:{ids[doc]}"}),
            scope=Scope.knowledge_base(),
            category=str(qa.get("question_type") or "all"),
            language="ja",
        )
        for doc, qa in asked
    ]
