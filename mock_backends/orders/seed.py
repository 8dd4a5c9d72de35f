"""Deterministic demo data: a handful of named customers whose orders cover every case the agent handles.

Dates are relative to `now`, so "delivered 5 days ago" stays inside its return window whenever the
demo is seeded. Large generated datasets and the tau-bench import build on the same tables.
"""

from __future__ import annotations

import json
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

# The variants of each product: id -> (product, options, price in cents, units in stock). Each product's
# "-STD" variant is what the demo orders bought; the others are what it can be exchanged or changed for.
VARIANTS: dict[str, tuple[str, dict[str, str], int, int]] = {
    "P-HEADPHONES-STD": ("P-HEADPHONES", {"colour": "black"}, 8999, 12),
    "P-HEADPHONES-WHITE": ("P-HEADPHONES", {"colour": "white"}, 7999, 3),  # cheaper: a refunded difference
    "P-HEADPHONES-ANC": ("P-HEADPHONES", {"colour": "black", "noise cancelling": "yes"}, 10999, 2),
    "P-CABLE-STD": ("P-CABLE", {"length": "1 m"}, 1299, 40),
    "P-CABLE-2M": ("P-CABLE", {"length": "2 m"}, 1499, 25),
    "P-SHOES-STD": ("P-SHOES", {"size": "42"}, 7450, 6),
    "P-SHOES-43": ("P-SHOES", {"size": "43"}, 7450, 4),
    "P-SHOES-44": ("P-SHOES", {"size": "44"}, 7450, 0),  # out of stock
    "P-SUNGLASSES-STD": ("P-SUNGLASSES", {"colour": "tortoiseshell"}, 1999, 8),
    "P-SUNGLASSES-BLACK": ("P-SUNGLASSES", {"colour": "black"}, 1999, 5),
    "P-TSHIRT-STD": ("P-TSHIRT", {"colour": "white", "size": "M"}, 1800, 20),
    "P-TSHIRT-WHITE-L": ("P-TSHIRT", {"colour": "white", "size": "L"}, 1800, 1),  # the last unit: one exchange wins
    "P-TSHIRT-BLACK-M": ("P-TSHIRT", {"colour": "black", "size": "M"}, 1800, 7),
    "P-TSHIRT-RED-M": ("P-TSHIRT", {"colour": "red", "size": "M"}, 1500, 0),  # out of stock
    "P-LAMP-STD": ("P-LAMP", {"colour": "black"}, 3499, 9),
    "P-LAMP-WHITE": ("P-LAMP", {"colour": "white"}, 3499, 2),
    "P-SOCKS-STD": ("P-SOCKS", {"size": "M"}, 999, 30),
    "P-SOCKS-L": ("P-SOCKS", {"size": "L"}, 999, 30),
    "P-KETTLE-STD": ("P-KETTLE", {"colour": "steel"}, 4599, 10),
    "P-TENT-STD": ("P-TENT", {"capacity": "2 people"}, 15900, 4),
    "P-TENT-4P": ("P-TENT", {"capacity": "4 people"}, 21900, 2),
    "P-SERUM-STD": ("P-SERUM", {"size": "30 ml"}, 2850, 15),
    "P-SERUM-50ML": ("P-SERUM", {"size": "50 ml"}, 3950, 6),
}

# The products' names in other languages (English is `PRODUCTS`); stored as `productname` rows.
NAMES_ZH = {
    "P-HEADPHONES": "无线耳机",
    "P-CABLE": "USB-C 数据线",
    "P-SHOES": "跑鞋",
    "P-SUNGLASSES": "清仓太阳镜",
    "P-TSHIRT": "纯棉 T 恤",
    "P-LAMP": "台灯",
    "P-SOCKS": "羊毛袜",
    "P-KETTLE": "电热水壶",
    "P-TENT": "露营帐篷",
    "P-SERUM": "精华液",
}


