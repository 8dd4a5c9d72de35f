"""The one list of tools. Adding a tool: write it in its own module, then add one line here.

The LLM's tool list, the graph's confirmation step, the UI's tool trace and `returndesk tools`
all read this registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.tools import BaseTool

from tools.base import PendingAction
from tools.deps import ToolDeps

from tools.eligibility import check_return_eligibility
from tools.handoff import transfer_to_human
from tools.identity import verify_customer
from tools.orders import list_orders, lookup_order
from tools.returns import create_return, preview_create_return


@dataclass(frozen=True)
class ToolSpec:
    tool: BaseTool
    sensitive: bool = False  # True: changes data; runs only after the customer confirms
    # For sensitive tools: builds the confirmation card from the proposed arguments, or raises
    # an OrderSystemError when code refuses the call before the customer is asked.
    preview: Callable[[dict[str, Any], dict[str, Any], ToolDeps], PendingAction] | None = None
    # True: offered while the customer is still unverified (the graph's identify step).
    before_verification: bool = False

    @property
    def name(self) -> str:
        return self.tool.name


REGISTRY: tuple[ToolSpec, ...] = (
    ToolSpec(verify_customer, before_verification=True),
    ToolSpec(transfer_to_human, before_verification=True),
    ToolSpec(list_orders),
    ToolSpec(lookup_order),
    ToolSpec(check_return_eligibility),
    ToolSpec(create_return, sensitive=True, preview=preview_create_return),
)

TOOLS: list[BaseTool] = [spec.tool for spec in REGISTRY]
IDENTIFY_TOOLS: list[BaseTool] = [spec.tool for spec in REGISTRY if spec.before_verification]
SENSITIVE_TOOLS: frozenset[str] = frozenset(spec.name for spec in REGISTRY if spec.sensitive)


def spec_for(name: str) -> ToolSpec | None:
    return next((spec for spec in REGISTRY if spec.name == name), None)
