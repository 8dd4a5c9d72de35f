"""The agents under test, behind one small interface: ReturnDesk's graph (through the ConversationService,
as every interface uses it) and, in qa.eval.baseline, a plain tool-calling agent.

A session answers the customer's messages and, when it shows confirmation cards, the customer's
click on one. Each answer is an `AgentTurn`: the reply, the card it stops at, the tools that ran.
"""

from __future__ import annotations

from typing import Protocol

from langchain_core.messages import BaseMessage

from qa.eval.agent_turn import AgentTurn, ToolUse
from qa.eval.task_format import CustomerSpec
from qa.eval.world import TrialWorld
from service.conversation import ConversationError, ConversationService, TurnResult

AGENTS = ("returndesk", "baseline")


class AgentSession(Protocol):
    kind: str
    shows_cards: bool  # False: the agent never asks for a click; "confirm" is said in words

    def send(self, text: str) -> AgentTurn: ...

    def answer_card(self, approved: bool) -> AgentTurn | None:
        """Click Confirm / Cancel; None when no card is waiting."""
        ...

    def messages(self) -> list[BaseMessage]: ...


class ReturnDeskSession:
    """ReturnDesk as a customer meets it: sign-in, messages, confirmation cards, all through the service."""

    kind = "returndesk"
    shows_cards = True

    def __init__(self, world: TrialWorld, customer: CustomerSpec, language: str) -> None:
        self.service = ConversationService(world.settings, deps=world.deps)
        if customer.anonymous:
            self.session_id = self.service.start_anonymous(language=language).session_id
        else:
            self.session_id = self.service.sign_in(
                email=customer.email, order_id=customer.order_id, name=customer.name, postcode=customer.postcode
            ).session_id

    def send(self, text: str) -> AgentTurn:
        try:
            return _turn(self.service.send(self.session_id, text))
        except ConversationError as error:
            return AgentTurn(reply="", mode="guided", refused=str(error))

    def answer_card(self, approved: bool) -> AgentTurn | None:
        if self.service.pending(self.session_id) is None:
            return None
        return _turn(self.service.resolve(self.session_id, approved=approved))

    def messages(self) -> list[BaseMessage]:
        state = self.service.graph.get_state({"configurable": {"thread_id": self.session_id}})
        return list(state.values.get("messages", []))


def _turn(result: TurnResult) -> AgentTurn:
    return AgentTurn(
        reply=result.reply,
        mode=result.mode,
        card=(
            {**result.pending.model_dump(), "summary": result.pending.summary} if result.pending is not None else None
        ),
        tools=[ToolUse(t.tool, dict(t.args), t.result) for t in result.tool_trace],
    )


def open_session(kind: str, world: TrialWorld, customer: CustomerSpec, language: str) -> AgentSession:
    """A new conversation with the agent `kind` ('returndesk' or 'baseline') in `world`."""
    if kind == "returndesk":
        return ReturnDeskSession(world, customer, language)
    if kind == "baseline":
        from qa.eval.baseline import BaselineSession

        return BaselineSession(world, customer, language)
    raise ValueError(f"unknown agent {kind!r}; choose one of {', '.join(AGENTS)}")
