"""Durable state: a conversation, pending confirmation included, survives a restart; langgraph.json serves the graph."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.types import Command
from sqlmodel import Session, select

from core.settings import Settings
from graphs.persistence import open_checkpointer
from graphs.returns_graph import DURABILITY, build_graph
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.models import ReturnRequest
from mock_backends.orders.seed import seed_demo
from tools.deps import ToolDeps

ROOT = Path(__file__).resolve().parents[2]
CONFIG = {"configurable": {"thread_id": "session-1"}}
ALICE = {"customer_id": "alice_chen_1001", "customer_name": "Alice Chen", "language": "en"}


def close(saver) -> None:
    conn = getattr(saver, "conn", None)
    conn.close()  # a sqlite3 connection or a psycopg pool: the "process" ends


def test_a_pending_confirmation_survives_a_restart(database_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(database_url)
    create_tables(engine)
    seed_demo(engine)
    deps = ToolDeps(engine=engine, settings=settings)  # guided mode: no endpoint configured

    saver = open_checkpointer(settings)
    build_graph(saver).invoke(
        {"messages": [HumanMessage("return the headphones from #W1000001")], **ALICE},
        config=CONFIG,
        context=deps,
        durability=DURABILITY,
    )
    close(saver)

    saver = open_checkpointer(settings)  # a new process: everything built again from the same database
    graph = build_graph(saver)
    [pending] = graph.get_state(CONFIG).interrupts
    assert pending.value["tool"] == "create_return"
    graph.invoke(
        Command(resume={"approved": True, "action_id": pending.value["action_id"]}),
        config=CONFIG,
        context=deps,
        durability=DURABILITY,
    )
    reply = graph.get_state(CONFIG).values["messages"][-1]
    close(saver)

    with Session(engine) as db:
        [created] = db.exec(select(ReturnRequest)).all()
    assert created.rma in reply.content
    if database_url.startswith("sqlite"):
        assert (tmp_path / "data" / "checkpoints.sqlite").exists()
    engine.dispose()


def test_the_graph_named_in_langgraph_json_runs_a_turn(settings: Settings, engine) -> None:
    path, _, name = json.loads((ROOT / "langgraph.json").read_text())["graphs"]["returndesk"].partition(":")
    spec = importlib.util.spec_from_file_location("served_graph", ROOT / path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    graph = getattr(module, name)

    result = graph.invoke(
        {"messages": [HumanMessage("hello")], **ALICE}, context=ToolDeps(engine=engine, settings=settings)
    )

    reply = result["messages"][-1]
    assert isinstance(reply, AIMessage) and reply.response_metadata["returndesk_mode"] == "guided"
    assert "Return an item" in reply.response_metadata["quick_replies"]
