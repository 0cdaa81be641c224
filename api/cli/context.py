"""What every CLI command needs: the settings (read once) and a database ready to use."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from knowledge.db import make_engine, make_session_factory, migrate
from knowledge.settings import Settings, load_settings


@dataclass
class CliContext:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        engine = make_engine(self.settings.database)
        migrate(engine)
        return engine

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine)


_context: CliContext | None = None


def get_context() -> CliContext:
    """The process-wide CLI context, built on first use (the CLI is the composition root)."""
    global _context
    if _context is None:
        _context = CliContext(load_settings())
    return _context
