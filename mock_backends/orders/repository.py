"""Read access to the order database, as plain functions taking a session (one place for all queries)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from mock_backends.orders.errors import OrderNotFound, VerificationFailed
from mock_backends.orders.models import Customer, Order, OrderItem, Product, Shipment, Variant
from mock_backends.orders.policy import ItemFacts


def normalize_order_id(raw: str) -> str:
    """'w1000001', '#W1000001' and ' #w1000001 ' all name the same order."""
    cleaned = raw.strip().upper().lstrip("#")
    return f"#{cleaned}"


def verify_by_email_and_order(session: Session, email: str, order_id: str) -> Customer:
    stmt = (
        select(Customer)
        .join(Order, col(Order.customer_id) == col(Customer.id))
        .where(func.lower(Customer.email) == email.strip().lower())
        .where(Order.id == normalize_order_id(order_id))
    )
    customer = session.exec(stmt).first()
    if customer is None:
        raise VerificationFailed("That email and order number do not match our records.")
    return customer


def verify_by_name_and_postcode(session: Session, full_name: str, postcode: str) -> Customer:
    wanted = "".join(full_name.split()).lower()
    candidates = session.exec(
        select(Customer).where(Customer.postcode == postcode.strip().upper())
    ).all()
    for customer in candidates:
        names = {
            (customer.first_name + customer.last_name).lower(),
            (customer.last_name + customer.first_name).lower(),
        }
        if wanted in {"".join(n.split()) for n in names}:
            return customer
    raise VerificationFailed("That name and postcode do not match our records.")


@dataclass(frozen=True)
class OrderLine:
    order_item_id: int
    variant_id: str
    product_name: str
    category: str
    final_sale: bool
    quantity: int
    quantity_returned: int
    unit_price_cents: int
    product_name_zh: str | None = None  # Product.name_zh: what a Chinese-speaking customer calls it


@dataclass(frozen=True)
class OrderDetail:
    order: Order
    lines: list[OrderLine]
    tracking_numbers: list[str]

    def facts(self, line: OrderLine) -> ItemFacts:
        return ItemFacts(
            order_status=self.order.status,
            delivered_at=self.order.delivered_at,
            category=line.category,
            final_sale=line.final_sale,
            quantity=line.quantity,
            quantity_returned=line.quantity_returned,
        )


def get_owned_order(session: Session, customer_id: str, order_id: str, *, for_update: bool = False) -> Order:
    """The order if it is this customer's; another customer's order is 'not found', never 'forbidden'."""
    stmt = select(Order).where(Order.id == normalize_order_id(order_id))
    if for_update:
        stmt = stmt.with_for_update()
    order = session.exec(stmt).first()
    if order is None or order.customer_id != customer_id:
        raise OrderNotFound(f"I can't find order {normalize_order_id(order_id)} on your account.")
    return order


def get_order_detail(session: Session, customer_id: str, order_id: str, *, for_update: bool = False) -> OrderDetail:
    order = get_owned_order(session, customer_id, order_id, for_update=for_update)
    rows = session.exec(
        select(OrderItem, Variant, Product)
        .join(Variant, col(Variant.id) == col(OrderItem.variant_id))
        .join(Product, col(Product.id) == col(Variant.product_id))
        .where(OrderItem.order_id == order.id)
        .order_by(col(OrderItem.id))
    ).all()
    lines = [
        OrderLine(
            order_item_id=item.id or 0, variant_id=variant.id, product_name=product.name,
            category=product.category, final_sale=product.final_sale, quantity=item.quantity,
            quantity_returned=item.quantity_returned, unit_price_cents=item.unit_price_cents,
            product_name_zh=product.name_zh,
        )
        for item, variant, product in rows
    ]
    tracking = session.exec(
        select(Shipment.tracking_number).where(Shipment.order_id == order.id).order_by(col(Shipment.id))
    ).all()
    return OrderDetail(order=order, lines=lines, tracking_numbers=list(tracking))


def list_orders(session: Session, customer_id: str, limit: int = 10) -> list[Order]:
    return list(
        session.exec(
            select(Order)
            .where(Order.customer_id == customer_id)
            .order_by(col(Order.created_at).desc())
            .limit(limit)
        ).all()
    )
