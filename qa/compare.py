"""Expectations vs what happened: a list of divergences, each readable on its own."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any

from qa.masking import normalise, normalise_value
from qa.runner import EndObservation, RunResult, TurnObservation
from qa.spec import ConversationSpec, PendingExpect, TurnExpect
from tools.cards import ConfirmationCard


@dataclass
class Divergence:
    turn: int | None  # 1-based; None for the end state
    turn_label: str
    what: str
    expected: str
    actual: str
    diff: str = ""


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def text_diff(expected: str, actual: str) -> str:
    lines = difflib.unified_diff(expected.splitlines(), actual.splitlines(), "expected", "actual", lineterm="", n=1)
    return "\n".join(lines)


def check_turn(expect: TurnExpect, seen: TurnObservation) -> list[tuple[str, Any, Any]]:
    """(what, expected, actual) for every expectation this turn missed."""
    problems: list[tuple[str, Any, Any]] = []
    names = [name for name, _ in seen.tools]
    if expect.error is not None:
        if seen.error is None or expect.error not in seen.error:
            problems.append(("refusal", expect.error, seen.error or "(the turn was not refused)"))
        return problems
    if seen.error is not None:
        return [("refusal", "(no refusal)", seen.error)]
    if expect.tools is not None and names != expect.tools:
        problems.append(("tools called", expect.tools, names))
    for tool, wanted in expect.tool_args.items():
        calls = [args for name, args in seen.tools if name == tool]
        if not any(
            all(normalise_value(args.get(k)) == normalise_value(v) for k, v in wanted.items()) for args in calls
        ):
            problems.append((f"arguments of {tool}", wanted, calls or "(not called)"))
    reply = normalise(seen.reply)
    if expect.reply is not None and normalise(expect.reply) != reply:
        problems.append(("reply", normalise(expect.reply), reply))
    for part in expect.reply_contains:
        if part not in seen.reply:
            problems.append(("reply contains", part, seen.reply))
    for part in expect.reply_not_contains:
        if part in seen.reply:
            problems.append(("reply does not contain", part, seen.reply))
    if expect.mode is not None and seen.mode != expect.mode:
        problems.append(("mode", expect.mode, seen.mode))
    problems.extend(check_pending(expect.pending, seen))
    return problems


def check_pending(expect: bool | PendingExpect | None, seen: TurnObservation) -> list[tuple[str, Any, Any]]:
    card = seen.pending
    if expect is None:
        return []
    if isinstance(expect, bool):
        return (
            []
            if (card is not None) == expect
            else [("confirmation card", "shown" if expect else "none", "shown" if card else "none")]
        )
    if card is None:
        return [("confirmation card", expect.model_dump(exclude_none=True), "none")]
    wanted = expect.model_dump(exclude_none=True)
    actual = card_facts(card, wanted)
    if actual != wanted:
        return [("confirmation card", wanted, actual)]
    return []


def card_facts(card: ConfirmationCard, wanted: dict[str, Any]) -> dict[str, Any]:
    """The card's tool and facts (`ConfirmationCard.facts`: the action as data, whatever the tool), cut to
    the keys QA wrote: for a list of items, the keys each expected item names ("product", "quantity")."""
    facts = {"tool": card.tool, **card.facts}
    actual: dict[str, Any] = {}
    for key, value in wanted.items():
        seen = facts.get(key)
        if isinstance(value, list) and isinstance(seen, list) and value and isinstance(value[0], dict):
            keys = set().union(*(v.keys() for v in value))
            seen = [{k: s.get(k) for k in keys} if isinstance(s, dict) else s for s in seen]
        actual[key] = seen
    return actual


def check_end(spec: ConversationSpec, end: EndObservation) -> list[tuple[str, Any, Any]]:
    problems: list[tuple[str, Any, Any]] = []
    wanted_returns = spec.end_state.returns
    if wanted_returns is not None:
        wanted = [r.model_dump(exclude_none=True) for r in wanted_returns]
        actual = [{k: r[k] for k in w} for r, w in zip(end.returns, wanted, strict=False)]
        if len(end.returns) != len(wanted) or actual != wanted:
            problems.append(("returns in the database", wanted, end.returns))
    if spec.end_state.tickets is not None and end.tickets != spec.end_state.tickets:
        problems.append(("hand-off tickets", spec.end_state.tickets, end.tickets))
    return problems


def compare(spec: ConversationSpec, result: RunResult) -> list[Divergence]:
    found: list[Divergence] = []
    for index, (turn, seen) in enumerate(zip(spec.turns, result.turns, strict=False), start=1):
        for what, expected, actual in check_turn(turn.expect, seen):
            e, a = _show(expected), _show(actual)
            found.append(Divergence(index, turn.label, what, e, a, text_diff(e, a) if what == "reply" else ""))
    if result.aborted:
        # The request the cassette could not answer is why that turn went differently: report it first.
        index = len(result.turns)
        at = next((i for i, d in enumerate(found) if d.turn == index), len(found))
        found.insert(
            at, Divergence(index, spec.turns[index - 1].label, "recorded HTTP exchange", "a match", result.aborted)
        )
    elif result.end is not None:
        for what, expected, actual in check_end(spec, result.end):
            found.append(Divergence(None, "end state", what, _show(expected), _show(actual)))
    return found
