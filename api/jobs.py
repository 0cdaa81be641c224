"""Background work of one server process: upload import jobs and index refreshes."""

from __future__ import annotations

import threading
from typing import Any

from api.schemas import ImportJob


class ImportJobs:
    """Upload jobs of this process, by id (each import run is also logged in SQL)."""

    def __init__(self) -> None:
        self._jobs: dict[str, ImportJob] = {}
        self._owner: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, job: ImportJob, key_id: int) -> None:
        """Register a new job started by the given key."""
        with self._lock:
            self._jobs[job.job_id] = job
            self._owner[job.job_id] = key_id

    def update(self, job_id: str, **changes: Any) -> None:
        """Replace some fields of a job (status, report, error)."""
        with self._lock:
            self._jobs[job_id] = self._jobs[job_id].model_copy(update=changes)

    def get(self, job_id: str) -> ImportJob | None:
        """A job by id, or None."""
        with self._lock:
            return self._jobs.get(job_id)
