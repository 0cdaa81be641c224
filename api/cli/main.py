"""The `kizuna` command: one Typer app, each area's commands in a module of its own."""

from __future__ import annotations

import logging
import os

import typer

app = typer.Typer(help="Kizuna (絆): customer data and a grounded assistant.", no_args_is_help=True)


@app.callback()
def _main() -> None:
    """Kizuna (絆): customer data and a grounded assistant."""


def _register() -> None:
    # Each module adds its commands to `app`; imported here so `kizuna --help` lists them all.
    from api.cli import knowledge_cmds

    knowledge_cmds.register(app)
    from api.cli import customer_cmds

    customer_cmds.register(app)
    from api.cli import retrieval_cmds

    retrieval_cmds.register(app)
    from api.cli import server_cmds

    server_cmds.register(app)
    from api.cli import assistant_cmds

    assistant_cmds.register(app)
    from api.cli import demo_cmd

    demo_cmd.register(app)


def run() -> None:
    """Console-script entry point."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    logging.basicConfig(level=os.environ.get("KIZUNA_LOG_LEVEL", "WARNING"))
    _register()
    app()
