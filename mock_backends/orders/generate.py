"""`returndesk seed --customers N --seed S`: a deterministic shop of any size, every case included.

Same seed and same `now`, same rows. Orders spread over the last 18 months; each has one of the
cases in `CASES`, which are exactly the situations the agent must handle (pending orders to cancel
or change, delivered ones to return or exchange, ...). The first generated customer gets one order
of every case, all three payment kinds and a used-up gift card, so even a tiny seed has them all.
Rows go through `BulkWriter` (Core executemany, or COPY on PostgreSQL) in batches of customers.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine

from core.money import SHOP_CURRENCY
from mock_backends.orders.bulk import BulkWriter, Method
from mock_backends.orders.catalogue import Offer, catalogue_rows, offers
from mock_backends.orders.people import Person, make_person

# case -> share of orders. window_expired dominates because most of 18 months is outside any window.
CASE_WEIGHTS: dict[str, float] = {
    "window_expired": 0.52,
    "eligible": 0.15,
    "final_sale": 0.04,
    "partly_returned": 0.05,
    "pending": 0.04,
    "processing": 0.04,
    "in_transit": 0.06,
    "lost_in_transit": 0.01,
    "delayed_in_transit": 0.01,
    "cancelled": 0.08,
}
CASES = tuple(CASE_WEIGHTS)
PAYMENT_KINDS = ("credit_card", "paypal", "gift_card")
FIRST_CUSTOMER_NUMBER = 2_000_001  # after the demo's and below tau-bench's style of ids
FIRST_ORDER_NUMBER = 2_000_000  # '#W2000000'..: seven digits, as the agent recognises them
CHINESE_SHARE = 0.3
HISTORY_DAYS = 540  # 18 months
RECENT_DELIVERY_DAYS = (1, 10)  # inside the shortest window (beauty, 14 days)


class SeedConflict(Exception):
    """The database already holds more than the demo data; generating again would clash."""


@dataclass
class GenerationReport:
    customers: int = 0
    orders: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    cases: Counter[str] = field(default_factory=Counter)
    payment_kinds: Counter[str] = field(default_factory=Counter)


@dataclass
class _Ids:
    """Next explicit integer id per table (rows refer to each other before they are written)."""

    next: dict[str, int]

    def take(self, table: str) -> int:
        value = self.next[table]
        self.next[table] = value + 1
        return value


def generate(
    engine: Engine,
    *,
    customers: int,
    seed: int,
    now: datetime,
    orders_per_customer: int = 5,
    batch_customers: int = 2000,
    method: Method = "auto",
    on_progress: Callable[[int], None] | None = None,
) -> GenerationReport:
    """Add `customers` generated customers with their orders, in one transaction.

    Each customer gets 1..2*orders_per_customer-1 orders (mean `orders_per_customer`).
    `on_progress(n)` is called after each batch with the number of customers written in it.
    """
    if customers < 1 or orders_per_customer < 1:
        raise ValueError("--customers and --orders-per-customer must be at least 1.")
    rng = random.Random(seed)
    returnable, final_sale = offers()
    report = GenerationReport()
    with engine.begin() as conn:
        writer = BulkWriter(conn, method)
        _refuse_if_generated(writer)
        products, variants, names = catalogue_rows()
        writer.add_all("product", products)
        writer.add_all("productname", names)
        writer.add_all("variant", variants)
        ids = _Ids(
            {
                t: writer.next_id(t)
                for t in ("address", "orderitem", "payment", "returnrequest", "returnitem", "shipment")
            }
        )
        shop = _Shop(rng, now, writer, ids, returnable, final_sale, report)
        for start in range(0, customers, batch_customers):
            count = min(batch_customers, customers - start)
            for i in range(start, start + count):
                shop.add_customer(i, orders_per_customer)
            writer.flush()
            if on_progress:
                on_progress(count)
        writer.finish()
        report.rows = dict(writer.written)
    report.customers = customers
    return report


def _refuse_if_generated(writer: BulkWriter) -> None:
    product, orders = writer.tables["product"], writer.tables["orders"]
    if writer.conn.execute(select(product.c.id).where(product.c.id.like("G-%")).limit(1)).first():
        raise SeedConflict("This database already holds generated data; seed with --reset to start over.")
    clash = select(orders.c.id).where(orders.c.id >= f"#W{FIRST_ORDER_NUMBER}", orders.c.id <= "#W9999999")
    if writer.conn.execute(clash.limit(1)).first():
        raise SeedConflict(
            "This database already holds orders numbered like generated ones "
            "(a tau-bench import?); seed with --reset to start over."
        )


class _Shop:
    """Builds one customer's rows at a time, drawing everything from one RNG in a fixed order."""

    def __init__(
        self,
        rng: random.Random,
        now: datetime,
        writer: BulkWriter,
        ids: _Ids,
        returnable: list[Offer],
        final_sale: list[Offer],
        report: GenerationReport,
    ) -> None:
        self.rng, self.now, self.writer, self.ids = rng, now, writer, ids
        self.returnable, self.final_sale, self.report = returnable, final_sale, report
        self.case_names, self.case_weights = list(CASE_WEIGHTS), list(CASE_WEIGHTS.values())

    def add_customer(self, index: int, orders_per_customer: int) -> None:
        rng = self.rng
        person = make_person(rng, FIRST_CUSTOMER_NUMBER + index, chinese=rng.random() < CHINESE_SHARE)
        self.writer.add(
            "customer",
            {
                "id": person.customer_id,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "email": person.email,
                "phone": person.phone,
                "postcode": person.postcode,
                "preferred_language": person.language,
            },
        )
        self.writer.add(
            "address",
            {
                "id": self.ids.take("address"),
                "customer_id": person.customer_id,
                "line1": person.line1,
                "line2": None,
                "city": person.city,
                "region": person.region,
                "country": person.country,
                "postcode": person.postcode,
                "is_default": True,
            },
        )
        methods = self._payment_methods(person, every_kind=index == 0)
        if index == 0:  # the showcase customer: every case, every payment kind
            plan = [(case, methods[n % len(methods)]) for n, case in enumerate(CASES)]
            # ... and a used-up gift card (not drawn from the RNG, so every other row stays as it was).
            self.writer.add(
                "paymentmethod",
                {
                    "id": f"empty_gift_card_{person.customer_id}",
                    "customer_id": person.customer_id,
                    "kind": "gift_card",
                    "label": "Gift card (used up)",
                    "balance_cents": 0,
                    "brand": None,
                    "last_four": None,
                },
            )
        else:
            count = rng.randint(1, 2 * orders_per_customer - 1)
            plan = [(rng.choices(self.case_names, self.case_weights)[0], rng.choice(methods)) for _ in range(count)]
        for case, method in plan:
            self._add_order(person, case, method)

    def _payment_methods(self, person: Person, every_kind: bool) -> list[tuple[str, str]]:
        rng = self.rng
        kinds = ["credit_card"]
        if every_kind or rng.random() < 0.5:
            kinds.append("paypal")
        if every_kind or rng.random() < 0.3:
            kinds.append("gift_card")
        methods = []
        for kind in kinds:
            method_id = f"{kind}_{person.customer_id}"
            brand, last_four = (
                (rng.choice(("Visa", "Mastercard", "Amex")), f"{rng.randrange(10000):04d}")
                if kind == "credit_card"
                else (None, None)
            )
            label = {
                "credit_card": f"{brand} ending {last_four}",
                "paypal": f"PayPal {person.email}",
                "gift_card": "Gift card",
            }[kind]
            balance = rng.randrange(0, 20000, 100) if kind == "gift_card" else None
            if every_kind and balance == 0:  # the showcase's gift card has a balance (its other one has none)
                balance = 5000
            self.writer.add(
                "paymentmethod",
                {
                    "id": method_id,
                    "customer_id": person.customer_id,
                    "kind": kind,
                    "label": label,
                    "balance_cents": balance,
                    "brand": brand,
                    "last_four": last_four,
                },
            )
            methods.append((method_id, kind))
        return methods

    def _add_order(self, person: Person, case: str, method: tuple[str, str]) -> None:
        order_id = f"#W{FIRST_ORDER_NUMBER + self.report.orders}"
        self.report.orders += 1
        self.report.cases[case] += 1
        self.report.payment_kinds[method[1]] += 1
        order = self._timeline(case) | {
            "id": order_id,
            "customer_id": person.customer_id,
            "ship_to": f"{person.line1}, {person.city} {person.postcode}",
            "currency": SHOP_CURRENCY,
        }
        if case == "partly_returned":  # its earlier return stands (order_status.py)
            order["status"] = "return_requested"
        lines = self._lines(case, order_id)
        order["total_cents"] = sum(line["quantity"] * line["unit_price_cents"] for line in lines)
        self.writer.add("orders", order)
        self.writer.add_all("orderitem", lines)
        self.writer.add(
            "payment",
            {
                "id": self.ids.take("payment"),
                "order_id": order_id,
                "payment_method_id": method[0],
                "direction": "charge",
                "amount_cents": order["total_cents"],
                "created_at": order["created_at"],
            },
        )
        if order["shipped_at"] is not None:
            fate = {"lost_in_transit": "lost", "delayed_in_transit": "delayed"}.get(case, "normal")
            shipment_id = self.ids.take("shipment")
            self.writer.add(
                "shipment",
                {
                    "id": shipment_id,
                    "order_id": order_id,
                    "return_id": None,
                    "exchange_id": None,
                    "carrier": "ReturnDesk Express",
                    "tracking_number": f"RDG{shipment_id:09d}",
                    "direction": "outbound",
                    "fate": fate,
                    "created_at": order["shipped_at"],
                },
            )
        if case == "partly_returned":
            self._add_past_return(person, order, lines, method[0])

    def _timeline(self, case: str) -> dict:
        """Timestamps for every lifecycle step the order has reached, relative to `now`."""
        rng, now = self.rng, self.now
        if case in ("eligible", "final_sale", "partly_returned", "window_expired"):
            low, high = RECENT_DELIVERY_DAYS if case != "window_expired" else (61, HISTORY_DAYS)
            delivered = now - timedelta(days=rng.randint(low, high), minutes=rng.randrange(1440))
            shipped = delivered - timedelta(days=rng.randint(1, 5))
            created = shipped - timedelta(days=rng.randint(1, 3))
            return _order("delivered", created, created + timedelta(hours=2), shipped, delivered, None)
        if case in ("in_transit", "lost_in_transit", "delayed_in_transit"):
            shipped = now - timedelta(
                days=rng.randint(1, 4) if case == "in_transit" else rng.randint(8, 30), minutes=rng.randrange(1440)
            )
            created = shipped - timedelta(days=rng.randint(1, 3))
            return _order("shipped", created, created + timedelta(hours=2), shipped, None, None)
        if case == "cancelled":
            created = now - timedelta(days=rng.randint(1, HISTORY_DAYS), minutes=rng.randrange(1440))
            return _order("cancelled", created, None, None, None, created + timedelta(hours=rng.randint(1, 20)))
        created = now - timedelta(hours=rng.randint(1, 60))
        processing = created + timedelta(hours=1) if case == "processing" else None
        return _order(case, created, processing, None, None, None)

    def _lines(self, case: str, order_id: str) -> list[dict]:
        rng = self.rng
        picks = rng.sample(self.returnable, rng.choice((1, 1, 1, 2, 2, 3)))
        if case == "final_sale" or (case not in ("eligible", "partly_returned") and rng.random() < 0.1):
            picks[-1] = rng.choice(self.final_sale)
        lines = []
        for n, offer in enumerate(picks):
            quantity = rng.choice((1, 1, 1, 2, 3))
            if case == "partly_returned" and n == 0:
                quantity = max(quantity, 2)
            lines.append(
                {
                    "id": self.ids.take("orderitem"),
                    "order_id": order_id,
                    "variant_id": offer.variant_id,
                    "quantity": quantity,
                    "unit_price_cents": offer.price_cents,
                    "quantity_returned": 0,
                    "quantity_exchanged": 0,
                }
            )
        return lines

    def _add_past_return(self, person: Person, order: dict, lines: list[dict], method_id: str) -> None:
        """One unit of the first line went back earlier: an RMA, its item, the refund."""
        line = lines[0]
        line["quantity_returned"] = 1
        return_id = self.ids.take("returnrequest")
        when = order["delivered_at"] + timedelta(hours=self.rng.randint(2, 20))
        status = self.rng.choice(("refunded", "refunded", "received", "label_created"))
        self.writer.add(
            "returnrequest",
            {
                "id": return_id,
                "rma": f"RMA-G{return_id:07d}",
                "order_id": order["id"],
                "customer_id": person.customer_id,
                "status": status,
                "reason": "changed my mind",
                "refund_method": "original_payment",
                "refund_payment_method_id": method_id,
                "refund_amount_cents": line["unit_price_cents"],
                "label_ref": f"LBL-G{return_id:07d}",
                "idempotency_key": f"seed:{return_id}",
                "session_id": None,
                "created_at": when,
            },
        )
        self.writer.add(
            "returnitem",
            {"id": self.ids.take("returnitem"), "return_id": return_id, "order_item_id": line["id"], "quantity": 1},
        )
        if status == "refunded":
            self.writer.add(
                "payment",
                {
                    "id": self.ids.take("payment"),
                    "order_id": order["id"],
                    "payment_method_id": method_id,
                    "direction": "refund",
                    "amount_cents": line["unit_price_cents"],
                    "created_at": when + timedelta(days=3),
                },
            )


def _order(
    status: str,
    created: datetime,
    processing: datetime | None,
    shipped: datetime | None,
    delivered: datetime | None,
    cancelled: datetime | None,
) -> dict:
    return {
        "status": status,
        "created_at": created,
        "processing_at": processing,
        "shipped_at": shipped,
        "delivered_at": delivered,
        "cancelled_at": cancelled,
    }
