"""`kizuna keys create|list|revoke` through the Typer app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import context
from api.cli.main import _register, app
from knowledge.apikeys import verify_key
from knowledge.settings import Settings


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[context.CliContext]:
    ctx = context.CliContext(Settings(environment="test", data_dir=tmp_path))  # type: ignore[arg-type]
    monkeypatch.setattr(context, "_context", ctx)
    _register()
    yield ctx


def test_keys_create_list_revoke(cli: context.CliContext) -> None:
    runner = CliRunner()
    created = runner.invoke(app, ["keys", "create", "--role", "sales", "--name", "bob"])
    assert created.exit_code == 0, created.output
    plain = re.search(r"kz_[0-9a-f]+_[A-Za-z0-9_-]+", created.output)
    assert plain is not None
    record = verify_key(cli.sessions, plain.group(0))
    assert record is not None and record.role == "sales" and record.name == "bob"
    listed = runner.invoke(app, ["keys", "list"], env={"COLUMNS": "200"})
    assert record.prefix in listed.output and plain.group(0) not in listed.output
    revoked = runner.invoke(app, ["keys", "revoke", record.prefix])
    assert revoked.exit_code == 0 and verify_key(cli.sessions, plain.group(0)) is None
    bad = runner.invoke(app, ["keys", "create", "--role", "boss", "--name", "x"])
    assert bad.exit_code == 2 and "boss" in bad.output
    missing = runner.invoke(app, ["keys", "revoke", "nope"])
    assert missing.exit_code == 2 and "nope" in missing.output
