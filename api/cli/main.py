"""The `kizuna` command: one Typer app, each area's commands in a module of its own."""

from __future__ import annotations

import logging
import os

import typer

from api.cli import (
    assistant_cmds,
    audience_cmds,
    campaign_cmds,
    customer_cmds,
    demo_cmd,
    knowledge_cmds,
    privacy_cmds,
    retrieval_cmds,
    server_cmds,
)

app = typer.Typer(help="Kizuna (絆): customer data and a grounded assistant.", no_args_is_help=True)


@app.callback()
def _main() -> None:
    """Kizuna (絆): customer data and a grounded assistant."""


def _register() -> None:
    """Add each area's commands to `app`, so `kizuna --help` lists them all."""
    knowledge_cmds.register(app)
    customer_cmds.register(app)
    privacy_cmds.register(app)
    audience_cmds.register(app)
    retrieval_cmds.register(app)
    server_cmds.register(app)
    assistant_cmds.register(app)
    demo_cmd.register(app)
    campaign_cmds.register(app)


def run() -> None:
    """Console-script entry point."""
    # Set before huggingface_hub and chromadb read them on their first (lazy) import.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    logging.basicConfig(level=os.environ.get("KIZUNA_LOG_LEVEL", "WARNING"))
    _register()
    app()