@dataclass(frozen=True)
class DemoOrder:
    order_id: str
    status: str
    days_ago: int | None  # days since delivery (delivered) or since shipping (shipped)
    lines: tuple[tuple[str, int, int], ...]  # product (its -STD variant) or variant id, quantity, quantity returned
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
    gift_card_cents: int = 2500  # 0: a gift card without balance


DEMO_CUSTOMERS: tuple[DemoCustomer, ...] = (
    DemoCustomer(
        "alice_chen_1001",
        "Alice",
        "Chen",
        "alice@example.com",
        "+1 415-555-0101",
        "94107",
        "en",
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
        "wang_fang_1002",
        "芳",
        "王",
        "wang.fang@example.cn",
        "+86 138 0013 8000",
        "200001",
        "zh",
        ("南京西路 1266 号", "上海", "上海市", "CN"),
        (
            DemoOrder("#W1000011", "delivered", 4, (("P-HEADPHONES", 1, 0),)),
            DemoOrder("#W1000012", "shipped", 1, (("P-KETTLE", 1, 0),)),
            DemoOrder("#W1000013", "shipped", 12, (("P-TENT", 1, 0),), fate="lost"),
        ),
    ),
    DemoCustomer(
        "bob_miller_1003",
        "Bob",
        "Miller",
        "bob@example.com",
        "+1 212-555-0199",
        "10001",
        "en",
        ("350 5th Ave", "New York", "NY", "US"),
        (
            DemoOrder("#W1000021", "delivered", 7, (("P-TENT", 1, 0), ("P-SERUM", 2, 0)), pay_with="paypal"),
            DemoOrder("#W1000022", "delivered", 20, (("P-HEADPHONES", 1, 0),), pay_with="gift_card"),
        ),
    ),
    # Added with exchanges and order changes; the customers above keep their orders and numbers.
    DemoCustomer(
        "carol_davis_1004",
        "Carol",
        "Davis",
        "carol@example.com",
        "+1 206-555-0142",
        "98101",
        "en",
        ("1201 3rd Ave", "Seattle", "WA", "US"),
        (
            DemoOrder("#W1000031", "pending", None, (("P-SHOES", 1, 0),)),  # to cancel
            DemoOrder("#W1000032", "pending", None, (("P-TSHIRT", 1, 0), ("P-SERUM", 1, 0))),  # to change
            DemoOrder("#W1000033", "delivered", 6, (("P-TSHIRT", 1, 0),)),  # to exchange for the last white L
            DemoOrder("#W1000034", "delivered", 8, (("P-HEADPHONES", 1, 0),), pay_with="gift_card"),
            DemoOrder("#W1000035", "processing", None, (("P-LAMP", 1, 0),)),  # too late to cancel
        ),
        gift_card_cents=0,
    ),
    DemoCustomer(
        "li_na_1005",
        "娜",
        "李",
        "li.na@example.cn",
        "+86 139 0571 2000",
        "310000",
        "zh",
        ("文三路 90 号", "杭州", "浙江省", "CN"),
        (
            DemoOrder("#W1000041", "pending", None, (("P-LAMP", 1, 0),), pay_with="gift_card"),  # refund at once
            DemoOrder("#W1000042", "delivered", 2, (("P-SHOES", 1, 0),)),  # to exchange for size 43
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
    for product_id, name, category, final_sale, _price in PRODUCTS:
        session.add(Product(id=product_id, name=name, category=category, final_sale=final_sale))
    session.flush()
    session.add_all(
        ProductName(product_id=product_id, language="zh", name=name) for product_id, name in NAMES_ZH.items()
    )
    for variant_id, (product_id, options, price, stock) in VARIANTS.items():
        session.add(
            Variant(
                id=variant_id,
                product_id=product_id,
                price_cents=price,
                stock=stock,
                options=json.dumps(options, ensure_ascii=False, sort_keys=True),
            )
        )
    session.flush()


def _variant(ref: str) -> tuple[str, int]:
    """(variant id, price) of an order line's product or variant reference."""
    variant_id = ref if ref in VARIANTS else f"{ref}-STD"
    return variant_id, VARIANTS[variant_id][2]


def _add_customer(session: Session, c: DemoCustomer, now: datetime, tracking: int) -> int:
    session.add(
        Customer(
            id=c.customer_id,
            first_name=c.first_name,
            last_name=c.last_name,
            email=c.email,
            phone=c.phone,
            postcode=c.postcode,
            preferred_language=c.language,
        )
    )
    session.flush()  # no ORM relationships: flush parents before rows that reference them
    session.add(
        Address(
            customer_id=c.customer_id,
            line1=c.address[0],
            city=c.address[1],
            region=c.address[2],
            country=c.address[3],
            postcode=c.postcode,
            is_default=True,
        )
    )
    methods = {
        "card": PaymentMethod(
            id=f"card_{c.customer_id}",
            customer_id=c.customer_id,
            kind="credit_card",
            label="Visa ending 4242",
            brand="Visa",
            last_four="4242",
        ),
        "paypal": PaymentMethod(
            id=f"paypal_{c.customer_id}", customer_id=c.customer_id, kind="paypal", label=f"PayPal {c.email}"
        ),
        "gift_card": PaymentMethod(
            id=f"gift_card_{c.customer_id}",
            customer_id=c.customer_id,
            kind="gift_card",
            label="Gift card",
            balance_cents=c.gift_card_cents,
        ),
    }
    session.add_all(methods.values())
    session.flush()
    for o in c.orders:
        order = _timeline(o, c.customer_id, now)
        order.ship_to = f"{c.address[0]}, {c.address[1]} {c.postcode}"
        order.total_cents = sum(_variant(ref)[1] * qty for ref, qty, _r in o.lines)
        session.add(order)
        session.flush()
        for ref, qty, returned in o.lines:
            variant_id, price = _variant(ref)
            session.add(
                OrderItem(
                    order_id=o.order_id,
                    variant_id=variant_id,
                    quantity=qty,
                    unit_price_cents=price,
                    quantity_returned=returned,
                )
            )
        session.flush()
        session.add(
            Payment(
                order_id=o.order_id,
                payment_method_id=methods[o.pay_with].id,
                amount_cents=order.total_cents,
                created_at=order.created_at,
            )
        )
        if order.shipped_at is not None:
            session.add(
                Shipment(order_id=o.order_id, tracking_number=f"RD{tracking}", fate=o.fate, created_at=order.shipped_at)
            )
            tracking += 1
    return tracking


def _timeline(o: DemoOrder, customer_id: str, now: datetime) -> Order:
    """Timestamps for each lifecycle step that the order has reached."""
    days = o.days_ago or 0
    if o.status == "delivered":
        delivered = now - timedelta(days=days)
        shipped = delivered - timedelta(days=3)
        return Order(
            id=o.order_id,
            customer_id=customer_id,
            status=o.status,
            created_at=shipped - timedelta(days=2),
            processing_at=shipped - timedelta(days=1),
            shipped_at=shipped,
            delivered_at=delivered,
        )
    if o.status == "shipped":
        shipped = now - timedelta(days=days)
        return Order(
            id=o.order_id,
            customer_id=customer_id,
            status=o.status,
            created_at=shipped - timedelta(days=2),
            processing_at=shipped - timedelta(days=1),
            shipped_at=shipped,
        )
    if o.status == "processing":
        created = now - timedelta(days=1)
        return Order(
            id=o.order_id,
            customer_id=customer_id,
            status=o.status,
            created_at=created,
            processing_at=created + timedelta(hours=2),
        )
    if o.status == "cancelled":
        created = now - timedelta(days=30)
        return Order(
            id=o.order_id,
            customer_id=customer_id,
            status=o.status,
            created_at=created,
            cancelled_at=created + timedelta(hours=3),
        )
    return Order(id=o.order_id, customer_id=customer_id, status=o.status, created_at=now - timedelta(hours=6))
