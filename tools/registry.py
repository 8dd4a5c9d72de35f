"""The one list of tools. Adding a tool: write it in its own module, then add one line here.

The LLM's tool list, the graph's confirmation step, the UI's tool trace and `returndesk tools`
all read this registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from langchain_core.tools import BaseTool

from tools.base import PendingAction, audited_preview, invalid_arguments
from tools.deps import ToolDeps

from tools.cancellation import cancel_return, preview_cancel_return
from tools.eligibility import check_return_eligibility
from tools.handoff import transfer_to_human
from tools.identity import verify_customer
from tools.help_centre import search_help_centre
from tools.orders import list_orders, lookup_order
from tools.products import get_product_details
from tools.return_status import get_return_status
from tools.returns import create_return, preview_create_return
from tools.tracking import track_shipment


@dataclass(frozen=True)
class ToolSpec:
    tool: BaseTool
    sensitive: bool = False  # True: changes data; runs only after the customer confirms
    # For sensitive tools: builds the confirmation card from the proposed arguments, or raises
    # an OrderSystemError when code refuses the call before the customer is asked.
    preview: Callable[[dict[str, Any], dict[str, Any], ToolDeps], PendingAction] | None = None
    # True: offered while the customer is still unverified (the graph's identify step).
    before_verification: bool = False

    def __post_init__(self) -> None:
        # Done here, once for every registered tool, so a new tool cannot forget either rule:
        # malformed arguments come back as a structured `invalid_arguments` result, and every
        # refusal at the confirmation step is audited like a refusal inside the tool.
        if not self.tool.handle_validation_error:
            self.tool.handle_validation_error = invalid_arguments
        if self.preview is not None and not getattr(self.preview, "__wrapped__", None):
            object.__setattr__(self, "preview", audited_preview(self.name, self.preview))
        if self.sensitive and self.preview is None:
            raise ValueError(f"sensitive tool {self.name} needs a preview (its confirmation card)")

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
    ToolSpec(get_return_status),
    ToolSpec(cancel_return, sensitive=True, preview=preview_cancel_return),
    ToolSpec(search_help_centre, before_verification=True),
    ToolSpec(track_shipment),
    ToolSpec(get_product_details),
)

TOOLS: list[BaseTool] = [spec.tool for spec in REGISTRY]
IDENTIFY_TOOLS: list[BaseTool] = [spec.tool for spec in REGISTRY if spec.before_verification]
SENSITIVE_TOOLS: frozenset[str] = frozenset(spec.name for spec in REGISTRY if spec.sensitive)


def spec_for(name: str) -> ToolSpec | None:
    return next((spec for spec in REGISTRY if spec.name == name), None)
