"""Isolation between customers: 100 customers, each with a unique marker word in its records;
questions that invite comparing and listing across customers, through chat, the agent, the
brief and every draft purpose: no other customer's marker in any output, citation or prompt.

The echo model writes its whole prompt into its output (and, as the agent, calls every tool
and asks for another customer's profile), so a marker that reaches a prompt is caught.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.bench_isolation import QUESTIONS, company, marker, measure, report


def test_markers_are_unique_and_only_in_their_own_customers_records() -> None:
    specs = company(100)
    markers = [marker(n) for n in range(100)]
    assert len(set(markers)) == 100
    assert not any(a != b and a in b for a in markers for b in markers)
    for n, spec in enumerate(specs):
        text = " ".join(r["body"] for r in spec.interactions).casefold()
        assert markers[n] in text
        assert [m for m in markers if m in text] == [markers[n]]
    for language in ("ja", "en"):
        assert len(QUESTIONS[language]) == 20


@pytest.mark.slow
def test_no_foreign_marker_reaches_any_output_citation_or_prompt(tmp_path: Path) -> None:
    # 100 customers, two questions each (all 20 asked across the company), every job.
    leaks = measure(100, 2, tmp_path / "data")
    assert leaks.runs["chat"] == 200 and leaks.runs["agent"] == 200
    assert leaks.runs["brief"] == 100 and leaks.runs["draft:thank_you"] == 100
    assert leaks.total() == 0, leaks.examples


def test_the_check_counts_a_leak_when_a_prompt_carries_another_customers_marker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same run with the scope taken away from the chat's search: the echo model shows it.
    from retrieval.types import Scope

    monkeypatch.setattr(Scope, "customer", classmethod(lambda cls, customer_id: cls("global")))
    leaks = measure(4, 1, tmp_path / "data", jobs=("chat",))
    assert leaks.in_prompt["chat"] > 0


@pytest.mark.integration
def test_a_small_sample_with_the_real_model(tmp_path: Path, model_path: str) -> None:
    from assistant.llm.factory import build_llm
    from knowledge.settings import Settings

    llm = build_llm(Settings(llm={"mode": "local", "model_path": model_path}).llm)  # type: ignore[arg-type]
    leaks = measure(
        3,
        1,
        tmp_path / "data",
        llm_factory=lambda: llm,
        with_prompts=False,
        jobs=("chat", "brief"),
    )
    print(report(leaks, "3 customers x 1 question, real local model"))
    assert leaks.runs["chat"] == 3 and leaks.total() == 0, leaks.examples
