"""Fixtures for the evaluation harness: one run's world templates, trial options that keep no files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mock_backends.orders.models import utcnow
from qa.eval.task_format import SUITE, Task, load_task
from qa.eval.trial import TrialOptions
from qa.eval.world import Templates


@pytest.fixture(autouse=True)
def guided_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """No endpoint, whatever the developer's environment says: the agent under test is guided mode."""
    for name in ("RETURNDESK_LLM_BASE_URL", "RETURNDESK_LLM_MODEL", "RETURNDESK_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def templates(tmp_path: Path) -> Iterator[Templates]:
    root = tmp_path / "templates"
    root.mkdir()
    yield Templates(root, now=utcnow(), configured_url=None)


@pytest.fixture
def options(tmp_path: Path) -> TrialOptions:
    return TrialOptions(out_dir=tmp_path / "out")


def shipped(task_id: str) -> Task:
    return load_task(SUITE / f"{task_id}.yaml")
