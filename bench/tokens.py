"""Prompt tokens per completed task with a real model's tokenizer: ReturnDesk's graph vs a prebuilt agent.

Both agents play the eval suite's scripted conversations (qa/eval/tasks) against the fake vLLM server
(tests/fakes/vllm_server.py), which records every request the real ChatOpenAI client sends; a rule-based
competent model (bench/token_script.py) answers. Each request is rendered in Qwen3's tool-calling chat
format and counted with the Qwen vocabulary (bench/qwen_tokens.py). The baseline is LangChain's prebuilt
tool-calling agent (`create_agent`, successor of `create_react_agent`; qa/eval/baseline.py) with the same
tools, prompt and model, run in the same process on the same tasks. Whatever tools the registry holds are
offered (the tools of a new flow count from the day it is registered).

Per call: prompt tokens; the share that is a prefix of the previous call's prompt + answer in the same
conversation (what vLLM's prefix cache holds for it); for a conversation's first call, the share that is a
prefix of another conversation's first call in the same language (what other customers left in the cache).
"""

from __future__ import annotations

import statistics
import tempfile
import threading
from pathlib import Path
from typing import Any

from bench import qwen_tokens as qt
from bench.token_script import SCRIPTS, respond
from mock_backends.orders.models import utcnow
from qa.eval.task_format import load_task
from qa.eval.trial import EvalCase, TrialOptions, run_trial
from qa.eval.world import ModelEndpoint, Templates
from tests.fakes.vllm_server import FakeVLLMServer, Reply

TASKS = Path(__file__).resolve().parents[1] / "qa" / "eval" / "tasks"
AGENTS = ("returndesk", "baseline")
RETURN_CATEGORIES = ("return",)  # tasks whose goal is one return, created and confirmed


class Recorder:
    """The fake model's responder: answers by the current task's script and keeps (request, answer) pairs."""

    def __init__(self) -> None:
        self.task_id = ""
        self.calls: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self._lock = threading.Lock()

    def __call__(self, body: dict[str, Any]) -> Reply:
        answer = respond(body, SCRIPTS[self.task_id])
        with self._lock:
            self.calls.append((body, answer))
        if "tool_calls" in answer:
            function = answer["tool_calls"][0]["function"]
            return Reply.tool_call(function["name"], function["arguments"])
        return Reply.text(answer["content"])


