"""Deterministic demo data: a handful of named customers whose orders cover every case the agent handles.

Dates are relative to `now`, so "delivered 5 days ago" stays inside its return window whenever the
demo is seeded. Large generated datasets and the tau-bench import build on the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from mock_backends.orders.models import (
    Address,
    Customer,
    Order,
    OrderItem,
    Payment,
    PaymentMethod,
    Product,
    ProductName,
    Shipment,
    Variant,
    utcnow,
)

PRODUCTS: list[tuple[str, str, str, bool, int]] = [
    # id, name, category, final_sale, price in cents
    ("P-HEADPHONES", "Wireless Headphones", "electronics", False, 8999),
    ("P-CABLE", "USB-C Cable", "electronics", False, 1299),
    ("P-SHOES", "Running Shoes", "clothing", False, 7450),
    ("P-SUNGLASSES", "Clearance Sunglasses", "clothing", True, 1999),
    ("P-TSHIRT", "Cotton T-Shirt", "clothing", False, 1800),
    ("P-LAMP", "Desk Lamp", "home", False, 3499),
    ("P-SOCKS", "Wool Socks", "clothing", False, 999),
    ("P-KETTLE", "Electric Kettle", "home", False, 4599),
    ("P-TENT", "Camping Tent", "outdoor", False, 15900),
    ("P-SERUM", "Face Serum", "beauty", False, 2850),
]

# The products' names in other languages (English is `PRODUCTS`); stored as `productname` rows.
NAMES_ZH = {"P-HEADPHONES": "无线耳机", "P-CABLE": "USB-C 数据线", "P-SHOES": "跑鞋", "P-SUNGLASSES": "清仓太阳镜",
            "P-TSHIRT": "纯棉 T 恤", "P-LAMP": "台灯", "P-SOCKS": "羊毛袜", "P-KETTLE": "电热水壶",
            "P-TENT": "露营帐篷", "P-SERUM": "精华液"}


@dataclass(frozen=True)
class DemoOrder:
    order_id: str
    status: str
    days_ago: int | None  # days since delivery (delivered) or since shipping (shipped)
    lines: tuple[tuple[str, int, int], ...]  # product id, quantity, quantity already returned
    fate: str = "normal"
    pay_with: str = "card"


@dataclass(frozen=True)
class DemoCustomer:
    customer_id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    postcode: str
    language: str
    address: tuple[str, str, str, str]  # line1, city, region, country (ISO 3166 alpha-2)
    orders: tuple[DemoOrder, ...]


DEMO_CUSTOMERS: tuple[DemoCustomer, ...] = (
    DemoCustomer(
        "alice_chen_1001", "Alice", "Chen", "alice@example.com", "+1 415-555-0101", "94107", "en",
        ("500 Howard St", "San Francisco", "CA", "US"),
        (
            DemoOrder("#W1000001", "delivered", 5, (("P-HEADPHONES", 1, 0), ("P-CABLE", 2, 0))),
            DemoOrder("#W1000002", "delivered", 45, (("P-SHOES", 1, 0),)),
            DemoOrder("#W1000003", "delivered", 3, (("P-SUNGLASSES", 1, 0), ("P-TSHIRT", 2, 0))),
            DemoOrder("#W1000004", "shipped", 2, (("P-LAMP", 1, 0),)),
            DemoOrder("#W1000005", "delivered", 10, (("P-SOCKS", 3, 1), ("P-KETTLE", 1, 1))),
            DemoOrder("#W1000006", "cancelled", None, (("P-TENT", 1, 0),)),
            DemoOrder("#W1000007", "pending", None, (("P-SERUM", 1, 0),)),
        ),
    ),
    DemoCustomer(
        "wang_fang_1002", "芳", "王", "wang.fang@example.cn", "+86 138 0013 8000", "200001", "zh",
        ("南京西路 1266 号", "上海", "上海市", "CN"),
        (
            DemoOrder("#W1000011", "delivered", 4, (("P-HEADPHONES", 1, 0),)),
            DemoOrder("#W1000012", "shipped", 1, (("P-KETTLE", 1, 0),)),
            DemoOrder("#W1000013", "shipped", 12, (("P-TENT", 1, 0),), fate="lost"),
        ),
    ),
    DemoCustomer(
        "bob_miller_1003", "Bob", "Miller", "bob@example.com", "+1 212-555-0199", "10001", "en",
        ("350 5th Ave", "New York", "NY", "US"),
        (
            DemoOrder("#W1000021", "delivered", 7, (("P-TENT", 1, 0), ("P-SERUM", 2, 0)), pay_with="paypal"),
            DemoOrder("#W1000022", "delivered", 20, (("P-HEADPHONES", 1, 0),), pay_with="gift_card"),
        ),
    ),
)


def seed_demo(engine: Engine, now: datetime | None = None) -> bool:
    """Insert the demo data unless customers already exist. Returns whether anything was written."""
    now = now or utcnow()
    with Session(engine) as session:
        if session.exec(select(Customer).limit(1)).first() is not None:
            return False
        _add_catalogue(session)
        tracking = 100000001
        for customer in DEMO_CUSTOMERS:
            tracking = _add_customer(session, customer, now, tracking)
        session.commit()
    return True


def _add_catalogue(session: Session) -> None:
    for product_id, name, category, final_sale, price in PRODUCTS:
        session.add(Product(id=product_id, name=name, category=category, final_sale=final_sale))
        session.add(Variant(id=f"{product_id}-STD", product_id=product_id, price_cents=price, options="{}"))
    session.flush()
    session.add_all(ProductName(product_id=product_id, language="zh", name=name)
                    for product_id, name in NAMES_ZH.items())
    session.flush()


def _add_customer(session: Session, c: DemoCustomer, now: datetime, tracking: int) -> int:
    session.add(
        Customer(
            id=c.customer_id, first_name=c.first_name, last_name=c.last_name, email=c.email,
            phone=c.phone, postcode=c.postcode, preferred_language=c.language,
        )
    )
    session.flush()  # no ORM relationships: flush parents before rows that reference them
    session.add(
        Address(customer_id=c.customer_id, line1=c.address[0], city=c.address[1], region=c.address[2],
                country=c.address[3], postcode=c.postcode, is_default=True)
    )
    methods = {
        "card": PaymentMethod(id=f"card_{c.customer_id}", customer_id=c.customer_id, kind="credit_card",
                              label="Visa ending 4242", brand="Visa", last_four="4242"),
        "paypal": PaymentMethod(id=f"paypal_{c.customer_id}", customer_id=c.customer_id, kind="paypal",
                                label=f"PayPal {c.email}"),
        "gift_card": PaymentMethod(id=f"gift_card_{c.customer_id}", customer_id=c.customer_id,
                                   kind="gift_card", label="Gift card", balance_cents=2500),
    }
    session.add_all(methods.values())
    session.flush()
    prices = {pid: price for pid, _n, _c, _f, price in PRODUCTS}
    for o in c.orders:
        order = _timeline(o, now)
        order.customer_id = c.customer_id
        order.ship_to = f"{c.address[0]}, {c.address[1]} {c.postcode}"
        order.total_cents = sum(prices[pid] * qty for pid, qty, _r in o.lines)
        session.add(order)
        session.flush()
        for pid, qty, returned in o.lines:
            session.add(OrderItem(order_id=o.order_id, variant_id=f"{pid}-STD", quantity=qty,
                                  unit_price_cents=prices[pid], quantity_returned=returned))
        session.flush()
        session.add(Payment(order_id=o.order_id, payment_method_id=methods[o.pay_with].id,
                            amount_cents=order.total_cents, created_at=order.created_at))
        if order.shipped_at is not None:
            session.add(Shipment(order_id=o.order_id, tracking_number=f"RD{tracking}", fate=o.fate,
                                 created_at=order.shipped_at))
            tracking += 1
    return tracking


def _timeline(o: DemoOrder, now: datetime) -> Order:
    """Timestamps for each lifecycle step that the order has reached."""
    days = o.days_ago or 0
    if o.status == "delivered":
        delivered = now - timedelta(days=days)
        shipped = delivered - timedelta(days=3)
        return Order(id=o.order_id, status=o.status, created_at=shipped - timedelta(days=2),
                     processing_at=shipped - timedelta(days=1), shipped_at=shipped, delivered_at=delivered)
    if o.status == "shipped":
        shipped = now - timedelta(days=days)
        return Order(id=o.order_id, status=o.status, created_at=shipped - timedelta(days=2),
                     processing_at=shipped - timedelta(days=1), shipped_at=shipped)
    if o.status == "cancelled":
        created = now - timedelta(days=30)
        return Order(id=o.order_id, status=o.status, created_at=created, cancelled_at=created + timedelta(hours=3))
    return Order(id=o.order_id, status=o.status, created_at=now - timedelta(hours=6))
