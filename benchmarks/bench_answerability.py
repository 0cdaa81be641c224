"""False declines and false answers of the answerability decision on the demo company.

The labelled set: the demo's own questions (<data_dir>/demo/questions.json: 75 answerable, 7
unanswerable) and benchmarks/data/answerability.yaml (paraphrases with general nouns,
cross-lingual and hostile unanswerable questions). Every question is retrieved exactly as the
chat does (assistant.pipeline.search_scopes) with the configured embedder (use-multilingual).
Held out by customer/article: five folds, each fitted on the others' questions (the logistic
weights and the answer bar), so no figure is fitted on the questions it is measured on.

    export KIZUNA_DATA_DIR=/tmp/kz
    kizuna demo --no-serve --scale 0.1 && kizuna index
    python benchmarks/bench_answerability.py [--fit]

--fit prints the weights fitted on all the questions (what assistant/answerability.py holds).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.answerability import FEATURES, FITTED, Model, decide, evidence
from assistant.asked_attributes import unanswerable_by
from assistant.deps import AssistantDeps
from assistant.llm.fake import FakeChatModel
from assistant.pipeline import search_scopes
from assistant.similarity import Scorer, content_tokens, overlap
from knowledge.db import make_engine, make_session_factory
from knowledge.settings import Settings
from retrieval.service import build_retrieval

HERE = Path(__file__).resolve().parent


@dataclass
class Asked:
    """One labelled question, retrieved: its hits' features and labels."""

    qid: str
    text: str
    group: str  # the customer or article it is about: folds never split a group
    category: str  # ja, en, cross (asked in the other language), unanswerable
    answerable: bool
    relevant: set[str]
    rows: np.ndarray  # one feature row per hit
    hit_ids: list[str]
    baseline: bool  # whether today's gate (cosine >= 0.2 or overlap >= 0.5) answers
    chat: bool  # whether the chat answers: the decision, the named kinds, the asked attribute


def load_questions(data_dir: Path) -> list[dict[str, Any]]:
    """The demo's questions (answerable and not) and the hand-written ones, one shape."""
    doc = json.loads((data_dir / "demo" / "questions.json").read_text(encoding="utf-8"))
    by_id = {q["id"]: q for q in doc["questions"]}
    out = [
        {**q, "answerable": True, "customer_id": q["scope"].get("customer_id")}
        for q in doc["questions"]
    ]
    for q in out:
        q["category"] = "cross" if q["category"] == "cross" else _language(q["query"])
    out += [
        {"id": f"demo-none-{i}", **q, "answerable": False, "relevant_ids": []}
        for i, q in enumerate(doc["unanswerable"])
    ]
    extra = yaml.safe_load((HERE / "data" / "answerability.yaml").read_text(encoding="utf-8"))
    for i, q in enumerate(extra["questions"]):
        like = by_id[q["like"]]
        out.append(
            {
                "id": f"para-{i}-{q['like']}",
                "query": q["q"],
                "customer_id": like["scope"].get("customer_id"),
                "relevant_ids": like["relevant_ids"] if q["answerable"] else [],
                "answerable": q["answerable"],
                "category": "cross"
                if _language(q["q"]) != _records_language(like)
                else _language(q["q"]),
            }
        )
    return out


def _language(text: str) -> str:
    return "ja" if any("\u3040" <= c <= "\u9fff" for c in text) else "en"


def _records_language(q: dict[str, Any]) -> str:
    """The language of the records that answer a demo question (its category says)."""
    asked = _language(q["query"])
    return asked if q["category"] != "cross" else ("en" if asked == "ja" else "ja")


def retrieve(deps: AssistantDeps, questions: list[dict[str, Any]]) -> list[Asked]:
    """Each question searched as the chat searches it, with its hits' features."""
    out = []
    policy = deps.policy
    for q in questions:
        lists = search_scopes(deps, q["query"], q["customer_id"])
        hits = [h for hits in lists for h in hits]
        ranks = [r for hits in lists for r in range(len(hits))]
        scorer = Scorer([h.text for h in hits], deps.retrieval.embedder)
        cosines = scorer.cosines(q["query"]) if hits else []
        rows = np.array(
            [
                evidence(q["query"], h, r, c).vector_of()
                for h, r, c in zip(hits, ranks, cosines, strict=True)
            ]
        ).reshape(len(hits), len(FEATURES))
        asked = content_tokens(q["query"])
        baseline = any(
            policy.relevant(overlap(asked, content_tokens(h.text)), c)
            for h, c in zip(hits, cosines, strict=True)
        )
        relevant = set(q["relevant_ids"])
        group = (
            f"customer:{q['customer_id']}"
            if q["customer_id"] is not None
            else "kb:" + ",".join(sorted(relevant) or [q["id"]])
        )
        out.append(
            Asked(
                q["id"],
                q["query"],
                group,
                q["category"] if q["answerable"] else "unanswerable",
                q["answerable"],
                relevant,
                rows,
                [h.record_id for h in hits],
                baseline,
                _chat_answers(q["query"], lists, cosines),
            )
        )
    return out


