"""After-sales tables: exchanges of delivered items, and the changes a customer confirms to a pending
order or their account (cancel, address, items, payment method, default address).

Same rules as the return tables: statuses and kinds are CHECKed by the database, money is integer
cents, and every write carries a unique idempotency key (one row per confirmed tool call).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, UniqueConstraint
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel

from mock_backends.orders.columns import _in, utcnow
from mock_backends.orders.pii_columns import REDACTED

# requested -> label_created (the old item's return label exists) -> in_transit -> received -> completed.
EXCHANGE_STATUSES = ("requested", "label_created", "in_transit", "received", "completed", "cancelled")
CHANGE_KINDS = ("cancel_order", "order_address", "order_items", "order_payment", "default_address")


class ExchangeRequest(SQLModel, table=True):
    """Delivered items going back for other variants of the same products, and the price difference."""

    __table_args__ = (
        CheckConstraint(_in("status", EXCHANGE_STATUSES), name="ck_exchange_status"),
        CheckConstraint("status <> 'cancelled' OR cancelled_at IS NOT NULL", name="ck_exchange_cancelled_at"),
        CheckConstraint("price_difference_cents = 0 OR payment_method_id IS NOT NULL", name="ck_exchange_payment"),
    )
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True, index=True)
    order_id: str = Field(foreign_key="orders.id", index=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=64)
    status: str = Field(default="requested", max_length=20)
    # > 0: charged to the customer; < 0: refunded to them (the sum over the items).
    price_difference_cents: int = 0
    payment_method_id: str | None = Field(default=None, foreign_key="paymentmethod.id", max_length=64)
    label_ref: str | None = Field(default=None, max_length=100)
    replacement_tracking: str | None = Field(default=None, max_length=40)
    idempotency_key: str = Field(max_length=128, unique=True)
    cancel_key: str | None = Field(default=None, max_length=128)
    session_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    cancelled_at: datetime | None = None


class ExchangeItem(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_exchange_item_quantity"),
        CheckConstraint("old_unit_price_cents >= 0 AND new_unit_price_cents >= 0", name="ck_exchange_item_prices"),
        UniqueConstraint("exchange_id", "order_item_id", name="uq_exchange_item"),
    )
    id: int | None = Field(default=None, primary_key=True)
    exchange_id: int = Field(foreign_key="exchangerequest.id", index=True)
    order_item_id: int = Field(foreign_key="orderitem.id", index=True)
    new_variant_id: str = Field(foreign_key="variant.id", max_length=64)
    quantity: int
    old_unit_price_cents: int
    new_unit_price_cents: int


class AccountChange(SQLModel, table=True):
    """One confirmed change to a pending order or to the customer's account; `detail` says what changed."""

    __table_args__ = (
        CheckConstraint(_in("kind", CHANGE_KINDS), name="ck_account_change_kind"),
        CheckConstraint("kind = 'default_address' OR order_id IS NOT NULL", name="ck_account_change_order"),
    )
    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=64)
    order_id: str | None = Field(default=None, foreign_key="orders.id", index=True, max_length=32)
    kind: str = Field(max_length=20)
    # Money moved by the change: > 0 charged, < 0 refunded, 0 none.
    amount_cents: int = 0
    payment_method_id: str | None = Field(default=None, foreign_key="paymentmethod.id", max_length=64)
    detail: str = Field(default="{}", sa_column=Column(SAText, nullable=False, default="{}", info=REDACTED))
    idempotency_key: str = Field(max_length=128, unique=True)
    session_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
