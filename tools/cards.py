"""The confirmation card: what the customer is asked to confirm before a sensitive tool runs.

One shape for every sensitive tool. A tool's preview (`ToolSpec.preview`) builds it from its own
data, in the customer's language; the web app, the terminal, the JSON API and the OpenAI-compatible
route each render this shape and know no tool by name. Money travels as cents plus currency, so
each interface formats it for the customer's locale (`format_money`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.money import SHOP_CURRENCY, format_money

__all__ = ["EXAMPLE", "CardAmount", "CardLine", "ConfirmationCard", "format_money"]

EXAMPLE: dict[str, Any] = {
    "action_id": "guided-6-create_return~3f9a0c1d2e4b",
    "tool": "create_return",
    "language": "en",
    "title": "Return Wireless Headphones × 1 from order #W1000001",
    "lines": [{"label": "Refund to", "value": "your original payment method (Visa ending 4242)"}],
    "amounts": [
        {"label": "Wireless Headphones × 1", "cents": 8999, "currency": "USD"},
        {"label": "Refund", "cents": 8999, "currency": "USD"},
    ],
    "on_confirm": "The return is created and you get a return label; the refund goes to your original payment "
    "method (Visa ending 4242) once the parcel has arrived and been checked.",
    "facts": {
        "order_id": "#W1000001",
        "refund_method": "original_payment",
        "refund_amount": "89.99",
        "items": [{"order_item_id": 1, "product": "Wireless Headphones", "quantity": 1}],
    },
}


class CardLine(BaseModel):
    """One fact the customer reads before confirming, e.g. ("Refund to", "your gift card")."""

    label: str
    value: str


class CardAmount(BaseModel):
    """Money on the card; the last amount is the one the action is about (the refund, the charge)."""

    label: str
    cents: int
    currency: str = SHOP_CURRENCY

    def formatted(self, language: str) -> str:
        return format_money(self.cents, self.currency, language)


class ConfirmationCard(BaseModel):
    """What a sensitive tool will do, shown to the customer, who confirms or cancels it."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    action_id: str = Field(
        "",
        description="The proposed call's id and a fingerprint of its arguments: a "
        "confirmation only runs the exact call this card was shown for (set by the guard).",
    )
    tool: str = Field(description="The tool that runs on confirm.")
    language: str = Field("en", description="The language the card is written in (the customer's).")
    title: str = Field(description="What the action is, in a few words.")
    lines: list[CardLine] = Field([], description="Facts to read before confirming, label and value.")
    amounts: list[CardAmount] = Field([], description="Money the action moves, in cents with its currency.")
    on_confirm: str = Field(description="What happens when the customer confirms, in one sentence.")
    facts: dict[str, Any] = Field(
        {},
        description="The same action as data for programs (QA checks, API "
        "clients), in the tool's own result keys; interfaces show lines and amounts.",
    )

    @property
    def summary(self) -> str:
        """The card as plain text: the turn's reply when the card is all it says. It names the money
        the action is about (the last amount), formatted for the card's language."""
        if not self.amounts:
            return f"{self.title}\n{self.on_confirm}"
        last = self.amounts[-1]
        return f"{self.title}\n{last.label}: {last.formatted(self.language)}\n{self.on_confirm}"

    @model_validator(mode="before")
    @classmethod
    def _from_earlier_card(cls, data: Any) -> Any:
        # A card checkpointed by an earlier version (refund-shaped, with a `summary`) still shows and
        # confirms after an upgrade: a conversation waiting at a card must survive a server restart.
        if isinstance(data, dict) and "summary" in data and "title" not in data:
            return {
                "action_id": data.get("action_id", ""),
                "tool": data.get("tool", ""),
                "title": data["summary"],
                "on_confirm": "",
                "facts": {
                    k: data[k]
                    for k in ("order_id", "refund_method", "refund_amount", "items")
                    if data.get(k) is not None
                },
            }
        return data
