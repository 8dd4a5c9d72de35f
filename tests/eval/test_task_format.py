"""Task files: a mistake is an error naming the file and the field, never a silently easier task."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.eval.task_format import TaskFileError, load_task, load_tasks

VALID = """\
id: en-example
language: en
category: return
customer: {email: alice@example.com, order_id: "#W1000001"}
goal: Return the headphones.
turns: ["I want to return the headphones from order #W1000001", {action: confirm}]
expected:
  returns: [{order_id: "#W1000001", items: [{product: Wireless Headphones}]}]
facts: ["89.99", {regex: "RMA-[0-9A-F]{8}"}]
"""


def write(tmp_path: Path, text: str, name: str = "task.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_task_reads_with_its_turns_expectations_and_facts(tmp_path: Path) -> None:
    task = load_task(write(tmp_path, VALID))
    assert task.scripted and task.turns is not None and len(task.turns) == 2
    assert task.expected.returns[0].items[0].quantity == 1
    assert task.facts[0].found_in("Refund of 89.99") and task.facts[1].found_in("RMA-1A2B3C4D")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("\nturns:", "\ninstruction: You are Alice.\nturns:"), "a task has scripted `turns` or an `instruction`"),
        (("expected:", "expectd:"), "expectd: Extra inputs are not permitted"),
        (
            ("{product: Wireless Headphones}", "{product: Wireless Headphones, item_id: P-X}"),
            "an item is named by `product` or by `item_id`",
        ),
        (("language: en", "language: fr"), "language: Input should be 'en' or 'zh'"),
        (('{regex: "RMA-[0-9A-F]{8}"}', '{regex: "RMA-[0-9"}'), "does not compile"),
        (
            ('customer: {email: alice@example.com, order_id: "#W1000001"}', "customer: {email: alice@example.com}"),
            "customer needs email + order_id",
        ),
    ],
)
def test_a_mistake_is_reported_with_the_file_and_the_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = write(tmp_path, VALID.replace(*change))
    with pytest.raises(TaskFileError) as raised:
        load_task(path)
    assert str(path) in str(raised.value) and message in str(raised.value)


def test_every_broken_file_is_reported_at_once_and_ids_must_be_unique(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.yaml")
    write(tmp_path, VALID, "b.yaml")
    write(tmp_path, "id: [unclosed", "c.yaml")
    with pytest.raises(TaskFileError) as raised:
        load_tasks([tmp_path])
    text = str(raised.value)
    assert "c.yaml: cannot read it as YAML" in text and "task id 'en-example' is used by 2 files" in text
