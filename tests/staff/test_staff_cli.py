"""`returndesk staff add` / `returndesk staff list`: accounts from the command line, passwords hashed."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from core.settings import Settings, get_settings
from mock_backends.orders.db import make_engine
from mock_backends.orders.staff_models import StaffMember
from ui.cli import app


@pytest.fixture
def cli_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("RETURNDESK_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


def test_staff_add_hashes_the_password_and_list_shows_the_account(cli_settings: Settings) -> None:
    runner = CliRunner()
    added = runner.invoke(
        app,
        ["staff", "add", "Dana@Shop.example", "--role", "lead", "--name", "Dana Park", "--password-stdin"],
        input="a long enough password\n",
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["staff", "list"])
    assert "dana@shop.example" in listed.output and "lead" in listed.output
    with Session(make_engine(cli_settings.resolved_database_url)) as db:
        member = db.exec(select(StaffMember)).one()
    assert member.password_hash.startswith("$argon2id$") and "a long enough password" not in member.password_hash


@pytest.mark.parametrize(
    ("args", "password", "says"),
    [
        (["x@shop.example", "--role", "boss", "--name", "X"], "a long enough password", "The role is agent or lead"),
        (["not-an-email", "--name", "X"], "a long enough password", "is not an email address"),
        (["x@shop.example", "--name", "X"], "short", "at least 10 characters"),
    ],
)
def test_staff_add_refuses_what_cannot_be_used(
    cli_settings: Settings, args: list[str], password: str, says: str
) -> None:
    answer = CliRunner().invoke(app, ["staff", "add", *args, "--password-stdin"], input=f"{password}\n")
    assert answer.exit_code == 1 and says in answer.output


def test_the_same_email_cannot_be_added_twice(cli_settings: Settings) -> None:
    runner = CliRunner()
    command = ["staff", "add", "x@shop.example", "--name", "X", "--password-stdin"]
    assert runner.invoke(app, command, input="a long enough password\n").exit_code == 0
    again = runner.invoke(app, command, input="a long enough password\n")
    assert again.exit_code == 1 and "exists already" in again.output


def test_export_training_and_gap_report_run_on_an_empty_desk(cli_settings: Settings, tmp_path) -> None:
    runner = CliRunner()
    target = tmp_path / "training.jsonl"
    exported = runner.invoke(app, ["staff", "export-training", "-o", str(target)])
    assert exported.exit_code == 0 and "Wrote 0 examples" in exported.output and target.read_text() == ""
    report = runner.invoke(app, ["staff", "gap-report"])
    assert report.exit_code == 0 and "Help-centre gaps" in report.output
