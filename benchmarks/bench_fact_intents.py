"""Fact-question recognition on the labelled set: keywords, the embedder's nearest example, both.

PYTHONPATH=. python benchmarks/bench_fact_intents.py [--embedder use-multilingual]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from assistant.fact_intents import FactRecogniser, Intent, keyword_intent
from knowledge.settings import RetrievalSettings
from retrieval.embedders import make_embedder

DATA = Path(__file__).parents[1] / "tests" / "assistant" / "data" / "fact_questions.yaml"


def score(recognise: object) -> tuple[float, float]:
    """(precision, recall) over facts, overview and promises labels; non-fact questions add
    false hits."""
    data = yaml.safe_load(DATA.read_text())
    tp = fn = fp = 0
    for item in data["facts"]:
        got: Intent = recognise(item["q"])  # type: ignore[operator]
        tp += len(set(item["facts"]) & set(got.facts))
        fn += len(set(item["facts"]) - set(got.facts))
        fp += len(set(got.facts) - set(item["facts"]))
    for q in data["overview"]:
        got = recognise(q)  # type: ignore[operator]
        tp += got.overview
        fn += not got.overview
    for q in data["promises"]:
        got = recognise(q)  # type: ignore[operator]
        tp += got.promises
        fn += not got.promises
    for q in data["not_facts"]:
        got = recognise(q)  # type: ignore[operator]
        fp += len(got.facts) + got.overview + got.promises
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embedder", default="use-multilingual")
    args = parser.parse_args()
    embedder = make_embedder(RetrievalSettings(embedder=args.embedder))
    both = FactRecogniser(embedder)
    only = FactRecogniser(embedder)
    rows = {
        "keywords": keyword_intent,
        "embedding": only._nearest,  # the nearest-example side alone
        "keywords + embedding": both.recognise,
    }
    print("| recogniser | precision | recall |\n|---|---|---|")
    for name, fn in rows.items():
        p, r = score(fn)
        print(f"| {name} | {p:.3f} | {r:.3f} |")


if __name__ == "__main__":
    main()
