"""What the app loads once at start-up (database, retrieval, LLM, assistant) and hands to routes."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
from fastapi import Request
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from api.errors import Unavailable
from api.jobs import ImportJobs
from knowledge.customer_metrics import ensure_metrics
from knowledge.db import make_engine, make_session_factory, migrate, transaction
from knowledge.settings import Settings

if TYPE_CHECKING:
    from assistant.service import Assistant
    from retrieval.service import Retrieval

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Services:
    """The app's long-lived parts; built by the lifespan, closed at shutdown."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    limiter: anyio.CapacityLimiter
    retrieval: Retrieval | None = None
    llm: Any = None
    assistant: Assistant | None = None
    model_name: str = ""
    errors: dict[str, str] = field(default_factory=dict)  # part -> why it is not ready
    import_jobs: ImportJobs = field(default_factory=ImportJobs)
    loop: asyncio.AbstractEventLoop | None = None
    _tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    _refresh_lock: threading.Lock = field(default_factory=threading.Lock)
    _refresh_again: bool = False

    def need_assistant(self) -> Assistant:
        """The assistant, or 503 when it failed to load."""
        if self.assistant is None:
            raise Unavailable(f"assistant not loaded: {self.errors.get('assistant', 'starting')}")
        return self.assistant

    def need_retrieval(self) -> Retrieval:
        """The retrieval service, or 503 when it failed to load."""
        if self.retrieval is None:
            raise Unavailable(f"retrieval not loaded: {self.errors.get('retrieval', 'starting')}")
        return self.retrieval

    def llm_state(self) -> tuple[str, str | None]:
        """The model's state (ready, starting, restarting, stopped, or remote: not probed) and
        its last exit, if the model process ever ended."""
        if self.llm is None:
            return "stopped", None
        status = getattr(self.llm, "status", None)
        if not callable(status):
            return ("remote" if self.settings.llm.mode == "openai" else "ready"), None
        runtime = status()
        last = runtime.last_error
        return str(runtime.state), (
            f"last exit: {last} ({runtime.restarts} restarts)" if last else None
        )

    def database_ok(self) -> bool:
        """True when a trivial query succeeds."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception as e:  # readiness reports, never raises
            self.errors["database"] = type(e).__name__
            return False

    async def run_cpu(self, fn: Callable[..., T], *args: Any) -> T:
        """Run CPU-heavy work (embedding, generation) in a bounded thread pool."""
        return await anyio.to_thread.run_sync(fn, *args, limiter=self.limiter)

    def spawn(self, make: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        """Run a coroutine in the background on the app's loop (callable from worker threads)."""

        def start() -> None:
            task = asyncio.ensure_future(make())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        try:
            asyncio.get_running_loop()
        except RuntimeError:  # a worker thread: hand it to the loop
            if self.loop is not None and not self.loop.is_closed():
                self.loop.call_soon_threadsafe(start)
            return
        start()

    def schedule_refresh(self) -> None:
        """After an ingest, in the background: enrich new interactions, then index new records.

        Both skip what is done (enriched_at, content hashes), so one pass after a burst of
        ingests is enough: a request arriving while a pass runs just asks for one more pass.
        """
        self._refresh_again = True
        if self._refresh_lock.locked():
            return
        self.spawn(lambda: self.run_cpu(self._refresh_until_settled))

    @contextmanager
    def refresh_paused(self) -> Iterator[None]:
        """No enrichment or index pass runs meanwhile (a pass that read a customer's records
        before an erasure would write their chunks back after it); one asked for meanwhile
        runs afterwards."""
        with self._refresh_lock:
            yield
        if self._refresh_again:
            self.schedule_refresh()

    def refresh_busy(self) -> bool:
        """True while a background refresh is asked for or running."""
        return self._refresh_again or self._refresh_lock.locked()

    def _refresh_until_settled(self) -> None:
        # The flag is checked again after the lock is released: a request that found the
        # lock held just before the release is then not lost.
        while self._refresh_again and self._refresh_lock.acquire(blocking=False):
            try:
                while self._refresh_again:
                    self._refresh_again = False
                    self._refresh_once()
            finally:
                self._refresh_lock.release()

    def _refresh_once(self) -> None:
        from assistant.enrich import enrich_all

        try:
            enrich_all(self.sessions, self.settings.assistant.intents)
            self.errors.pop("enrich", None)
        except Exception as e:  # readiness shows it; the next ingest retries
            log.error("enrichment failed: %s", type(e).__name__)
            self.errors["enrich"] = f"{type(e).__name__}: {e}"
        try:  # the analytics audiences filter on, so the next count does not wait for them
            with transaction(self.sessions) as session:
                ensure_metrics(session, self.settings.analytics)
            self.errors.pop("metrics", None)
        except Exception as e:  # readiness shows it; the next count recomputes
            log.error("customer metrics refresh failed: %s", type(e).__name__)
            self.errors["metrics"] = f"{type(e).__name__}: {e}"
        if self.retrieval is None:
            return
        try:
            self.retrieval.index(progress=False)
            self.errors.pop("index", None)
        except Exception as e:  # readiness shows it; the next ingest retries
            log.error("index refresh failed: %s", type(e).__name__)
            self.errors["index"] = f"{type(e).__name__}: {e}"


def build_services(
    settings: Settings, *, embedder: Any = None, llm: Any = None, load_models: bool = True
) -> Services:
    """Open the database (migrated), then load retrieval, the LLM and the assistant once."""
    engine = make_engine(settings.database)
    migrate(engine)
    services = Services(
        settings=settings,
        engine=engine,
        sessions=make_session_factory(engine),
        limiter=anyio.CapacityLimiter(max(1, settings.api.generation_concurrency)),
    )
    if not load_models:
        return services
    # Upper layers are imported here, not at module import: nothing heavy happens on import.
    try:
        from retrieval.service import build_retrieval

        services.retrieval = build_retrieval(
            settings.retrieval, services.sessions, embedder=embedder
        )
    except Exception as e:
        log.error("retrieval failed to load: %s", e)
        services.errors["retrieval"] = f"{type(e).__name__}: {e}"
        return services
    try:
        from assistant.service import Assistant, build_llm

        services.llm = llm if llm is not None else build_llm(settings.llm)
        services.assistant = Assistant(
            settings, services.sessions, services.retrieval, services.llm
        )
        services.model_name = services.assistant.model
        start = getattr(services.llm, "start", None)
        if callable(start):
            # Start the model process now and, each time it (re)starts, cache the chat
            # prompt's prefix, without holding up start-up (a question meanwhile waits).
            start(on_ready=services.assistant.warm_up)
    except Exception as e:
        log.error("assistant failed to load: %s", e)
        services.errors["assistant"] = f"{type(e).__name__}: {e}"
    return services


def close_services(services: Services) -> None:
    """Release what the services hold (database connections, the model process)."""
    close_llm = getattr(services.llm, "close", None)
    if callable(close_llm):
        close_llm()
    services.engine.dispose()


def get_services(request: Request) -> Services:
    """FastAPI dependency: the app's services."""
    services: Services = request.app.state.services
    return services
