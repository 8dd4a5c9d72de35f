"""The order-management system's tables (SQLModel), with the constraints enforced by the database.

Money is stored in integer cents (no float rounding in refunds) of the order's ISO 4217 currency;
timestamps are timezone-aware UTC. Product names other than English live in `productname`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, CheckConstraint, Column, Index, UniqueConstraint, event, func
from sqlalchemy import Text as SAText
from sqlmodel import Field, SQLModel

from core import languages
from core.money import SHOP_CURRENCY
from mock_backends.orders.columns import _in, utcnow
from mock_backends.orders.pii_columns import REDACTED  # importing it installs the redacting hook

# A pending order may have its items changed once (tau-bench's "pending (item modified)"); a delivered
# one records its latest after-sales request (tau-bench's "return requested" / "exchange requested").
ORDER_STATUSES = (
    "pending",
    "items_modified",
    "processing",
    "shipped",
    "delivered",
    "return_requested",
    "exchange_requested",
    "cancelled",
)
DELIVERED_STATUSES = ("delivered", "return_requested", "exchange_requested")  # each has been delivered
RETURN_STATUSES = ("requested", "label_created", "in_transit", "received", "refunded", "cancelled")
PAYMENT_KINDS = ("credit_card", "paypal", "gift_card")
REFUND_METHODS = ("original_payment", "gift_card")
SHIPMENT_FATES = ("normal", "delayed", "lost")  # simulation input for the carrier service


class Customer(SQLModel, table=True):
    __table_args__ = (
        # A language code, not a list of them: adding a language is a catalogue, not a schema change
        # (core.languages treats a code it does not know as its default).
        CheckConstraint("length(preferred_language) BETWEEN 2 AND 5", name="ck_customer_language"),
    )
    id: str = Field(primary_key=True, max_length=64)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str = Field(max_length=255, unique=True, index=True)
    phone: str | None = Field(default=None, max_length=40)
    postcode: str = Field(max_length=20, index=True)
    preferred_language: str = Field(default="en", max_length=5)

    @property
    def display_name(self) -> str:
        """The name as the customer's language writes it: "Alice Chen", "王芳"."""
        return languages.get(self.preferred_language).full_name(self.first_name, self.last_name)


# Sign-in matches emails case-insensitively, so lower(email) is what must be indexed (and unique).
Index("ix_customer_email_lower", func.lower(Customer.__table__.c.email), unique=True)  # type: ignore[attr-defined]


class Address(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=64)
    line1: str = Field(max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(max_length=100)
    region: str | None = Field(default=None, max_length=100)
    country: str = Field(default="US", max_length=2)
    postcode: str = Field(max_length=20)
    is_default: bool = False


class PaymentMethod(SQLModel, table=True):
    """A customer's saved payment method; gift cards carry a balance refunds can go to."""

    __table_args__ = (
        CheckConstraint(_in("kind", PAYMENT_KINDS), name="ck_payment_method_kind"),
        CheckConstraint("balance_cents IS NULL OR balance_cents >= 0", name="ck_payment_method_balance"),
    )
    id: str = Field(primary_key=True, max_length=64)
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=64)
    kind: str = Field(max_length=20)
    label: str = Field(max_length=100, description="What the customer recognises: 'Visa ending 4242'.")
    balance_cents: int | None = None
    # A card's facts, so its description can be written in any language ("尾号 4242 的 Visa 卡").
    brand: str | None = Field(default=None, max_length=30)
    last_four: str | None = Field(default=None, max_length=4)


class Product(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200, description="English name; what any language falls back to.")
    category: str = Field(max_length=50, index=True)
    final_sale: bool = False


class ProductName(SQLModel, table=True):
    """A product's name in another language (`product_names.product_name` falls back to `Product.name`)."""

    product_id: str = Field(foreign_key="product.id", primary_key=True, max_length=64)
    language: str = Field(primary_key=True, max_length=5)
    name: str = Field(max_length=200)


