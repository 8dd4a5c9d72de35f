"""Read access to the order database, as plain functions taking a session (one place for all queries)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Select, bindparam
from sqlmodel import Session, col, func, select

from core import languages
from mock_backends.orders.errors import OrderNotFound, VerificationFailed
from mock_backends.orders.localized import product_name_column
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
    candidates = session.exec(select(Customer).where(Customer.postcode == postcode.strip().upper())).all()
    for customer in candidates:
        names = {
            (customer.first_name + customer.last_name).lower(),
            (customer.last_name + customer.first_name).lower(),
        }
        if wanted in {"".join(n.split()) for n in names}:
            return customer
    raise VerificationFailed("That name and postcode do not match our records.")


@dataclass(slots=True)  # read-only; not frozen for speed (see policy.ItemFacts)
class OrderLine:
    order_item_id: int
    variant_id: str
    product_name: str
    category: str
    final_sale: bool
    quantity: int
    quantity_returned: int
    unit_price_cents: int
    local_name: str = ""  # the product's name in the language the order was looked up in (else English)
    options: str = "{}"  # Variant.options (JSON): tells two variants of one product apart
    quantity_exchanged: int = 0

    @property
    def display_name(self) -> str:
        return self.local_name or self.product_name


@dataclass(slots=True)  # read-only; not frozen for speed (see policy.ItemFacts)
class OrderRecord:
    """The order's facts that tools show and the policy needs (a subset of the `orders` row: each
    column read here is parsed on every row of the lookup's join, so unused ones are left out)."""

    id: str
    customer_id: str
    status: str
    created_at: datetime
    delivered_at: datetime | None
    total_cents: int
    currency: str


@dataclass(frozen=True)
class OrderDetail:
    order: OrderRecord
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
            quantity_exchanged=line.quantity_exchanged,
        )


def get_owned_order(session: Session, customer_id: str, order_id: str, *, for_update: bool = False) -> Order:
    """The order if it is this customer's; another customer's order is 'not found', never 'forbidden'."""
    stmt = select(Order).where(Order.id == normalize_order_id(order_id))
    if for_update:  # a locked read must see the row as it is now, not as this session last loaded it
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    order = session.exec(stmt).first()
    if order is None or order.customer_id != customer_id:
        raise OrderNotFound(f"I can't find order {normalize_order_id(order_id)} on your account.")
    return order


def _detail_statement(*, for_update: bool) -> Select:
    """Order, items (with product facts) and shipments in one round trip.

    Built once (below): constructing a select costs more than running this one on an indexed key.
    Shipments are joined too, so an order with two parcels returns each item twice; `get_order_detail`
    folds the rows back. LEFT JOINs keep an order with no items or no parcels.
    """
    orders, items = Order.__table__, OrderItem.__table__  # type: ignore[attr-defined]
    variants, products, shipments = Variant.__table__, Product.__table__, Shipment.__table__  # type: ignore[attr-defined]
    names, names_on, local_name = product_name_column(products, bindparam("language"))
    stmt = (
        # Column order = OrderRecord's fields, then OrderLine's, then the tracking number
        # (rows are unpacked by position).
        select(
            *(orders.c[f.name] for f in fields(OrderRecord)),  # type: ignore[call-overload]  # sqlmodel: no *args form
            items.c.id,
            items.c.variant_id,
            products.c.name,
            products.c.category,
            products.c.final_sale,
            items.c.quantity,
            items.c.quantity_returned,
            items.c.unit_price_cents,
            local_name,
            variants.c.options,
            func.coalesce(items.c.quantity_exchanged, 0),
            shipments.c.tracking_number,
        )
        .select_from(orders)
        .outerjoin(items, items.c.order_id == orders.c.id)
        .outerjoin(variants, variants.c.id == items.c.variant_id)
        .outerjoin(products, products.c.id == variants.c.product_id)
        .outerjoin(names, names_on)
        .outerjoin(shipments, shipments.c.order_id == orders.c.id)
        .where(orders.c.id == bindparam("order_id"), orders.c.customer_id == bindparam("customer_id"))
        .order_by(items.c.id, shipments.c.id)
    )
    return stmt.with_for_update(of=orders) if for_update else stmt


_DETAIL = {False: _detail_statement(for_update=False), True: _detail_statement(for_update=True)}
_ORDER_WIDTH, _LINE_END = len(fields(OrderRecord)), len(fields(OrderRecord)) + len(fields(OrderLine))
assert len(_DETAIL[False].selected_columns) == _LINE_END + 1, "the select lists OrderLine's fields in order"


def get_order_detail(
    session: Session, customer_id: str, order_id: str, *, for_update: bool = False, language: str | None = None
) -> OrderDetail:
    """The customer's order with its lines and tracking numbers (another customer's order is 'not found').
    Product names are in `language` (`OrderLine.local_name`, English where there is none).

    One Core query rather than three ORM ones: order lookup sits on every tool call's hot path.
    """
    wanted = normalize_order_id(order_id)
    params = {"order_id": wanted, "customer_id": customer_id, "language": languages.get(language).code}
    rows = session.connection().execute(_DETAIL[for_update], params).all()
    if not rows:
        raise OrderNotFound(f"I can't find order {wanted} on your account.")
    order = OrderRecord(*rows[0][:_ORDER_WIDTH])
    lines: dict[int, OrderLine] = {}
    tracking: dict[str, None] = {}  # an insertion-ordered set
    for row in rows:
        item_id, tracking_number = row[_ORDER_WIDTH], row[_LINE_END]
        if item_id is not None and item_id not in lines:
            lines[item_id] = OrderLine(*row[_ORDER_WIDTH:_LINE_END])
        if tracking_number is not None:
            tracking[tracking_number] = None
    return OrderDetail(order=order, lines=list(lines.values()), tracking_numbers=list(tracking))


def list_orders(session: Session, customer_id: str, limit: int = 10) -> list[Order]:
    return list(
        session.exec(
            select(Order).where(Order.customer_id == customer_id).order_by(col(Order.created_at).desc()).limit(limit)
        ).all()
    )
