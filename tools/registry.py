"""The one list of tools. Adding a tool: write it in its own module, then add one line here
(a write tool also gets a guided-mode handler in `agent/guided_handlers.py`; docs/adding-a-tool.md).

The LLM's tool list, the graph's tool nodes and confirmation step, the UI's tool trace and side
panel, and `returndesk tools` all read this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.tools import BaseTool

from core.messages import maybe
from tools.base import Preview, audited_preview, invalid_arguments
from tools.cancellation import cancel_return, preview_cancel_return
from tools.deps import ToolDeps
from tools.eligibility import check_return_eligibility
from tools.exchanges import exchange_items, exchange_items_committed, preview_exchange_items
from tools.handoff import transfer_to_human
from tools.help_centre import search_help_centre
from tools.identity import verify_customer
from tools.order_cancellation import cancel_order, cancel_order_committed, preview_cancel_order_card
from tools.order_changes import (
    change_committed,
    change_default_address,
    change_order_address,
    change_order_payment,
    get_account_details,
    preview_change_default_address,
    preview_change_order_address,
    preview_change_order_payment,
)
from tools.order_item_changes import change_order_items, change_order_items_committed, preview_change_order_items
from tools.orders import list_orders, lookup_order
from tools.products import get_product_details
from tools.return_status import get_return_status
from tools.returns import create_return, create_return_committed, preview_create_return
from tools.tracking import track_shipment

# Which card beside the chat the web app fills with a tool's result (the web app renders each kind).
Panel = Literal["order", "eligibility", "return", "return_status", "tracking"]


@dataclass(frozen=True)
class ToolSpec:
    tool: BaseTool
    sensitive: bool = False  # True: changes data; runs only after the customer confirms
    # For sensitive tools: builds the confirmation card from the proposed arguments, or raises
    # an OrderSystemError when code refuses the call before the customer is asked.
    preview: Preview | None = None
    # True: offered while the customer is still unverified (the graph's identify step).
    before_verification: bool = False
    # For sensitive tools: whether a confirmed call (by its tool call id) has already committed its
    # change, e.g. the server stopped before the turn was saved. The card is then retired by replaying
    # the call, which must be idempotent per session + tool call id (service/card_recovery.py).
    committed: Callable[[ToolDeps, dict[str, Any], str, str], bool] | None = None
    # What the tool trace says the assistant did ("What I checked: <label>"), per language, where the
    # catalogues (`tool_name.<name>` in core/catalogues/<code>.yaml) have no words for the tool.
    label: Mapping[str, str] = field(default_factory=dict)
    panel: Panel | None = None  # the card beside the chat that shows its result, if any

    def __post_init__(self) -> None:
        # Done here, once for every registered tool, so a new tool cannot forget either rule:
        # malformed arguments come back as a structured `invalid_arguments` result, and every
        # refusal at the confirmation step is audited like a refusal inside the tool.
        if not self.tool.handle_validation_error:
            self.tool.handle_validation_error = invalid_arguments  # type: ignore[assignment]  # v2 schemas only
        if self.preview is not None and not getattr(self.preview, "__wrapped__", None):
            object.__setattr__(self, "preview", audited_preview(self.name, self.preview))
        if self.sensitive and self.preview is None:
            raise ValueError(f"sensitive tool {self.name} needs a preview (its confirmation card)")

    @property
    def name(self) -> str:
        return self.tool.name

    def label_in(self, language: str) -> str:
        return (
            maybe(f"tool_name.{self.name}", language) or self.label.get(language) or self.label.get("en") or self.name
        )


class ToolRegistry:
    """An ordered set of tools. The graph is built from one (`build_graph(registry=...)`): the model's
    tool list, the tool nodes, the guard and the interfaces' tool trace all read it."""

    def __init__(self, specs: Iterable[ToolSpec]) -> None:
        self.specs = tuple(specs)
        self._by_name = {spec.name: spec for spec in self.specs}
        if len(self._by_name) != len(self.specs):
            raise ValueError("two registered tools share a name")
        self.tools: list[BaseTool] = [spec.tool for spec in self.specs]
        self.identify_tools: list[BaseTool] = [spec.tool for spec in self.specs if spec.before_verification]
        self.sensitive: frozenset[str] = frozenset(spec.name for spec in self.specs if spec.sensitive)

    def __iter__(self) -> Iterator[ToolSpec]:
        return iter(self.specs)

    def spec_for(self, name: str) -> ToolSpec | None:
        return self._by_name.get(name)

    def label(self, name: str, language: str) -> str:
        """The tool trace's words for `name`; the bare name for a tool this registry does not hold."""
        spec = self._by_name.get(name)
        return spec.label_in(language) if spec else name

    def panel(self, name: str) -> Panel | None:
        spec = self._by_name.get(name)
        return spec.panel if spec else None

    def with_tools(self, *specs: ToolSpec) -> ToolRegistry:
        """These tools and `specs` (e.g. a test's own tool)."""
        return ToolRegistry((*self.specs, *specs))


REGISTRY = ToolRegistry(
    (
        ToolSpec(verify_customer, before_verification=True),
        ToolSpec(transfer_to_human, before_verification=True),
        ToolSpec(list_orders),
        ToolSpec(lookup_order, panel="order"),
        ToolSpec(check_return_eligibility, panel="eligibility"),
        ToolSpec(
            create_return,
            sensitive=True,
            preview=preview_create_return,
            committed=create_return_committed,
            panel="return",
        ),
        ToolSpec(get_return_status, panel="return_status"),
        ToolSpec(cancel_return, sensitive=True, preview=preview_cancel_return),
        ToolSpec(search_help_centre, before_verification=True),
        ToolSpec(track_shipment, panel="tracking"),
        ToolSpec(get_product_details),
        ToolSpec(cancel_order, sensitive=True, preview=preview_cancel_order_card, committed=cancel_order_committed),
        ToolSpec(exchange_items, sensitive=True, preview=preview_exchange_items, committed=exchange_items_committed),
        # change_order_address / change_order_payment / change_default_address
        ToolSpec(get_account_details),
        ToolSpec(
            change_order_address, sensitive=True, preview=preview_change_order_address, committed=change_committed
        ),
        ToolSpec(
            change_order_payment, sensitive=True, preview=preview_change_order_payment, committed=change_committed
        ),
        ToolSpec(
            change_default_address, sensitive=True, preview=preview_change_default_address, committed=change_committed
        ),
        ToolSpec(
            change_order_items,
            sensitive=True,
            preview=preview_change_order_items,
            committed=change_order_items_committed,
        ),
    )
)

# The default registry's parts, for callers that do not build their own graph.
TOOLS: list[BaseTool] = REGISTRY.tools
IDENTIFY_TOOLS: list[BaseTool] = REGISTRY.identify_tools
SENSITIVE_TOOLS: frozenset[str] = REGISTRY.sensitive


def spec_for(name: str) -> ToolSpec | None:
    return REGISTRY.spec_for(name)
