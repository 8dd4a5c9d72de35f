"""Every conversation file under tests/conversations/ is a test: replayed offline, diffed on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.replay import ReplayOutcome, replay_file


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and not file_path.name.endswith("cassette.yaml"):
        return ConversationFile.from_parent(parent, path=file_path)
    return None


class ConversationFile(pytest.File):
    def collect(self):  # noqa: ANN201
        yield ConversationItem.from_parent(self, name=self.path.parent.name if self.path.name == "conversation.yaml"
                                           else self.path.stem)


class ConversationItem(pytest.Item):
    outcome: ReplayOutcome | None = None

    def runtest(self) -> None:
        self.outcome = replay_file(self.path)
        if not self.outcome.passed:
            raise ConversationDiverged(self.outcome)

    def repr_failure(self, excinfo, style=None):  # noqa: ANN001, ANN201
        if isinstance(excinfo.value, ConversationDiverged):
            outcome = excinfo.value.outcome
            if outcome.error:
                return outcome.error
            return "\n\n".join(
                f"{'turn ' + str(d.turn) + ' (' + repr(d.turn_label) + ')' if d.turn else 'end state'}: {d.what}\n"
                f"  expected: {d.expected}\n  actual:   {d.actual}" + (f"\n{d.diff}" if d.diff else "")
                for d in outcome.divergences)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):  # noqa: ANN201
        return self.path, 0, f"conversation: {self.name}"


class ConversationDiverged(Exception):
    def __init__(self, outcome: ReplayOutcome) -> None:
        super().__init__(outcome.name)
        self.outcome = outcome
