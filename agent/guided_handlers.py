"""Guided mode's part of each tool, registered against the tool's name: what guided mode says once
the tool answered, and (for a tool the built-in steps do not propose) when it proposes the call.

Tools never import the agent, so this side registers against their names: a tool added to
`tools/registry.py` gets one entry here. tests/agent/test_guided_handlers.py fails for a registered
tool without one; at run time, a result that no handler knows gets a clear failure message (and
the offer of a person), never the menu.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from agent.guided_account_changes import (
    after_change_default_address,
    after_change_order_address,
    after_change_order_payment,
    after_get_account_details,
    refused_change_order_payment,
    start_change_address,
    start_change_default_address,
    start_change_payment,
)
from agent.guided_exchange_status import after_cancel_return, after_get_return_status
from agent.guided_exchanges import after_exchange_items, start_exchange, start_product_question
from agent.guided_item_changes import after_change_order_items, start_change_items
from agent.guided_lookups import (
    after_check_return_eligibility,
    after_get_product_details,
    after_list_orders,
    after_lookup_order,
)
from agent.guided_order_changes import after_cancel_order, start_cancel_order
from agent.guided_steps import GuidedHandler, GuidedSteps  # GuidedHandler: re-exported

# The tools guided mode already knows how to reach (see GuidedSteps.first_step) and answer.
GUIDED_HANDLERS: Mapping[str, GuidedHandler] = MappingProxyType(
    {
        "verify_customer": GuidedHandler(GuidedSteps.after_verify_customer),
        "list_orders": GuidedHandler(after_list_orders),
        "lookup_order": GuidedHandler(after_lookup_order),
        "check_return_eligibility": GuidedHandler(after_check_return_eligibility),
        "create_return": GuidedHandler(GuidedSteps.after_create_return),
        "get_return_status": GuidedHandler(after_get_return_status),
        "cancel_return": GuidedHandler(after_cancel_return),
        "search_help_centre": GuidedHandler(GuidedSteps.after_search_help_centre),
        "track_shipment": GuidedHandler(GuidedSteps.after_track_shipment),
        "get_product_details": GuidedHandler(after_get_product_details, start=start_product_question),
        "cancel_order": GuidedHandler(after_cancel_order, start=start_cancel_order),
        # change_order_address / change_order_payment / change_default_address
        "get_account_details": GuidedHandler(after_get_account_details),
        "change_order_address": GuidedHandler(after_change_order_address, start=start_change_address),
        "change_order_payment": GuidedHandler(
            after_change_order_payment, start=start_change_payment, refused=refused_change_order_payment
        ),
        "change_default_address": GuidedHandler(after_change_default_address, start=start_change_default_address),
        "transfer_to_human": GuidedHandler(GuidedSteps.after_transfer_to_human),
        "exchange_items": GuidedHandler(after_exchange_items, start=start_exchange),
        "change_order_items": GuidedHandler(after_change_order_items, start=start_change_items),
    }
)


def with_handlers(**handlers: GuidedHandler) -> Mapping[str, GuidedHandler]:
    """Guided mode's handlers plus `handlers` (keyed by tool name), for a graph with more tools."""
    return MappingProxyType({**GUIDED_HANDLERS, **handlers})


def tools_without_handler(
    tool_names: Iterable[str], handlers: Mapping[str, GuidedHandler] = GUIDED_HANDLERS
) -> list[str]:
    """The tools guided mode could not continue after (it would answer with a failure message)."""
    return [name for name in tool_names if name not in handlers]
