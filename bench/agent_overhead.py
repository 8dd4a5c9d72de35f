"""Agent overhead per turn: our graph vs LangGraph's prebuilt ReAct agent, same model, tools, DB, checkpointer.

The model is a zero-latency scripted fake (lookup_order -> check_return_eligibility -> reply), so
what is measured is graph + tools + DB + checkpoint. Runs alternate between the two agents so
machine noise hits both alike.
"""

from __future__ import annotations

import time
import uuid
import warnings
from pathlib import Path
from typing import Any

from langchain_core.messages import HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.prebuilt.chat_agent_executor import AgentState

from agent.settings import Settings
from bench.scripted_model import scripted
from bench.stats import ms, pct, ratio
from graphs.persistence import open_checkpointer
from graphs.returns_graph import build_graph
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.seed import seed_demo
from tools.deps import ToolDeps
from tools.registry import TOOLS

SCRIPT = (("lookup_order", {"order_id": "#W1000001"}), ("check_return_eligibility", {"order_id": "#W1000001"}),
          "Your headphones can be returned until next month.")


class ReactState(AgentState):
    customer_id: str | None
    language: str


def prebuilt_react_agent(model: Any, checkpointer: BaseCheckpointSaver) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # create_react_agent is deprecated in favour of langchain's create_agent
        from langgraph.prebuilt import create_react_agent

        return create_react_agent(model, TOOLS, checkpointer=checkpointer, state_schema=ReactState,
                                  context_schema=ToolDeps)


def run(workdir: Path, turns: int = 200) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=workdir, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(settings.resolved_database_url)
    create_tables(engine)
    seed_demo(engine)
    model = scripted(*SCRIPT)
    deps = ToolDeps(engine=engine, settings=settings, chat_model=model)
    checkpointer = open_checkpointer(settings)  # the product's checkpointer (SQLite file, WAL), shared by both
    agents = {"returndesk": build_graph(checkpointer), "prebuilt_react": prebuilt_react_agent(model, checkpointer)}
    timings: dict[str, list[float]] = {name: [] for name in agents}
    for i in range(turns + 10):  # the first 10 warm caches and are not counted
        for name, graph in agents.items():
            config = {"configurable": {"thread_id": f"{name}-{uuid.uuid4().hex}"}}
            state = {"messages": [HumanMessage("Can I return the headphones from #W1000001?")],
                     "customer_id": "alice_chen_1001", "language": "en"}
            started = time.perf_counter()
            result = graph.invoke(state, config=config, context=deps)
            elapsed = time.perf_counter() - started
            assert result["messages"][-1].content == SCRIPT[-1], f"{name} did not finish the turn"
            if i >= 10:
                timings[name].append(elapsed)
    ours, base = timings["returndesk"], timings["prebuilt_react"]
    engine.dispose()
    return {
        "turns": turns,
        "returndesk_p50_ms": ms(pct(ours, 50)), "returndesk_p99_ms": ms(pct(ours, 99)),
        "prebuilt_react_p50_ms": ms(pct(base, 50)), "prebuilt_react_p99_ms": ms(pct(base, 99)),
        "ratio_p50": ratio(pct(ours, 50), pct(base, 50)),
        "target": "ratio <= 1.2, returndesk p50 < 5 ms",
    }
