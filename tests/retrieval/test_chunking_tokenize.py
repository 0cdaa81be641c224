"""Chunking (sentences, overlap, stable ids, content hash) and keyword tokenisation."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from knowledge.records import ArticleRecord, InteractionRecord
from retrieval.chunking import KB_CUSTOMER_ID, chunk_record, chunk_text, split_sentences
from retrieval.tokenize import stem, tokenize


def _interaction(body: str, **kw: object) -> InteractionRecord:
    fields: dict[str, object] = {
        "id": 7,
        "customer_id": 3,
        "kind": "call",
        "phase": "sales",
        "occurred_at": datetime(2025, 3, 1, tzinfo=UTC),
        "body": body,
        "language": "ja",
    }
    fields.update(kw)
    return InteractionRecord.model_validate(fields)


def test_split_sentences_japanese_and_english() -> None:
    text = "配送が遅れました。本当ですか？ The box was damaged. Please call me!\n次回は注意します"
    assert split_sentences(text) == [
        "配送が遅れました。",
        "本当ですか？",
        "The box was damaged.",
        "Please call me!",
        "次回は注意します",
    ]


def test_chunks_respect_size_and_overlap() -> None:
    sentences = [f"これは{i}番目の文です。" for i in range(40)]
    chunks = chunk_text("".join(sentences), size=60, overlap=20)
    assert len(chunks) > 5
    assert all(len(c) <= 60 for c in chunks)
    # the last sentence of one chunk opens the next one (overlap)
    for first, second in itertools.pairwise(chunks):
        assert split_sentences(first)[-1] == split_sentences(second)[0]
    # nothing lost
    joined = "".join(chunks)
    assert all(s in joined for s in sentences)


def test_long_sentence_is_hard_split() -> None:
    chunks = chunk_text("あ" * 1000, size=100, overlap=10)
    assert all(len(c) <= 100 for c in chunks)
    assert len(chunks) >= 10


def test_chunk_ids_stable_and_hash_tracks_content() -> None:
    record = _interaction("問い合わせ。" * 200, subject="件名")
    a, b = chunk_record(record, 100, 20), chunk_record(record, 100, 20)
    assert [c.chunk_id for c in a] == [f"interaction:7:{n}" for n in range(len(a))]
    assert [c.record_hash for c in a] == [c.record_hash for c in b]
    changed = chunk_record(_interaction("問い合わせ。" * 200, subject="別件"), 100, 20)
    assert changed[0].record_hash != a[0].record_hash
    meta = a[0].metadata
    assert meta["customer_id"] == 3 and meta["kind"] == "call" and meta["phase"] == "sales"
    assert meta["record_id"] == "interaction:7" and meta["source_type"] == "interaction"
    assert meta["occurred_at"] == int(datetime(2025, 3, 1, tzinfo=UTC).timestamp())
    assert a[0].indexed_text.startswith("件名\n")


def test_article_chunks_carry_no_customer() -> None:
    article = ArticleRecord(id=2, kind="faq", title="返品", body="30日以内なら返品できます。")
    (chunk,) = chunk_record(article)
    assert chunk.chunk_id == "article:2:0"
    assert chunk.metadata["customer_id"] == KB_CUSTOMER_ID
    assert chunk.metadata["source_type"] == "article"


def test_japanese_tokens_are_dictionary_forms_without_particles() -> None:
    tokens = tokenize("パスワードを忘れてしまいました")
    assert "パスワード" in tokens and "忘れる" in tokens
    assert "を" not in tokens and "た" not in tokens


def test_english_tokens_are_stemmed_and_stop_words_dropped() -> None:
    assert tokenize("Resetting the devices") == tokenize("reset device")
    assert "the" not in tokenize("the box")
    assert stem("deliveries") == stem("delivery")


def test_fullwidth_is_normalised() -> None:
    assert tokenize("ＡＢＣ１２３") == tokenize("abc123")
    assert tokenize("ｶﾀｶﾅ") == tokenize("カタカナ")