class Variant(SQLModel, table=True):
    """A purchasable item: one product in one set of options (tau-bench's 'item')."""

    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="ck_variant_price"),
        CheckConstraint("stock IS NULL OR stock >= 0", name="ck_variant_stock"),
    )
    id: str = Field(primary_key=True, max_length=64)
    product_id: str = Field(foreign_key="product.id", index=True, max_length=64)
    options: str = Field(default="{}", sa_column=Column(SAText, nullable=False, default="{}"))
    price_cents: int
    available: bool = True
    # Units in the warehouse, taken by guarded UPDATEs (exchanges, item changes) and put back on cancelling.
    # Null: not counted (a database made before stock existed): in stock while `available`.
    stock: int | None = Field(default=None, description="Units in stock; null = not counted.")


class Order(SQLModel, table=True):
    __tablename__ = "orders"  # "order" is an SQL keyword
    __table_args__ = (
        CheckConstraint(_in("status", ORDER_STATUSES), name="ck_order_status"),
        CheckConstraint("total_cents >= 0", name="ck_order_total"),
        # Each lifecycle state carries the timestamp of reaching it (the return window starts at delivery).
        CheckConstraint(
            f"{_in('status', ('shipped', *DELIVERED_STATUSES), negate=True)} OR shipped_at IS NOT NULL",
            name="ck_order_shipped_at",
        ),
        CheckConstraint(
            f"{_in('status', DELIVERED_STATUSES, negate=True)} OR delivered_at IS NOT NULL",
            name="ck_order_delivered_at",
        ),
        CheckConstraint("status <> 'cancelled' OR cancelled_at IS NOT NULL", name="ck_order_cancelled_at"),
        Index("ix_orders_customer_created", "customer_id", "created_at"),
    )
    id: str = Field(primary_key=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", max_length=64)
    status: str = Field(max_length=20)
    created_at: datetime
    processing_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None
    ship_to: str = Field(default="", max_length=500)
    total_cents: int = 0
    # Every amount of the order (items, payments, refunds) is in this currency. The server default
    # lets start-up add the column to an older database (`db.upgrade_columns`).
    currency: str = Field(default=SHOP_CURRENCY, max_length=3, sa_column_kwargs={"server_default": SHOP_CURRENCY})


class OrderItem(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_order_item_quantity"),
        CheckConstraint("unit_price_cents >= 0", name="ck_order_item_price"),
        CheckConstraint("quantity_returned >= 0 AND quantity_returned <= quantity", name="ck_order_item_returned"),
        CheckConstraint(
            "quantity_exchanged IS NULL OR (quantity_exchanged >= 0 "
            "AND quantity_returned + quantity_exchanged <= quantity)",
            name="ck_order_item_exchanged",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(foreign_key="orders.id", index=True, max_length=32)
    variant_id: str = Field(foreign_key="variant.id", max_length=64)
    quantity: int = 1
    unit_price_cents: int
    quantity_returned: int = 0
    # Units sent back for another variant; null on rows older than exchanges (read as 0).
    quantity_exchanged: int | None = Field(default=0, description="Units exchanged, 0..quantity - returned.")


class Payment(SQLModel, table=True):
    """A money movement on an order: the original charge, or a refund."""

    __table_args__ = (
        CheckConstraint("direction IN ('charge', 'refund')", name="ck_payment_direction"),
        CheckConstraint("amount_cents >= 0", name="ck_payment_amount"),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(foreign_key="orders.id", index=True, max_length=32)
    payment_method_id: str = Field(foreign_key="paymentmethod.id", max_length=64)
    direction: str = Field(default="charge", max_length=10)
    amount_cents: int
    created_at: datetime = Field(default_factory=utcnow)
    note: str | None = Field(
        default=None,
        max_length=100,
        description="What it settles: 'order cancelled', 'exchange EXC-…', 'items changed'.",
    )


class Shipment(SQLModel, table=True):
    """A parcel: an order's outbound delivery, or a customer's return to the warehouse."""

    __table_args__ = (
        CheckConstraint("direction IN ('outbound', 'return')", name="ck_shipment_direction"),
        CheckConstraint(_in("fate", SHIPMENT_FATES), name="ck_shipment_fate"),
        # One return parcel (label) per return: racing label requests book one. NULLs (outbound) repeat.
        Index("uq_shipment_return", "return_id", unique=True),
        Index("uq_shipment_exchange", "exchange_id", "direction", unique=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    order_id: str = Field(foreign_key="orders.id", index=True, max_length=32)
    return_id: int | None = Field(default=None, foreign_key="returnrequest.id")  # uq_shipment_return indexes it
    # For an exchange: its return parcel (direction 'return') and its replacement (direction 'outbound');
    # uq_shipment_exchange: one of each per exchange.
    exchange_id: int | None = Field(default=None, foreign_key="exchangerequest.id")
    carrier: str = Field(default="ReturnDesk Express", max_length=50)
    tracking_number: str = Field(max_length=40, unique=True, index=True)
    direction: str = Field(default="outbound", max_length=10)
    fate: str = Field(default="normal", max_length=20, description="Simulation: 'normal', 'delayed' or 'lost'.")
    created_at: datetime = Field(default_factory=utcnow)
    voided_at: datetime | None = Field(default=None, description="When the carrier voided the label / cancelled it.")


class ReturnRequest(SQLModel, table=True):
    """A return merchandise authorisation (RMA) and its refund."""

    __table_args__ = (
        CheckConstraint(_in("status", RETURN_STATUSES), name="ck_return_status"),
        CheckConstraint(_in("refund_method", REFUND_METHODS), name="ck_return_refund_method"),
        CheckConstraint("refund_amount_cents >= 0", name="ck_return_refund_amount"),
    )
    id: int | None = Field(default=None, primary_key=True)
    rma: str = Field(max_length=20, unique=True, index=True)
    order_id: str = Field(foreign_key="orders.id", index=True, max_length=32)
    customer_id: str = Field(foreign_key="customer.id", index=True, max_length=64)
    status: str = Field(default="requested", max_length=20)
    reason: str = Field(default="", max_length=500, sa_column_kwargs={"info": REDACTED})
    refund_method: str = Field(max_length=20)
    refund_payment_method_id: str | None = Field(default=None, foreign_key="paymentmethod.id", max_length=64)
    refund_amount_cents: int
    label_ref: str | None = Field(default=None, max_length=100)
    idempotency_key: str = Field(max_length=128, unique=True)
    session_id: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class ReturnItem(SQLModel, table=True):
    __table_args__ = (
        CheckConstraint("quantity > 0", name="ck_return_item_quantity"),
        UniqueConstraint("return_id", "order_item_id", name="uq_return_item"),
    )
    id: int | None = Field(default=None, primary_key=True)
    return_id: int = Field(foreign_key="returnrequest.id", index=True)
    order_item_id: int = Field(foreign_key="orderitem.id", index=True)
    quantity: int


class HandoffTicket(SQLModel, table=True):
    """A conversation handed to a human agent, with the summary they start from."""

    id: int | None = Field(default=None, primary_key=True)
    customer_id: str | None = Field(default=None, foreign_key="customer.id", index=True, max_length=64)
    session_id: str | None = Field(default=None, max_length=64, index=True)
    reason: str = Field(default="", max_length=200, sa_column_kwargs={"info": REDACTED})
    summary: str = Field(default="", sa_column=Column(SAText, nullable=False, default="", info=REDACTED))
    status: str = Field(default="open", max_length=20, description="open, claimed, handed_back or resolved.")
    created_at: datetime = Field(default_factory=utcnow)
    # The staff console's columns (service/staff.py); nullable, so older databases gain them at start-up.
    language: str | None = Field(default=None, max_length=5)
    claimed_by: int | None = Field(default=None, index=True, description="staffmember.id holding it.")
    claimed_at: datetime | None = None
    closed_at: datetime | None = None
    closing_note: str | None = Field(default=None, sa_column=Column(SAText, nullable=True, info=REDACTED))


class AuditEvent(SQLModel, table=True):
    """Append-only: who did what, when, through which tool, and how it ended."""

    __table_args__ = (CheckConstraint("outcome IN ('ok', 'refused', 'error')", name="ck_audit_outcome"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=64, description="The verified customer id, or 'anonymous' / 'system'.")
    session_id: str | None = Field(default=None, max_length=64, index=True)
    tool: str = Field(max_length=64)
    order_id: str | None = Field(default=None, max_length=32, index=True, sa_column_kwargs={"info": REDACTED})
    outcome: str = Field(max_length=10)
    detail: str = Field(default="", sa_column=Column(SAText, nullable=False, default="", info=REDACTED))


# The audit trail is append-only in the database itself, so no code path (or SQL shell) can rewrite it.
_AUDIT_GUARD_SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS auditevent_append_only_{op.lower()} BEFORE {op} ON auditevent "
    f"BEGIN SELECT RAISE(ABORT, 'auditevent is append-only: {op} is not allowed'); END"
    for op in ("UPDATE", "DELETE")
]
_AUDIT_GUARD_POSTGRES = [  # "%%": DDL() applies %-formatting
    """CREATE OR REPLACE FUNCTION auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'auditevent is append-only: %% is not allowed', TG_OP USING ERRCODE = 'P0001'; END $$""",
    "CREATE OR REPLACE TRIGGER auditevent_append_only BEFORE UPDATE OR DELETE ON auditevent "
    "FOR EACH ROW EXECUTE FUNCTION auditevent_append_only()",
    "CREATE OR REPLACE TRIGGER auditevent_no_truncate BEFORE TRUNCATE ON auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION auditevent_append_only()",
]
for _statement in _AUDIT_GUARD_SQLITE:
    event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect="sqlite"))  # type: ignore[attr-defined]
for _statement in _AUDIT_GUARD_POSTGRES:
    event.listen(AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))  # type: ignore[attr-defined]


class ChatSession(SQLModel, table=True):
    """A conversation; its id is the LangGraph thread id (and the client's bearer secret). `customer_id`
    is set once verified. It expires when idle or old, or ends when signed out (`ui/sessions.py`)."""

    id: str = Field(primary_key=True, max_length=64)
    customer_id: str | None = Field(default=None, foreign_key="customer.id", index=True, max_length=64)
    language: str = Field(default="en", max_length=5)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime | None = Field(default=None, description="Last use (to the minute); NULL: created_at.")
    ended_at: datetime | None = Field(default=None, description="When the customer signed out; NULL: not signed out.")


class Feedback(SQLModel, table=True):
    """A customer's thumbs up / down on one assistant answer (fine-tuning and QA read these)."""

    __table_args__ = (
        CheckConstraint("rating IN ('up', 'down')", name="ck_feedback_rating"),
        UniqueConstraint("session_id", "message_index", name="uq_feedback_message"),
    )
    id: int | None = Field(default=None, primary_key=True)
    session_id: str = Field(foreign_key="chatsession.id", index=True, max_length=64)
    message_index: int = Field(description="Position of the answer in the session's history (GET .../messages).")
    rating: str = Field(max_length=4)
    comment: str = Field(default="", max_length=1000, sa_column_kwargs={"info": REDACTED})
    created_at: datetime = Field(default_factory=utcnow)


# After-sales tables (exchanges, order changes) live in their own module; importing it registers them.
import mock_backends.orders.after_sales_models  # noqa: E402,F401  (a plain import: either module may load first)
