"""The LangChain retriever passes langchain-tests' standard retriever suite."""

from __future__ import annotations

import tempfile
import uuid
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import RetrieversIntegrationTests

from knowledge.db import make_engine, make_session_factory, migrate
from knowledge.settings import Settings
from retrieval.embedders import FakeEmbedder
from retrieval.langchain import ScopedHybridRetriever
from retrieval.service import Retrieval, build_retrieval
from retrieval.types import Scope
from tests.retrieval.conftest import add_customer, add_interaction


class _Corpus:
    """One small indexed corpus for the whole suite: two customers, ten notes each."""

    @cached_property
    def built(self) -> tuple[Retrieval, int, int]:
        data = Path(tempfile.mkdtemp(prefix="kizuna-lc-"))
        settings = Settings(environment="test", data_dir=data)  # type: ignore[call-arg]
        settings.retrieval.collection = f"lc{uuid.uuid4().hex[:8]}"
        engine = make_engine(settings.database)
        migrate(engine)
        sessions = make_session_factory(engine)
        a, b = add_customer(sessions, "A"), add_customer(sessions, "B")
        for i in range(10):
            add_interaction(
                sessions, a, f"delivery note {i}: the parcel arrived late", language="en"
            )
            add_interaction(sessions, b, f"配送メモ{i}: 荷物が遅れて届いた")
        retrieval = build_retrieval(settings.retrieval, sessions, embedder=FakeEmbedder(64))
        retrieval.index(progress=False)
        return retrieval, a, b


CORPUS = _Corpus()


class TestScopedHybridRetriever(RetrieversIntegrationTests):
    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return ScopedHybridRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        retrieval, a, _ = CORPUS.built
        return {"retrieval": retrieval, "scope": Scope.customer(a)}

    @property
    def retriever_query_example(self) -> str:
        return "parcel delivery late"


def test_customer_retriever_stays_in_scope() -> None:
    retrieval, _, b = CORPUS.built
    docs = ScopedHybridRetriever.for_customer(retrieval, b, k=20).invoke("delivery parcel 配送")
    assert docs and {d.metadata["customer_id"] for d in docs} == {b}
    assert all(d.metadata["record_id"].startswith("interaction:") for d in docs)


def test_scope_cannot_be_missing() -> None:
    retrieval, _, _ = CORPUS.built
    with pytest.raises(ValueError):
        ScopedHybridRetriever(retrieval=retrieval)  # type: ignore[call-arg]
