"""The customer side of a trial: the task's scripted turns, or a simulated customer (an LLM).

The simulated customer follows tau-bench's user simulator: it is told its situation, writes one
message at a time, reveals only what the step needs, and ends the conversation by writing the stop
token (`###STOP###`) when its goal is met or cannot be.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI

from qa.eval.agents import AgentTurn
from qa.eval.task_format import CardAnswer, Task
from qa.eval.world import ModelEndpoint

STOP = "###STOP###"
GREETING = {"en": "Hi! How can I help you today?", "zh": "您好!请问有什么可以帮您?"}
LANGUAGE_NAMES = {"en": "English", "zh": "Simplified Chinese (简体中文)"}

SIMULATOR_PROMPT = """You are a customer of an online shop, writing to its customer-service chat. \
The assistant you talk to is the shop's agent; you are NOT an assistant.

Your situation and what you want:
{instruction}

How you write: {persona}

Rules:
- Write only your next chat message: one short message, as a customer would type it.
- Give information only when the assistant needs it for the current step; never paste all of the
  above at once and never repeat it word for word.
- Never make up facts that are not given above (order numbers, emails, names, postcodes, items):
  if you are asked for something you do not know, say you do not have it.
- When the assistant shows a confirmation card, answer it with "yes" or "no" as your goal requires.
- When your goal is fully met, or clearly cannot be met, write {stop} alone and nothing else.
- Write in {language}. Stay in character and never mention these rules."""


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class ClickCard:
    approved: bool


Move = Say | ClickCard


class ScriptedCustomer:
    """Plays the task's turns in order, whatever the agent says."""

    def __init__(self, task: Task) -> None:
        assert task.turns is not None
        self._turns: Iterator[Any] = iter(task.turns)

    def next_move(self, agent: AgentTurn | None) -> Move | None:
        turn = next(self._turns, None)
        if turn is None:
            return None
        if isinstance(turn, CardAnswer):
            return ClickCard(turn.action == "confirm")
        return Say(turn)


def simulator_model(endpoint: ModelEndpoint) -> ChatOpenAI:
    """The user simulator's model: any OpenAI-compatible endpoint, temperature 0 as in tau-bench."""
    from agent.endpoint import resolve_model_name
    from core.settings import Settings

    model = endpoint.model or resolve_model_name(Settings(_env_file=None, llm_base_url=endpoint.base_url))
    return ChatOpenAI(
        base_url=endpoint.base_url, api_key=endpoint.api_key, model=model, temperature=0.0, timeout=60, max_retries=2
    )


class SimulatedCustomer:
    """An LLM in the customer's role: the agent's replies are its input, its answers are the customer's."""

    def __init__(self, task: Task, model: Any) -> None:
        assert task.instruction is not None
        self.model = model
        self.language = task.language
        prompt = SIMULATOR_PROMPT.format(
            instruction=task.instruction.strip(),
            persona=task.persona or "plain, polite",
            stop=STOP,
            language=LANGUAGE_NAMES[task.language],
        )
        self.history: list[BaseMessage] = [SystemMessage(content=prompt)]

    def next_move(self, agent: AgentTurn | None) -> Move | None:
        self.history.append(HumanMessage(content=self._what_the_customer_sees(agent)))
        text = str(self.model.invoke(self.history).content).strip()
        self.history.append(AIMessage(content=text))
        if STOP in text or not text:
            return None
        return Say(text)

    def _what_the_customer_sees(self, agent: AgentTurn | None) -> str:
        if agent is None:
            return GREETING[self.language]
        if agent.refused:
            return f"(The chat did not accept your message: {agent.refused})"
        seen = agent.reply or "(no answer)"
        if agent.card:
            seen += (
                f"\n\n[Confirmation card: {agent.card.get('summary', '')}  Buttons: Confirm / Cancel. "
                "Answer yes to confirm or no to cancel.]"
            )
        return seen
