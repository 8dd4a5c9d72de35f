"""`returndesk seed --from-tau-bench DIR`: sierra-research/tau-bench's retail data in our schema.

Kept as published: user, order, product and item ids, emails, names, addresses and zip codes,
tracking ids, payment method ids and gift-card balances. Filled in deterministically (from a hash
of the id, so every import agrees): dates, phone numbers, categories. Every 'delivered' order is
delivered 1-7 days before `now`, inside the shortest return window (14 days), so tau-bench's
return tasks are possible; re-import to move the dates forward.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from mock_backends.orders.bulk import BulkWriter, Method

# tau-bench order status -> ours: every status its data and tools produce (a test pins this).
# ReturnDesk differs on purpose: a return_requested / exchange_requested order stays returnable and
# exchangeable for its other units (policy.yaml); tau-bench allows one return or exchange per order.
STATUS_MAP = {
    "pending": "pending",
    "pending (item modified)": "items_modified",
    "processed": "processing",
    "shipped": "shipped",
    "delivered": "delivered",
    "cancelled": "cancelled",
    "return requested": "return_requested",
    "exchange requested": "exchange_requested",
}
DELIVERED = ("delivered", "return_requested", "exchange_requested")  # each carries a delivery date
STOCK_RANGE = 20  # tau-bench only says whether a variant is available: 1..20 units (from a hash), 0 if not
# tau-bench has no categories; these follow the policy's (unknown ones get the default window).
CATEGORY_BY_NAME = {
    **dict.fromkeys(
        (
            "Action Camera",
            "Bluetooth Speaker",
            "Digital Camera",
            "E-Reader",
            "Gaming Mouse",
            "Headphones",
            "Indoor Security Camera",
            "Laptop",
            "Mechanical Keyboard",
            "Portable Charger",
            "Smart Thermostat",
            "Smart Watch",
            "Smartphone",
            "Tablet",
            "Wireless Earbuds",
        ),
        "electronics",
    ),
    **dict.fromkeys(
        ("Fleece Jacket", "Hiking Boots", "Running Shoes", "Sneakers", "Sunglasses", "T-Shirt", "Wristwatch"),
        "clothing",
    ),
    **dict.fromkeys(
        (
            "Air Purifier",
            "Bookshelf",
            "Coffee Maker",
            "Desk Lamp",
            "Electric Kettle",
            "Espresso Machine",
            "LED Light Bulb",
            "Office Chair",
            "Pet Bed",
            "Tea Kettle",
            "Vacuum Cleaner",
            "Wall Clock",
            "Notebook",
            "Jigsaw Puzzle",
        ),
        "home",
    ),
    **dict.fromkeys(
        (
            "Backpack",
            "Bicycle",
            "Cycling Helmet",
            "Dumbbell Set",
            "Garden Hose",
            "Grill",
            "Luggage Set",
            "Patio Umbrella",
            "Skateboard",
            "Water Bottle",
            "Yoga Mat",
        ),
        "outdoor",
    ),
    **dict.fromkeys(("Electric Toothbrush", "Makeup Kit", "Perfume"), "beauty"),
}
DEFAULT_CATEGORY = "other"
AREA_CODES = ("212", "213", "303", "312", "404", "415", "512", "617", "206", "305")


class TauImportError(Exception):
    """The directory is not tau-bench retail data, or the database already holds it."""


@dataclass(frozen=True)
class TauImportReport:
    users: int
    orders: int
    products: int
    variants: int
    statuses: dict[str, int]


def load(directory: Path) -> tuple[dict, dict, dict]:
    """users, orders, products as published (each a dict keyed by id)."""
    data = []
    for name in ("users", "orders", "products"):
        path = directory / f"{name}.json"
        if not path.is_file():
            raise TauImportError(f"{path} not found: point --from-tau-bench at tau-bench's retail data directory.")
        try:
            data.append(json.loads(path.read_text(encoding="utf-8")))
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise TauImportError(f"{path} is not valid JSON: {error}") from None
        if not isinstance(data[-1], dict):
            raise TauImportError(f"{path} should hold a JSON object keyed by id.")
    return data[0], data[1], data[2]


def import_tau_bench(engine: Engine, directory: Path, *, now: datetime, method: Method = "auto") -> TauImportReport:
    """Import everything in one transaction; nothing is written if any row is refused."""
    users, orders, products = load(directory)
    unknown = sorted({o.get("status") for o in orders.values()} - set(STATUS_MAP), key=str)
    if unknown:
        raise TauImportError(f"Unknown tau-bench order statuses {unknown}; known: {sorted(STATUS_MAP)}.")
    with engine.begin() as conn:
        writer = BulkWriter(conn, method)
        order_table = writer.tables["orders"]
        if conn.execute(select(order_table.c.id).where(order_table.c.id.in_(list(orders)[:500])).limit(1)).first():
            raise TauImportError("This database already holds tau-bench orders; seed with --reset to import again.")
        ids = {t: writer.next_id(t) for t in ("address", "orderitem", "payment", "shipment")}
        _products(writer, products)
        _users(writer, users, ids)
        statuses = _orders(writer, orders, ids, now)
        writer.finish()
    return TauImportReport(
        users=len(users),
        orders=len(orders),
        products=len(products),
        variants=sum(len(p["variants"]) for p in products.values()),
        statuses=statuses,
    )


def _hash(key: str) -> int:
    """A stable number per id (Python's hash() changes between runs)."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def _cents(amount: float) -> int:
    return round(amount * 100)


def _products(writer: BulkWriter, products: dict) -> None:
    for product_id, product in products.items():
        writer.add(
            "product",
            {
                "id": product_id,
                "name": product["name"],  # English only: no productname rows
                "category": CATEGORY_BY_NAME.get(product["name"], DEFAULT_CATEGORY),
                "final_sale": False,
            },
        )
        for item_id, variant in product["variants"].items():
            available = bool(variant.get("available", True))
            writer.add(
                "variant",
                {
                    "id": item_id,
                    "product_id": product_id,
                    "price_cents": _cents(variant["price"]),
                    "options": json.dumps(variant.get("options", {}), sort_keys=True),
                    "available": available,
                    "stock": 1 + _hash(item_id) % STOCK_RANGE if available else 0,
                },
            )


def _users(writer: BulkWriter, users: dict, ids: dict[str, int]) -> None:
    for user_id, user in users.items():
        address, h = user["address"], _hash(user_id)
        writer.add(
            "customer",
            {
                "id": user_id,
                "first_name": user["name"]["first_name"],
                "last_name": user["name"]["last_name"],
                "email": user["email"],
                "phone": f"+1 {AREA_CODES[h % len(AREA_CODES)]}-555-{h // 7 % 10000:04d}",
                "postcode": address["zip"],
                "preferred_language": "en",
            },
        )
        writer.add(
            "address",
            {
                "id": _take(ids, "address"),
                "customer_id": user_id,
                "line1": address["address1"],
                "line2": address.get("address2") or None,
                "city": address["city"],
                "region": address.get("state"),
                "country": "US" if address.get("country") in ("USA", "US") else address.get("country", "US")[:2],
                "postcode": address["zip"],
                "is_default": True,
            },
        )
        for method_id, method in user["payment_methods"].items():
            card = method["source"] == "credit_card"
            writer.add(
                "paymentmethod",
                {
                    "id": method_id,
                    "customer_id": user_id,
                    "kind": method["source"],
                    "label": _label(method),
                    "balance_cents": _balance(method),
                    "brand": method.get("brand", "card").title() if card else None,
                    "last_four": method.get("last_four") if card else None,
                },
            )


def _label(method: dict) -> str:
    if method["source"] == "credit_card":
        return f"{method.get('brand', 'card').title()} ending {method.get('last_four', '????')}"
    return {"paypal": "PayPal", "gift_card": "Gift card"}.get(method["source"], method["source"])


def _balance(method: dict) -> int | None:
    return _cents(method["balance"]) if method["source"] == "gift_card" and "balance" in method else None


def _orders(writer: BulkWriter, orders: dict, ids: dict[str, int], now: datetime) -> dict[str, int]:
    statuses: Counter[str] = Counter()
    for order_id, order in orders.items():
        status = STATUS_MAP[order["status"]]
        statuses[status] += 1
        times = _timeline(order_id, status, now)
        address = order["address"]
        quantities: Counter[str] = Counter(item["item_id"] for item in order["items"])
        prices = {item["item_id"]: _cents(item["price"]) for item in order["items"]}
        writer.add(
            "orders",
            {
                "id": order_id,
                "customer_id": order["user_id"],
                "status": status,
                **times,
                "ship_to": f"{address['address1']}, {address['city']} {address['zip']}",
                "total_cents": sum(prices[i] * q for i, q in quantities.items()),
                "currency": "USD",
            },
        )  # tau-bench's retail prices are dollars
        # A repeated item id is tau-bench's way of buying two: one line with quantity 2 here.
        for item_id, quantity in quantities.items():
            writer.add(
                "orderitem",
                {
                    "id": _take(ids, "orderitem"),
                    "order_id": order_id,
                    "variant_id": item_id,
                    "quantity": quantity,
                    "unit_price_cents": prices[item_id],
                    "quantity_returned": 0,
                    "quantity_exchanged": 0,
                },
            )
        for entry in order["payment_history"]:
            refund = entry["transaction_type"] == "refund"
            writer.add(
                "payment",
                {
                    "id": _take(ids, "payment"),
                    "order_id": order_id,
                    "payment_method_id": entry["payment_method_id"],
                    "direction": "refund" if refund else "charge",
                    "amount_cents": _cents(entry["amount"]),
                    "created_at": (times["cancelled_at"] if refund else None) or times["created_at"],
                },
            )
        for fulfilment in order["fulfillments"]:
            for tracking_id in fulfilment["tracking_id"]:
                writer.add(
                    "shipment",
                    {
                        "id": _take(ids, "shipment"),
                        "order_id": order_id,
                        "return_id": None,
                        "exchange_id": None,
                        "carrier": "ReturnDesk Express",
                        "tracking_number": tracking_id,
                        "direction": "outbound",
                        "fate": "normal",
                        "created_at": times["shipped_at"]
                        or times["processing_at"]
                        or times["created_at"]  # type: ignore[operator]  # _timeline always sets it
                        + timedelta(hours=1),
                    },
                )
    return dict(statuses)


def _take(ids: dict[str, int], table: str) -> int:
    ids[table] += 1
    return ids[table] - 1


def _timeline(order_id: str, status: str, now: datetime) -> dict[str, datetime | None]:
    h = _hash(order_id)
    minutes = timedelta(minutes=h % 1440)
    times: dict[str, datetime | None] = dict.fromkeys(
        ("created_at", "processing_at", "shipped_at", "delivered_at", "cancelled_at")
    )
    if status in (*DELIVERED, "shipped"):
        anchor = now - timedelta(days=1 + h // 1440 % 7) - minutes  # delivered (or shipped) 1-7 days ago
        times["delivered_at"] = anchor if status in DELIVERED else None
        times["shipped_at"] = shipped = anchor - timedelta(days=2) if status in DELIVERED else anchor
        times["processing_at"] = processing = shipped - timedelta(days=1)
        times["created_at"] = processing - timedelta(hours=3)
    elif status == "processing":
        times["created_at"] = created = now - timedelta(days=1 + h // 1440 % 3) - minutes
        times["processing_at"] = created + timedelta(hours=3)
    elif status == "cancelled":
        times["created_at"] = created = now - timedelta(days=5 + h // 1440 % 60) - minutes
        times["cancelled_at"] = created + timedelta(hours=4)
    else:
        times["created_at"] = now - timedelta(hours=1 + h // 1440 % 36) - minutes
    return times
