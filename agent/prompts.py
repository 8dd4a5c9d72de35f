"""System prompts. Policy is enforced in code; the prompt only explains the process.

The words are in the catalogues (`core.messages`, keys `prompt.*`), one per language, so a new
language's prompt asks the model to reply in that language.
"""

from __future__ import annotations

from core.messages import t


def system_prompt(language: str, customer_name: str | None, phase: str = "assist") -> str:
    if phase == "identify":
        return t("prompt.identify", language)
    return t("prompt.assist", language, customer=customer_name or t("prompt.signed_in_customer", language))


def reply_feedback(language: str, facts: list[str]) -> str:
    return t("prompt.reply_feedback", language, facts=", ".join(facts))
