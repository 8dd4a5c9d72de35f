"""`returndesk chat` and `returndesk export-feedback`, run as a user would (Typer's runner)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from core.settings import Settings, get_settings
from mock_backends.orders.models import ReturnRequest
from service.conversation import ConversationService
from service.feedback import record_feedback
from ui.cli import app


@pytest.fixture
def cli_env(settings: Settings, engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RETURNDESK_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_terminal_chat_completes_a_return_with_y_on_the_card(cli_env: None, engine) -> None:
    result = CliRunner().invoke(
        app,
        ["chat", "--email", "alice@example.com", "--order", "#W1000001"],
        input="I want to return the headphones from order #W1000001\ny\n/quit\n",
    )
    with Session(engine) as db:
        [ret] = db.exec(select(ReturnRequest)).all()
    assert result.exit_code == 0, result.output
    assert "guided mode" in result.output and "Wireless Headphones" in result.output and ret.rma in result.output


def test_terminal_chat_answering_n_changes_nothing(cli_env: None, engine) -> None:
    result = CliRunner().invoke(
        app,
        ["chat", "--email", "alice@example.com", "--order", "#W1000001"],
        input="I want to return the headphones from order #W1000001\nn\n/quit\n",
    )
    with Session(engine) as db:
        assert db.exec(select(ReturnRequest)).all() == []
    assert "nothing was changed" in result.output


def test_wrong_credentials_exit_with_a_message(cli_env: None) -> None:
    result = CliRunner().invoke(app, ["chat", "--email", "alice@example.com", "--order", "#W1000011"])
    assert result.exit_code == 1 and "Traceback" not in result.output


def test_export_feedback_writes_one_jsonl_line_per_rated_conversation(
    cli_env: None, settings: Settings, tmp_path
) -> None:
    conversations = ConversationService(settings)
    rated, unrated = (conversations.sign_in(email="alice@example.com", order_id="#W1000001") for _ in range(2))
    for info in (rated, unrated):
        conversations.send(info.session_id, "hello")
    record_feedback(conversations, rated.session_id, 1, "down", "not helpful")
    out = tmp_path / "feedback.jsonl"

    result = CliRunner().invoke(app, ["export-feedback", "--output", str(out)])
    only_up = CliRunner().invoke(app, ["export-feedback", "--rating", "up"])

    assert result.exit_code == 0, result.output
    [line] = out.read_text().splitlines()
    record = json.loads(line)
    assert record["session_id"] == rated.session_id
    assert [m["role"] for m in record["messages"]] == ["user", "assistant"]
    assert record["feedback"] == [{"message_index": 1, "rating": "down", "comment": "not helpful"}]
    assert only_up.stdout == ""


def test_each_command_explains_itself() -> None:
    for command in ("serve", "chat", "export-feedback"):
        result = CliRunner().invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output
    assert "--port" in CliRunner().invoke(app, ["serve", "--help"]).output
