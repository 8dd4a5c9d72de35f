"""System prompts. Policy is enforced in code; the prompt only explains the process.

The words are in the catalogues (`core.messages`, keys `prompt.*`), one per language, so a new
language's prompt asks the model to reply in that language.

Laid out for the model server's prefix cache: `system_prompt` is the same for every customer and
both steps (identify, assist), so with the tool list (which the chat template renders right after
it) it is one long prefix that every conversation in a language shares. What differs per customer
and step (`customer_context`: who they are, whether they are verified, why the last reply was
rejected) is a second, short system message after it; it changes at most when the customer is
verified or a reply is rejected, so every other call re-reads only the newest messages.
"""

from __future__ import annotations

from core.messages import t


def system_prompt(language: str) -> str:
    return t("prompt.rules", language)


def customer_context(
    language: str, customer_name: str | None, phase: str = "assist", feedback: str | None = None
) -> str:
    if phase == "identify":
        note = t("prompt.context_identify", language)
    else:
        note = t("prompt.context_assist", language, customer=customer_name or t("prompt.signed_in_customer", language))
    return f"{note}\n\n{feedback}" if feedback else note


def single_prompt(language: str, customer_name: str | None, phase: str = "assist") -> str:
    """Rules and note in one system message, for an agent without the late note (the eval's baseline)."""
    return system_prompt(language) + "\n\n" + customer_context(language, customer_name, phase)


def reply_feedback(language: str, facts: list[str]) -> str:
    return t("prompt.reply_feedback", language, facts=", ".join(facts))
