"""Errors of the retrieval layer, each with a stable code the API maps to a status."""

from __future__ import annotations


class RetrievalError(Exception):
    """Base of every retrieval-layer error."""

    code = "retrieval_error"


class ScopeRequired(RetrievalError):
    """A search was asked for without saying whose records it may see."""

    code = "scope_required"


class ScopeViolation(RetrievalError):
    """An index returned a chunk outside the search's scope (never shown to the caller)."""

    code = "scope_violation"


class EmbedderUnavailable(RetrievalError):
    """The configured embedding model cannot be loaded."""

    code = "embedder_unavailable"


class IndexUnavailable(RetrievalError):
    """The vector or keyword index cannot be opened or written."""

    code = "index_unavailable"


class IndexCorrupt(IndexUnavailable):
    """The vector index cannot be read (files a killed process left half-written); the next
    index run rebuilds it from SQL."""

    code = "index_corrupt"


class EmbedderMismatch(RetrievalError):
    """The index was built with another embedding model; it must be rebuilt (`kizuna reindex`)."""

    code = "embedder_mismatch"


class QuestionsFileError(RetrievalError):
    """A labelled-questions file for evaluation is malformed (says file, line and field)."""

    code = "questions_file_invalid"
