"""Compare embedders on the bilingual labelled set (dense retrieval only, customer-scoped).

    python benchmarks/bench_embedders.py use-multilingual fake-64 sentence-transformers:<path>

Prints recall@1, recall@5, MRR per category (ja / en / cross), encode rate and the resident
memory the model added. Asserts nothing.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.settings import RetrievalSettings
from retrieval.embedders import make_embedder
from retrieval.evaluation import score_ranking

TOPICS = Path(__file__).resolve().parents[1] / "tests/retrieval/data/bilingual_topics.json"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_set() -> tuple[list[list[str]], list[tuple[str, int, int, str]]]:
    """Two customers' notes (topic i in ja for one, en for the other) and scoped queries."""
    topics = json.loads(TOPICS.read_text(encoding="utf-8"))
    half = len(topics) // 2
    corpora, queries = [], []
    for c, flip in enumerate((False, True)):
        langs = ["en" if (t < half) == flip else "ja" for t in range(len(topics))]
        corpora.append([topic[lang] for topic, lang in zip(topics, langs, strict=True)])
        for t, topic in enumerate(topics):
            for q in ("ja", "en"):
                queries.append((topic[f"q_{q}"], c, t, q if q == langs[t] else "cross"))
    return corpora, queries


def measure(spec: str) -> None:
    before = _rss_mb()
    embedder = make_embedder(RetrievalSettings(embedder=spec))
    corpora, queries = build_set()
    embedder.embed(["warm-up"])
    texts = [t for corpus in corpora for t in corpus] * 5
    t0 = time.perf_counter()
    embedder.embed(texts)
    rate = len(texts) / (time.perf_counter() - t0)
    doc_vecs = [embedder.embed(corpus) for corpus in corpora]
    q_vecs = embedder.embed([q for q, _, _, _ in queries])
    rows: dict[str, list[dict[str, float]]] = {"all": [], "ja": [], "en": [], "cross": []}
    for (_, c, t, category), qv in zip(queries, q_vecs, strict=True):
        order = np.argsort(-(doc_vecs[c] @ qv))
        scores = score_ranking([str(i) for i in order], frozenset([str(t)]))
        rows["all"].append(scores)
        rows[category].append(scores)
    print(f"\n{spec}: {rate:.0f} sentences/s, +{_rss_mb() - before:.0f} MB peak RSS")
    for category, values in rows.items():
        mean = {k: sum(v[k] for v in values) / len(values) for k in values[0]}
        print(
            f"  {category:5s} n={len(values):3d}  R@1 {mean['recall_at_1']:.3f}  "
            f"R@5 {mean['recall_at_5']:.3f}  MRR {mean['mrr']:.3f}"
        )


if __name__ == "__main__":
    for spec in sys.argv[1:] or ["use-multilingual", "fake-64"]:
        measure(spec)