def _chat_answers(question: str, lists: list[list[Any]], cosines: list[float]) -> bool:
    """The chat's own decision: answerable (records of a named kind count), and the attribute
    the question asks for held by a kept record (assistant.asked_attributes)."""
    decision = decide(question, lists, cosines)
    kept = [h.text for h in decision.kept]
    return decision.answerable and unanswerable_by(question, kept) is None


def fit(asked: list[Asked], l2: float = 1.0) -> tuple[np.ndarray, float]:
    """Logistic regression of 'this hit answers' on the features (Newton's method, L2)."""
    x = np.vstack([a.rows for a in asked if len(a.rows)])
    y = np.concatenate([[h in a.relevant for h in a.hit_ids] for a in asked]).astype(float)
    x1 = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x1.shape[1])
    penalty = np.eye(x1.shape[1]) * l2
    penalty[-1, -1] = 0.0  # the bias is not shrunk
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x1 @ w)))
        gradient = x1.T @ (p - y) + penalty @ w
        hessian = (x1.T * (p * (1 - p))) @ x1 + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def confidence(a: Asked, model: Model) -> float:
    z = a.rows @ np.array([model.weights[n] for n in FEATURES]) + model.bias
    return float((1 / (1 + np.exp(-z))).max()) if len(z) else 0.0


def rates(asked: list[Asked], answers: list[bool]) -> tuple[float, float]:
    """(false-decline rate among answerable, false-answer rate among unanswerable)."""
    pos = [ans for a, ans in zip(asked, answers, strict=True) if a.answerable]
    neg = [ans for a, ans in zip(asked, answers, strict=True) if not a.answerable]
    return (pos.count(False) / max(1, len(pos)), neg.count(True) / max(1, len(neg)))


def choose_bar(asked: list[Asked], model: Model, max_declines: float = 0.03) -> float:
    """The highest answer bar that declines at most `max_declines` of the answerable questions
    here: a false decline is the failure the user cannot recover from (the model never sees
    the records), while a false answer still meets the model's NOT_IN_RECORDS and the checks."""
    scores = sorted(confidence(a, model) for a in asked if a.answerable)
    return scores[int(max_declines * len(scores))] if scores else 0.5


def fitted_model(train: list[Asked]) -> Model:
    weights, bias = fit(train)
    model = Model(dict(zip(FEATURES, map(float, weights), strict=True)), bias)
    return Model(model.weights, bias, answer_at=choose_bar(train, model))


def cross_validate(asked: list[Asked], folds: int = 5) -> list[bool]:
    """Out-of-fold answers: each group's questions decided by a model fitted without them."""
    groups = sorted({a.group for a in asked})
    rng = np.random.default_rng(11)
    fold_of = {g: i % folds for i, g in enumerate(rng.permutation(groups))}
    answers: dict[str, bool] = {}
    for k in range(folds):
        train = [a for a in asked if fold_of[a.group] != k]
        model = fitted_model(train)
        for a in asked:
            if fold_of[a.group] == k:
                answers[a.qid] = confidence(a, model) >= model.answer_at
    return [answers[a.qid] for a in asked]


def table(asked: list[Asked], answers: list[bool], name: str) -> None:
    fd, fa = rates(asked, answers)
    print(f"{name:<34} false declines {fd:6.1%}   false answers {fa:6.1%}")
    for category in ("ja", "en", "cross"):
        part = [(a, x) for a, x in zip(asked, answers, strict=True) if a.category == category]
        if part:
            misses = sum(1 for _, x in part if not x)
            print(f"    {category:<6} {len(part):4} answerable: {misses} declined")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fit", action="store_true", help="print weights fitted on all")
    args = parser.parse_args()
    settings = Settings()
    sessions = make_session_factory(make_engine(settings.database))
    retrieval = build_retrieval(settings.retrieval, sessions)
    deps = AssistantDeps(settings, sessions, retrieval, FakeChatModel())
    questions = load_questions(Path(settings.data_dir))
    asked = retrieve(deps, questions)
    n_pos = sum(a.answerable for a in asked)
    print(
        f"{len(asked)} questions ({n_pos} answerable, {len(asked) - n_pos} not), "
        f"embedder {retrieval.embedder.name}"
    )
    table(asked, [a.baseline for a in asked], "before: cosine>=0.2 or overlap>=0.5")
    table(asked, cross_validate(asked), "logistic, held out (5 folds)")
    table(asked, [confidence(a, FITTED) >= FITTED.answer_at for a in asked], "shipped weights")
    table(asked, [a.chat for a in asked], "chat: + named kinds, asked attribute")
    for a, ok in zip(
        asked, [confidence(a, FITTED) >= FITTED.answer_at for a in asked], strict=True
    ):
        if ok != a.answerable:
            print(f"    wrong: {a.qid:<28} {confidence(a, FITTED):.2f} {a.text}")
    if args.fit:
        model = fitted_model(asked)
        print("WEIGHTS =", {n: round(w, 3) for n, w in model.weights.items()})
        print(f"BIAS = {model.bias:.3f}\nANSWER_AT = {model.answer_at:.3f}")


if __name__ == "__main__":
    main()
