"""Fusion benchmark: keyword, vector and hybrid search on every labelled set, with throughput.

    python benchmarks/bench_fusion.py [--sets demo jaquad support_en] [--work DIR]
                                      [--jaquad ../shared/data/jaquad-dev] [--embedder ...]

Sets:
  demo        the demo company's labelled questions (customer-scoped, ja / en / cross),
              generated with the default seed by `demo.load_demo`;
  jaquad      JaQuAD dev (CC BY-SA 3.0, Skelter Labs): 1,431 Wikipedia paragraphs as
              knowledge-base articles, 3,939 Japanese questions;
  support_en  tests/retrieval/data/support_en: 62 English support articles, 149 questions
              (paraphrased, direct, and Japanese questions about the English articles).

Each set is loaded and indexed once into WORK/<set> (reused by later runs: delete the folder
to rebuild). Prints recall@5, MRR and queries/s per set and mode, then per category;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.db import make_engine, make_session_factory, migrate
from knowledge.settings import Settings
from retrieval.errors import QuestionsFileError
from retrieval.evaluation import Question, load_questions, score_ranking
from retrieval.labelled_sets import load_article_set, load_jaquad
from retrieval.service import Retrieval, build_retrieval

ROOT = Path(__file__).resolve().parents[1]
SUPPORT_EN = ROOT / "tests/retrieval/data/support_en"
JAQUAD = ROOT.parent / "shared/data/jaquad-dev"
MODES = ("keyword", "vector", "hybrid")


def _settings(data: Path, embedder: str) -> Settings:
    settings = Settings(environment="test", data_dir=data)  # type: ignore[call-arg]
    settings.retrieval.embedder = embedder
    return settings


def _questions_jsonl(questions: list[Question], path: Path) -> None:
    rows = []
    for q in questions:
        scope: dict[str, object] = {"kind": q.scope.kind}
        if q.scope.customer_id is not None:
            scope["customer_id"] = q.scope.customer_id
        row = {
            "query": q.query,
            "relevant_ids": sorted(q.relevant_ids),
            "scope": scope,
            "category": q.category,
            "language": q.language,
        }
        rows.append(json.dumps(row, ensure_ascii=False))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def prepare(name: str, work: Path, embedder: str, jaquad: Path) -> tuple[Retrieval, list[Question]]:
    """The set's indexed retrieval service and its questions (built once per work folder)."""
    data = work / name
    ready = data / "questions.jsonl"
    settings = _settings(data, embedder)
    if not ready.exists():
        data.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.database)
        migrate(engine)
        sessions = make_session_factory(engine)
        t0 = time.perf_counter()
        if name == "demo":
            from demo import load_demo

            load_demo(sessions, settings)
            questions = load_questions(data / "demo" / "questions.jsonl")
        elif name == "jaquad":
            questions = load_jaquad(sessions, jaquad)
        elif name == "support_en":
            questions = load_article_set(sessions, SUPPORT_EN)
        else:
            raise SystemExit(f"unknown set {name!r}")
        retrieval = build_retrieval(settings.retrieval, sessions)
        report = retrieval.index(progress=False)
        _questions_jsonl(questions, ready)
        print(
            f"[{name}] loaded and indexed {report.chunks_upserted} chunks in "
            f"{time.perf_counter() - t0:.0f} s",
            file=sys.stderr,
        )
        return retrieval, questions
    sessions = make_session_factory(make_engine(settings.database))
    return build_retrieval(settings.retrieval, sessions), load_questions(ready)


def run_mode(
    retrieval: Retrieval, questions: list[Question], mode: str
) -> tuple[dict[str, list[dict[str, float]]], float]:
    """Per-category metric rows and queries per second of one mode."""
    for q in questions[:5]:  # warm caches (BM25 model, bridge vectors, embedder)
        retrieval.search(q.query, q.scope, k=10, mode=mode)  # type: ignore[arg-type]
    rows: dict[str, list[dict[str, float]]] = {"all": []}
    t0 = time.perf_counter()
    for q in questions:
        hits = retrieval.search(q.query, q.scope, k=10, mode=mode)  # type: ignore[arg-type]
        row = score_ranking([h.record_id for h in hits], q.relevant_ids)
        rows["all"].append(row)
        rows.setdefault(q.category, []).append(row)
    return rows, len(questions) / (time.perf_counter() - t0)


def _mean(rows: list[dict[str, float]], key: str) -> float:
    return sum(r[key] for r in rows) / len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", nargs="+", default=["demo", "jaquad", "support_en"])
    parser.add_argument("--work", type=Path, default=Path("/tmp/kizuna-bench-fusion"))
    parser.add_argument("--embedder", default="use-multilingual")
    parser.add_argument("--jaquad", type=Path, default=JAQUAD)
    parser.add_argument("--modes", nargs="+", default=list(MODES))
    parser.add_argument("--categories", action="store_true", help="also print per category")
    args = parser.parse_args()
    summary = [
        "| set | n | mode | recall@1 | recall@5 | MRR | queries/s |",
        "|---|---|---|---|---|---|---|",
    ]
    detail = ["| set | category | n | mode | recall@5 | MRR |", "|---|---|---|---|---|---|"]
    for name in args.sets:
        try:
            retrieval, questions = prepare(name, args.work, args.embedder, args.jaquad)
        except QuestionsFileError as e:
            raise SystemExit(f"{name}: {e}") from e
        for mode in args.modes:
            rows, qps = run_mode(retrieval, questions, mode)
            summary.append(
                f"| {name} | {len(questions)} | {mode} | {_mean(rows['all'], 'recall_at_1'):.3f} | "
                f"{_mean(rows['all'], 'recall_at_5'):.3f} | {_mean(rows['all'], 'mrr'):.3f} | "
                f"{qps:.0f} |"
            )
            for category, values in sorted(rows.items()):
                if category != "all":
                    detail.append(
                        f"| {name} | {category} | {len(values)} | {mode} | "
                        f"{_mean(values, 'recall_at_5'):.3f} | {_mean(values, 'mrr'):.3f} |"
                    )
            print(summary[-1], file=sys.stderr)
        retrieval.keywords.close()
    print("\n".join(summary))
    if args.categories:
        print()
        print("\n".join(detail))
    print(f"\nreproduce: python benchmarks/bench_fusion.py --sets {' '.join(args.sets)}")


if __name__ == "__main__":
    main()
