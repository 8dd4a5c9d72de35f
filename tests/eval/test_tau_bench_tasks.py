"""tau-bench-shaped tasks on the tau-bench import: the expected end state comes from the ground-truth
actions applied by our own backend; read actions are ignored; actions we cannot do yet are reported."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.seed import seed_demo
from mock_backends.orders.tau_bench import import_tau_bench
from qa.eval.customers import STOP
from qa.eval.state import canonical_state, diff_states
from qa.eval.tau import load_tau_cases
from qa.eval.trial import TrialOptions, expected_state, run_trial
from qa.eval.world import ModelEndpoint, Templates, cloned_engine
from tests.fakes.vllm_server import FakeVLLMServer, Reply
from ui.cli import app

TAU = Path(__file__).resolve().parents[3] / "shared" / "data" / "tau-bench-retail"  # ../shared next to the repo
TASKS = Path(__file__).parent / "tau_tasks.json"  # our own examples, in tau-bench's shape
if not (TAU / "orders.json").is_file() and os.environ.get("REQUIRE_SHARED_DATA") == "1":
    raise RuntimeError(f"REQUIRE_SHARED_DATA=1 (as .ci/run sets) but there is no tau-bench data at {TAU}")
pytestmark = pytest.mark.skipif(not (TAU / "orders.json").is_file(), reason=f"no tau-bench data at {TAU}")


@pytest.fixture(scope="module")
def tau_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database as `returndesk seed --reset --from-tau-bench` leaves it: demo data plus the import."""
    url = f"sqlite:///{tmp_path_factory.mktemp('tau') / 'returndesk.db'}"
    engine = make_engine(url)
    create_tables(engine)
    now = datetime.now(UTC)
    seed_demo(engine, now=now)
    import_tau_bench(engine, TAU, now=now)
    engine.dispose()
    yield url


@pytest.fixture
def tau_templates(tau_database: str, tmp_path: Path) -> Templates:
    return Templates(tmp_path, now=datetime.now(UTC), configured_url=tau_database)


def test_a_ground_truth_return_is_applied_by_our_backend_and_read_actions_change_nothing(
    tau_database: str, tau_templates: Templates, tmp_path: Path
) -> None:
    case = load_tau_cases(TASKS, tau_database)[0]
    assert case.unsupported == [] and case.task.customer.anonymous and case.task.instruction

    expected = expected_state(case.task, tau_templates, tmp_path)
    with cloned_engine(tau_templates.path_for(case.task.world), tmp_path / "before.db") as engine:
        before = canonical_state(engine)

    changes = [d.describe("before", "after") for d in diff_states(before, expected)]
    assert changes[:2] == [
        "orderitem #W3113816/2206116040: quantity_returned: before 0, after 1",
        "orderitem #W3113816/4274709903: quantity_returned: before 0, after 1",
    ]
    assert changes[2] == "orders #W3113816: status: before 'delivered', after 'return_requested'"
    assert len(changes) == 4 and "'refund_amount_cents': 75420" in changes[3]
    assert "'refund_method': 'original_payment'" in changes[3] and "credit_card_5869505" in changes[3]
    assert case.task.facts[0].found_in("You will get 754.20 back") and case.task.facts[0].ignore_case


def test_a_refund_to_the_gift_card_and_a_transfer_become_a_gift_card_return_and_a_ticket(
    tau_database: str, tau_templates: Templates, tmp_path: Path
) -> None:
    case = load_tau_cases(TASKS, tau_database)[1]
    (change,) = case.task.expected.returns

    assert (change.refund_method, change.items[0].item_id, change.items[0].quantity) == ("gift_card", "6243148452", 1)
    assert case.task.expected.tickets == 1
    expected = expected_state(case.task, tau_templates, tmp_path)
    assert len(expected["handoffticket"]) == 1


def test_an_action_without_a_backend_and_an_unknown_one_are_reported_not_run(
    tau_database: str, tau_templates: Templates, tmp_path: Path
) -> None:
    case = load_tau_cases(TASKS, tau_database)[2]

    record = run_trial(case, "returndesk", 1, TrialOptions(out_dir=tmp_path), tau_templates)

    assert record.status == "unsupported"
    reasons = " | ".join(record.reasons)
    assert "upgrade_loyalty_tier: not an action of tau-bench's retail domain" in reasons
    assert "no backend function for it yet" not in reasons  # cancel_pending_order has one now


def test_the_command_says_tau_bench_tasks_need_a_simulated_customer(
    tau_database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETURNDESK_DATABASE_URL", tau_database)
    from core.settings import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["eval", "--tau-bench", str(TASKS), "--out", str(tmp_path / "run")])
    finally:
        get_settings.cache_clear()

    assert result.exit_code == 2
    assert "need a simulated customer" in " ".join(result.output.split()) and "--user-model-url" in result.output


def test_tasks_of_users_that_are_not_in_the_database_say_how_to_import_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    engine = make_engine(url)
    create_tables(engine)
    seed_demo(engine)
    engine.dispose()

    with pytest.raises(Exception, match="--from-tau-bench"):
        load_tau_cases(TASKS, url)


def test_a_tau_bench_task_runs_end_to_end_with_a_simulated_customer(
    tau_database: str, tau_templates: Templates, tmp_path: Path
) -> None:
    case = load_tau_cases(TASKS, tau_database)[0]
    with FakeVLLMServer() as customer:  # FAKE: the simulated customer's LLM
        customer.script(
            Reply.text("I want to return the cycling helmet and the office chair from order #W3113816"),
            Reply.text("Emma Santos 78228"),
            Reply.text("yes"),
            Reply.text(STOP),
        )
        options = TrialOptions(user_endpoint=ModelEndpoint(customer.base_url, "fake-customer"), out_dir=tmp_path)
        record = run_trial(case, "returndesk", 1, options, tau_templates)

    assert record.status == "passed", record.reasons