def conversation_calls(calls: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for body, answer in calls:
        prompt = qt.tokens(qt.render(body))
        completion = qt.tokens(qt.completion_text(answer))
        cached = 0
        if out:
            before = out[-1]
            cached = qt.common_prefix(prompt, before["prompt"] + before["completion"])
        out.append(
            {
                "prompt": prompt,
                "completion": completion,
                "cached": cached,
                "tools_offered": len(body.get("tools") or []),
            }
        )
    return out


def run(workdir: Path) -> dict[str, Any]:
    qt.check_vocabulary()
    workdir.mkdir(parents=True, exist_ok=True)
    recorder = Recorder()
    conversations: list[dict[str, Any]] = []
    with FakeVLLMServer(responder=recorder) as fake, tempfile.TemporaryDirectory(dir=workdir) as tmp:
        templates = Templates(Path(tmp), now=utcnow(), configured_url=None)
        options = TrialOptions(endpoint=ModelEndpoint(base_url=fake.base_url, model=fake.model))
        for task_id in SCRIPTS:
            task = load_task(TASKS / f"{task_id}.yaml")
            for agent in AGENTS:
                recorder.task_id, recorder.calls = task_id, []
                record = run_trial(EvalCase(task), agent, 0, options, templates)
                conversations.append(
                    {
                        "task": task_id,
                        "language": task.language,
                        "category": task.category,
                        "agent": agent,
                        "status": record.status,
                        "reasons": record.reasons,
                        "guided_replies": record.guided_replies,
                        "calls": conversation_calls(recorder.calls),
                    }
                )
    return summarise(conversations)


def _share_with_others(conv: dict[str, Any], conversations: list[dict[str, Any]]) -> float:
    first = conv["calls"][0]["prompt"]
    others = [
        c["calls"][0]["prompt"]
        for c in conversations
        if c is not conv and c["agent"] == conv["agent"] and c["language"] == conv["language"] and c["calls"]
    ]
    return max((qt.common_prefix(first, o) for o in others), default=0) / len(first)


def summarise(conversations: list[dict[str, Any]]) -> dict[str, Any]:
    rows, per_task = [], []
    for agent in AGENTS:
        mine = [c for c in conversations if c["agent"] == agent]
        completed = [c for c in mine if c["status"] == "passed"]
        returns = [c for c in completed if c["category"] in RETURN_CATEGORIES]
        later = [call["cached"] / len(call["prompt"]) for c in mine for call in c["calls"][1:]]
        first_shared = [_share_with_others(c, conversations) for c in mine if c["calls"]]
        rows.append(
            {
                "agent": agent,
                "tasks": len(mine),
                "completed": len(completed),
                "calls_per_task": _mean([len(c["calls"]) for c in completed]),
                "calls_per_return": _mean([len(c["calls"]) for c in returns]),
                "prompt_tok_per_task": _mean([sum(len(k["prompt"]) for k in c["calls"]) for c in completed]),
                "prompt_tok_per_return": _mean([sum(len(k["prompt"]) for k in c["calls"]) for c in returns]),
                "completion_tok_per_task": _mean([sum(len(k["completion"]) for k in c["calls"]) for c in completed]),
                "first_call_prompt_tok": _mean([len(c["calls"][0]["prompt"]) for c in mine if c["calls"]]),
                "uncached_tok_per_task": _mean(
                    [sum(len(k["prompt"]) - k["cached"] for k in c["calls"]) for c in completed]
                ),
                "later_calls_cached_min_%": _pct(min(later, default=0)),
                "later_calls_cached_mean_%": _pct(statistics.fmean(later) if later else 0.0),
                "first_call_shared_min_%": _pct(min(first_shared, default=0)),
            }
        )
        for c in mine:
            per_task.append(
                {
                    "task": c["task"],
                    "agent": agent,
                    "status": c["status"],
                    "calls": len(c["calls"]),
                    "prompt_tok": sum(len(k["prompt"]) for k in c["calls"]),
                    "completion_tok": sum(len(k["completion"]) for k in c["calls"]),
                    "tools_offered": "/".join(str(k["tools_offered"]) for k in c["calls"]),
                    "cached_%": "/".join(str(round(100 * k["cached"] / len(k["prompt"]))) for k in c["calls"][1:]),
                    "first_shared_%": _pct(_share_with_others(c, conversations)) if c["calls"] else "",
                    "reasons": "; ".join(c["reasons"])[:120],
                }
            )
    ours, base = rows
    targets = [
        _target(
            "model calls per completed return",
            ours["calls_per_return"],
            "<= 3",
            ours["calls_per_return"] <= 3,
            base["calls_per_return"],
        ),
        _target(
            "prompt tokens per completed return",
            ours["prompt_tok_per_return"],
            "<= 0.7x baseline",
            ours["prompt_tok_per_return"] <= 0.7 * base["prompt_tok_per_return"],
            base["prompt_tok_per_return"],
        ),
        _target(
            "later calls: cached prefix (min)",
            ours["later_calls_cached_min_%"],
            ">= 90%",
            ours["later_calls_cached_min_%"] >= 90,
            base["later_calls_cached_min_%"],
        ),
        _target(
            "first call: shared with other conversations (min)",
            ours["first_call_shared_min_%"],
            ">= 80%",
            ours["first_call_shared_min_%"] >= 80,
            base["first_call_shared_min_%"],
        ),
    ]
    return {
        "tokenizer": "Qwen vocabulary (dashscope's qwen.tiktoken, checked against Qwen3 token ids), "
        "Qwen3-4B-Instruct-2507 chat template",
        "agents": rows,
        "targets": targets,
        "tasks": per_task,
    }


def _target(name: str, value: float, target: str, met: bool, baseline: float) -> dict[str, Any]:
    return {
        "row": name,
        "returndesk": value,
        "baseline": baseline,
        "ratio": round(value / baseline, 2) if baseline else "",
        "target": target,
        "met": "yes" if met else "NO",
    }


def _mean(values: list[float]) -> float:
    return round(statistics.fmean(values), 1) if values else 0.0


def _pct(share: float) -> float:
    return round(100 * share, 1)
