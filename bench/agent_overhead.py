"""Agent overhead per turn: our graph vs LangGraph's prebuilt ReAct agent, same model, tools, DB, checkpointer.

The model is a zero-latency scripted fake (lookup_order -> check_return_eligibility -> reply), so
what is measured is graph + tools + DB + checkpoint. Both agents run with the product's checkpoint
mode (`graphs.returns_graph.DURABILITY`). Runs alternate between the two agents so machine noise
hits both alike.
"""

from __future__ import annotations

import time
import uuid
import warnings
from itertools import pairwise
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt.chat_agent_executor import AgentState

from bench.scripted_model import scripted
from bench.stats import ms, pct, ratio
from core.settings import Settings
from graphs.persistence import open_checkpointer
from graphs.returns_graph import DURABILITY, build_graph
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.seed import seed_demo
from tools.deps import ToolDeps
from tools.registry import TOOLS

SCRIPT = (
    ("lookup_order", {"order_id": "#W1000001"}),
    ("check_return_eligibility", {"order_id": "#W1000001"}),
    "Your headphones can be returned until next month.",
)


class ReactState(AgentState):
    customer_id: str | None
    language: str


def prebuilt_react_agent(model: Any, checkpointer: BaseCheckpointSaver) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # create_react_agent is deprecated in favour of langchain's create_agent
        from langgraph.prebuilt import create_react_agent

        return create_react_agent(
            model, TOOLS, checkpointer=checkpointer, state_schema=ReactState, context_schema=ToolDeps
        )


# The supersteps of the scripted turn in our graph: screen_input, then assist -> tools twice, assist, check_reply.
OUR_STEPS = ("screen_input", "assist", "tools", "assist_2", "tools_2", "assist_3", "check_reply")


def langgraph_floor(checkpointer: BaseCheckpointSaver) -> Any:
    """What LangGraph alone costs for a turn like ours: as many supersteps, doing nothing but write the
    scripted reply, with the same checkpointer and checkpoint mode; no model, no tools, no database."""
    builder = StateGraph(MessagesState)
    for step in OUR_STEPS:
        builder.add_node(
            step, (lambda state: {"messages": [AIMessage(SCRIPT[-1])]}) if step == "assist_3" else (lambda state: {})
        )
    builder.add_edge(START, OUR_STEPS[0])
    for before, after in pairwise(OUR_STEPS):
        builder.add_edge(before, after)
    builder.add_edge(OUR_STEPS[-1], END)
    return builder.compile(checkpointer=checkpointer)


def run(workdir: Path, turns: int = 200) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=workdir, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(settings.resolved_database_url)
    create_tables(engine)
    seed_demo(engine)
    model = scripted(*SCRIPT)
    deps = ToolDeps(engine=engine, settings=settings, chat_model=model)
    checkpointer = open_checkpointer(settings)  # the product's checkpointer (SQLite file, WAL), shared by both
    agents = {
        "returndesk": build_graph(checkpointer),
        "prebuilt_react": prebuilt_react_agent(model, checkpointer),
        "langgraph_floor": langgraph_floor(checkpointer),
    }
    timings: dict[str, list[float]] = {name: [] for name in agents}
    for i in range(turns + 10):  # the first 10 warm caches and are not counted
        for name, graph in agents.items():
            config = {"configurable": {"thread_id": f"{name}-{uuid.uuid4().hex}"}}
            state = {
                "messages": [HumanMessage("Can I return the headphones from #W1000001?")],
                "customer_id": "alice_chen_1001",
                "language": "en",
            }
            started = time.perf_counter()
            result = graph.invoke(state, config=config, context=deps, durability=DURABILITY)
            elapsed = time.perf_counter() - started
            assert result["messages"][-1].content == SCRIPT[-1], f"{name} did not finish the turn"
            if i >= 10:
                timings[name].append(elapsed)
    ours, base, floor = timings["returndesk"], timings["prebuilt_react"], timings["langgraph_floor"]
    engine.dispose()
    return {
        "turns": turns,
        "returndesk_p50_ms": ms(pct(ours, 50)),
        "returndesk_p99_ms": ms(pct(ours, 99)),
        "prebuilt_react_p50_ms": ms(pct(base, 50)),
        "prebuilt_react_p99_ms": ms(pct(base, 99)),
        "ratio_p50": ratio(pct(ours, 50), pct(base, 50)),
        "langgraph_floor_p50_ms": ms(pct(floor, 50)),
        "target": "ratio <= 1.2, returndesk p50 < 5 ms",
    }
