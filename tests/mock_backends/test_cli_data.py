"""`returndesk seed` options and `returndesk db shell`, as a user on the command line meets them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from core.settings import get_settings
from mock_backends.orders.db import make_engine
from mock_backends.orders.models import Customer
from mock_backends.orders.seed import DEMO_CUSTOMERS
from ui.cli import app
from ui.cli_data import shell_command


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("RETURNDESK_DATABASE_URL", raising=False)
    monkeypatch.setenv("RETURNDESK_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def customers_in(data_dir: Path) -> int:
    engine = make_engine(f"sqlite:///{data_dir / 'returndesk.db'}")
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Customer)).scalar_one()


def test_seed_without_options_seeds_only_the_demo(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["seed"])
    assert result.exit_code == 0, result.output
    assert customers_in(data_dir) == len(DEMO_CUSTOMERS) == 5


def test_seed_with_customers_adds_them_after_the_demo_and_refuses_a_second_run(data_dir: Path) -> None:
    first = CliRunner().invoke(app, ["seed", "--customers", "20", "--seed", "4"])
    assert first.exit_code == 0, first.output
    assert "Generated 20 customers" in first.output
    again = CliRunner().invoke(app, ["seed", "--customers", "20", "--seed", "4"])
    assert again.exit_code == 1 and "--reset" in again.output
    assert customers_in(data_dir) == len(DEMO_CUSTOMERS) + 20
    reset = CliRunner().invoke(app, ["seed", "--reset", "--customers", "5"])
    assert reset.exit_code == 0, reset.output
    assert customers_in(data_dir) == len(DEMO_CUSTOMERS) + 5


def test_seed_from_a_directory_without_tau_data_changes_nothing(data_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["seed", "--from-tau-bench", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert "users.json" in result.output and "Traceback" not in result.output
    assert not (data_dir / "returndesk.db").exists()


def test_db_shell_opens_the_right_client_for_each_database() -> None:
    assert shell_command("sqlite:///data/returndesk.db") == ["sqlite3", "-header", "-column", "data/returndesk.db"]
    assert shell_command("postgresql+psycopg://postgres@127.0.0.1:5432/test") == [
        "psql",
        "postgresql://postgres@127.0.0.1:5432/test",
    ]
    with pytest.raises(ValueError, match="No shell"):
        shell_command("mysql://root@localhost/shop")
