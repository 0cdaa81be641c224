"""The one typed settings tree of Kizuna, read once at start-up and passed down.

Lower layers receive the section they need as an argument; nothing below api/ reads the
environment. Environment variables use the prefix ``KIZUNA_`` and ``__`` between levels,
for example ``KIZUNA_DATABASE__URL`` or ``KIZUNA_LLM__MODE``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "change-me-dev-only"


class DatabaseSettings(BaseModel):
    """Where the records live: a SQLite file by default, any SQLAlchemy URL otherwise."""

    url: str = ""  # empty: <data_dir>/kizuna.db
    echo: bool = False
    sqlite_busy_timeout_ms: int = 5000


class ImportSettings(BaseModel):
    """Bulk import behaviour."""

    batch_size: int = 1000
    progress: bool = True


class DedupeSettings(BaseModel):
    """名寄せ: scores at or above merge_threshold merge; review_threshold..merge are listed."""

    merge_threshold: float = 0.9
    review_threshold: float = 0.6


class AnalyticsSettings(BaseModel):
    """RFM, LTV and segment parameters (defaults documented in docs/analytics.md)."""

    rfm_bins: int = 5
    reference_date: date | None = None  # None: the latest order date in the data
    ltv_expected_years: float = 3.0
    ltv_min_span_days: int = 365  # shorter histories count as one year for orders/year
    default_gross_margin_rate: float = 0.5
    dormant_after_days: int = 180
    churned_after_days: int = 365
    profile_recent_orders: int = 5  # orders listed in a customer profile
    profile_latest_interactions: int = 10  # latest interactions listed in a customer profile
    population_cache_s: float = 60.0  # reuse RFM yardstick this long unless data changed; 0: off
    # Orders in these statuses (compared lower-cased) are not counted by any analytics.
    excluded_order_statuses: list[str] = Field(
        default_factory=lambda: ["cancelled", "canceled", "returned", "refunded"]
    )


class RetrievalSettings(BaseModel):
    """Embedding model, Chroma, keyword index and hybrid search knobs."""

    embedder: str = "use-multilingual"  # or "sentence-transformers:<name or path>"
    embed_batch_size: int = 64
    embed_threads: int = 1  # 2 BLAS threads on 2 shared cores oversubscribe: measured slower
    embed_process: bool = True  # indexing embeds in a child process (retrieval/embed_worker.py)
    chroma_path: str = ""  # empty: <data_dir>/chroma
    chroma_host: str = ""  # set to use a Chroma server (client/server mode)
    chroma_port: int = 8000
    collection: str = "kizuna"
    keyword_index_path: str = ""  # empty: <data_dir>/keyword
    chunk_chars: int = 400
    chunk_overlap_chars: int = 80
    # Hybrid fusion (retrieval/search.py): "adaptive" (per-query score fusion plus the rank
    # fusion) or "rrf" (the rank fusion alone, the earlier default).
    fusion: Literal["adaptive", "rrf"] = "adaptive"
    rrf_k: int = 60
    keyword_weight: float = 1.0  # weight of the keyword ranking in the fusion (vector: 1)
    # Cross-lingual keyword bridge (retrieval/bridge.py); weight 0 turns it off.
    bridge_weight: float = 1.5
    bridge_min_similarity: float = 0.65  # embedder cosine of a query word and a mapped term
    bridge_terms_per_word: int = 1
    recency_half_life_days: float = 0.0  # 0 disables recency weighting


class LLMSettings(BaseModel):
    """Which model writes the connecting text: in-process GGUF, or an OpenAI-compatible server."""

    mode: Literal["local", "openai", "fake"] = "local"
    model_path: str = ""  # empty: the packaged Qwen2.5-Coder-1.5B GGUF, assembled once
    model_cache_dir: str = ""  # empty: <data_dir>/models
    n_ctx: int = 4096
    n_threads: int = 2
    temperature: float = 0.0
    max_tokens: int = 256
    timeout_s: float = 120.0
    openai_base_url: str = "http://127.0.0.1:8080/v1"
    openai_model: str = "local"
    openai_api_key: str = "not-needed"
    # Personal data replaced by placeholders before a prompt is sent (assistant/masking/):
    # auto = with an OpenAI-compatible server that is not on loopback; always; never.
    mask_personal_data: Literal["auto", "always", "never"] = "auto"


class AssistantSettings(BaseModel):
    """Grounding thresholds, context budget, e-mail sender and enrichment intents."""

    answer_k: int = 4  # customer records in a chat answer's context (short: first token fast)
    kb_k: int = 3  # knowledge-base articles in a chat answer's context
    brief_k: int = 6
    context_tokens: int = 1800  # budget for the records block (approximate tokens)
    record_chars: int = 360  # longest excerpt of one record shown to the model
    # Below: the records do not answer. Calibrated on the demo questions (docs/assistant.md).
    relevance_threshold: float = 0.2
    support_threshold: float = 0.3  # below: a generated sentence has no supporting record
    history_turns: int = 4
    company_name: str = "Kizuna"
    intents: list[str] = Field(
        default_factory=lambda: [
            "billing",
            "delivery",
            "product_defect",
            "how_to",
            "cancellation",
            "praise",
            "quote",
            "complaint",
            "other",
        ]
    )
    agent_max_steps: int = 6  # tool calls per agent run; then it answers from what it has
    agent_timeout_s: float = 180.0  # wall time of one agent run, model calls included
    agent_search_k: int = 3  # records per search tool call
    agent_record_chars: int = 200  # longest excerpt of one record in a tool result
    agent_context_tokens: int = 2600  # conversation size (approx. tokens) that stops tool calls


class ApiSettings(BaseModel):
    """The HTTP server."""

    host: str = "127.0.0.1"
    port: int = 8765
    session_secret: str = DEV_SECRET
    cors_origins: list[str] = Field(default_factory=list)
    session_max_age_s: int = 8 * 3600  # the panel's sign-in cookie lifetime
    cookie_secure: bool = False  # set True behind HTTPS
    generation_concurrency: int = 2  # threads for embedding/generation; the rest wait
    max_upload_bytes: int = 50 * 1024 * 1024  # a file sent to POST /imports
    max_body_bytes: int = 16 * 1024 * 1024  # any other request body (a 10 000-record /ingest fits)
    # The routes that run the model (chat, briefs, drafts): per key, and at once over all keys;
    # past them 429 / 503 with Retry-After (api/limits.py). 0 turns a limit off.
    generations_per_minute: int = 60
    max_generations: int = 32
    refresh_on_start: bool = True  # enrich and index what a killed process left undone


Reach = Literal["all", "team", "own"]
# What a support conversation holds stays with the support desk and sales: marketing reads
# only what customers said for everyone to read (reviews, surveys, store visits).
MARKETING_TEXT_KINDS = ["review", "survey", "store_visit"]


class VisibilitySettings(BaseModel):
    """Which customers each role sees (admin: always all), and which interaction texts.

    `all`: every customer; `team`: the customers of the key's teams plus those it owns;
    `own`: only those it owns. Roles missing from `text_kinds` read every kind.
    """

    agent: Reach = "all"  # the support desk answers whoever calls in
    sales: Reach = "team"
    marketing: Reach = "all"  # campaigns address the whole base
    text_kinds: dict[str, list[str]] = Field(
        default_factory=lambda: {"marketing": list(MARKETING_TEXT_KINDS)}
    )

    @model_validator(mode="after")
    def _known_kinds(self) -> VisibilitySettings:
        # A misspelt kind would silently hide texts (or fail to): refuse it at start-up.
        from knowledge.vocabulary import INTERACTION_KINDS

        for role, kinds in self.text_kinds.items():
            unknown = sorted(set(kinds) - set(INTERACTION_KINDS))
            if unknown:
                raise ValueError(
                    f"visibility.text_kinds[{role!r}]: unknown kind(s) {', '.join(unknown)}; "
                    f"expected some of {', '.join(INTERACTION_KINDS)}"
                )
        return self


class Settings(BaseSettings):
    """Everything configurable about one Kizuna installation."""

    model_config = SettingsConfigDict(
        env_prefix="KIZUNA_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("kizuna-data")
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    imports: ImportSettings = Field(default_factory=ImportSettings)
    dedupe: DedupeSettings = Field(default_factory=DedupeSettings)
    analytics: AnalyticsSettings = Field(default_factory=AnalyticsSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    assistant: AssistantSettings = Field(default_factory=AssistantSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    visibility: VisibilitySettings = Field(default_factory=VisibilitySettings)

    @model_validator(mode="after")
    def _fill_paths_and_refuse_unsafe(self) -> Settings:
        data = self.data_dir
        if not self.database.url:
            self.database.url = f"sqlite:///{data / 'kizuna.db'}"
        if not self.retrieval.chroma_path:
            self.retrieval.chroma_path = str(data / "chroma")
        if not self.retrieval.keyword_index_path:
            self.retrieval.keyword_index_path = str(data / "keyword")
        if not self.llm.model_cache_dir:
            self.llm.model_cache_dir = str(data / "models")
        if self.environment == "production" and self.api.session_secret == DEV_SECRET:
            raise ValueError(
                "KIZUNA_API__SESSION_SECRET must be set to a real secret in production"
            )
        return self


def load_settings(**overrides: object) -> Settings:
    """Read the settings once (environment, .env, then explicit overrides)."""
    return Settings(**overrides)  # type: ignore[arg-type]
