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


def test_keys_carry_user_and_teams_and_customers_get_owner_and_team(
    cli: context.CliContext,
) -> None:
    from knowledge.importing import import_records
    from knowledge.repository import get_customer

    runner = CliRunner()
    created = runner.invoke(
        app,
        ["keys", "create", "--role", "sales", "--name", "laptop", "--user", "hanako",
         "--team", "east", "--team", "b2b"],
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    plain = re.search(r"kz_[0-9a-f]+_[A-Za-z0-9_-]+", created.output)
    assert plain is not None
    record = verify_key(cli.sessions, plain.group(0))
    assert record is not None and (record.user, record.teams) == ("hanako", ["east", "b2b"])
    listed = runner.invoke(app, ["keys", "list"], env={"COLUMNS": "200"})
    assert "hanako" in listed.output and "east, b2b" in listed.output

    report = import_records(
        cli.sessions,
        [{"external_id": "C-1", "name": "山田 太郎"}],
        source="crm",
        entity="customer",
        settings=cli.settings.imports,
    )
    assert report.inserted == 1
    with cli.sessions() as s:
        cid = get_customer(s, 1).id
    done = runner.invoke(
        app, ["customers", "assign", str(cid), "--owner", "hanako", "--team", "east"]
    )
    assert done.exit_code == 0, done.output
    with cli.sessions() as s:
        c = get_customer(s, cid)
    assert (c.owner, c.team) == ("hanako", "east")
    assert runner.invoke(app, ["customers", "assign", str(cid)]).exit_code == 2
    assert runner.invoke(app, ["customers", "assign", "999", "--team", "x"]).exit_code == 2
