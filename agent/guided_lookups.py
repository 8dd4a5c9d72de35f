"""What guided mode does once `lookup_order` answered, for every flow: the after-sales flows check the
order's status first; a return, a status question or tracking go on as before (GuidedSteps)."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage

from agent.guided_order_changes import cancel_after_lookup
from agent.guided_steps import GuidedSteps

AFTER_LOOKUP = {"cancel_order": cancel_after_lookup}


def after_lookup_order(steps: GuidedSteps, data: dict[str, Any]) -> AIMessage:
    flow = AFTER_LOOKUP.get(steps.c.intent or "")
    return flow(steps, data["order"]) if flow else steps.after_lookup_order(data)
