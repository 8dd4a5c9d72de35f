"""Guided mode continues after every registered tool, and says so plainly when it cannot."""

from __future__ import annotations

import json

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from agent.guided import plan_next_step
from agent.guided_handlers import GUIDED_HANDLERS, GuidedHandler, tools_without_handler, with_handlers
from core.messages import t
from tools.registry import REGISTRY


def assist(*messages: BaseMessage) -> list[BaseMessage]:
    return [SystemMessage("prompt", response_metadata={"returndesk_phase": "assist"}), *messages]


def answered(tool: str, text: str = "do the thing for #W1000001", **result: object) -> list[BaseMessage]:
    """The customer asked, guided mode called `tool`, and the tool answered `result`."""
    call = AIMessage("", tool_calls=[{"name": tool, "args": {}, "id": "c1", "type": "tool_call"}])
    return assist(
        HumanMessage(text), call, ToolMessage(json.dumps({"ok": True, **result}), name=tool, tool_call_id="c1")
    )


def test_every_registered_tool_has_a_guided_handler() -> None:
    assert tools_without_handler(spec.name for spec in REGISTRY) == [], (
        "add the tool's GuidedHandler to agent/guided_handlers.py"
    )


def test_a_result_no_handler_knows_is_a_clear_failure_not_the_menu() -> None:
    reply = plan_next_step(answered("set_gift_message"))

    assert not reply.tool_calls and 'no next step after "set_gift_message"' in str(reply.content)
    assert str(reply.content) != t("guided.menu", "en")
    assert reply.response_metadata["quick_replies"] == ["Talk to a person"]
    # Saying yes to the offer hands the conversation to a person, with the reason.
    handed = plan_next_step([*answered("set_gift_message"), reply, HumanMessage("yes")])
    assert [(c["name"], c["args"]) for c in handed.tool_calls] == [
        ("transfer_to_human", {"reason": "Guided mode cannot continue after set_gift_message."})
    ]


def test_the_failure_is_said_in_chinese_to_a_chinese_customer() -> None:
    reply = plan_next_step(answered("set_gift_message", text="订单 #W1000011 加个礼品留言"))
    assert "引导模式在“set_gift_message”之后没有下一步" in str(reply.content)


def test_a_registered_handler_answers_its_tools_result_and_may_propose_the_call() -> None:
    handlers = with_handlers(
        set_gift_message=GuidedHandler(
            after=lambda steps, data: AIMessage(f"Gift message set: {data['message']}"),
            start=lambda steps: (
                steps.call("set_gift_message", order_id=steps.c.order_id, message="Happy birthday")
                if "gift message" in steps.c.text
                else None
            ),
        )
    )

    proposed = plan_next_step(assist(HumanMessage("add a gift message to #W1000001")), handlers)
    done = plan_next_step(answered("set_gift_message", message="Happy birthday"), handlers)

    assert [(c["name"], c["args"]) for c in proposed.tool_calls] == [
        ("set_gift_message", {"order_id": "#W1000001", "message": "Happy birthday"})
    ]
    assert done.content == "Gift message set: Happy birthday"
    assert "set_gift_message" not in GUIDED_HANDLERS, "a graph's own handlers never leak into guided mode's"
    # Messages the handler's start does not claim go to the built-in steps as before.
    assert plan_next_step(assist(HumanMessage("track #W1000004")), handlers).tool_calls[0]["name"] == "track_shipment"
