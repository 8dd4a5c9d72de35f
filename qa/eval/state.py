"""A canonical dump of the database's mutable state, and the differences between two dumps.

As tau-bench does, a trial is judged on state, not wording: the dump after the conversation must
equal the expected one. The dump leaves out what says nothing about the outcome and differs from
run to run: random RMA numbers, row ids of new rows, timestamps of new rows, free-text reasons and
summaries, session ids. Logs and bookkeeping are not state (auditevent, chatsession, feedback). The
return label is the carrier's: its parcel row is left out and a return that is `requested` or
`label_created` is `open` either way (the label is checked by the facts the reply must state).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from mock_backends.orders.after_sales_models import ExchangeItem, ExchangeRequest
from mock_backends.orders.models import (
    Address,
    Customer,
    HandoffTicket,
    Order,
    OrderItem,
    Payment,
    PaymentMethod,
    Product,
    ReturnItem,
    ReturnRequest,
    Shipment,
    Variant,
)

OPEN_RETURN = ("requested", "label_created")

# table -> (the column(s) naming a row, the columns that are its state). Rows of these tables exist
# before the conversation and keep their keys; a change shows up as a changed field.
KEYED: dict[str, tuple[Any, tuple[str, ...]]] = {
    "customer": (Customer, ("first_name", "last_name", "email", "phone", "postcode", "preferred_language")),
    "address": (Address, ("customer_id", "line1", "line2", "city", "region", "country", "postcode", "is_default")),
    "paymentmethod": (PaymentMethod, ("customer_id", "kind", "label", "balance_cents")),
    "product": (Product, ("name", "category", "final_sale")),
    "variant": (Variant, ("product_id", "options", "price_cents", "available")),
    "orders": (
        Order,
        (
            "customer_id",
            "status",
            "created_at",
            "processing_at",
            "shipped_at",
            "delivered_at",
            "cancelled_at",
            "ship_to",
            "total_cents",
        ),
    ),
}

State = dict[str, dict[str, dict[str, Any]] | list[str]]


def _value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _canonical(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)


def canonical_state(engine: Engine) -> State:
    """The state of the order system: keyed tables as {key: {column: value}}, rows that conversations
    add (returns, payments, tickets) as sorted lists of canonical JSON rows (a multiset)."""
    with engine.connect() as conn:
        state: State = {}
        for name, (model, columns) in KEYED.items():
            table = model.__table__
            rows = conn.execute(select(table)).mappings()
            state[name] = {str(r["id"]): {c: _value(r[c]) for c in columns} for r in rows}
        state["orderitem"] = _order_items(conn)
        state["shipment"] = _outbound_parcels(conn)
        state["payment"] = sorted(
            _canonical({c: _value(r[c]) for c in ("order_id", "payment_method_id", "direction", "amount_cents")})
            for r in conn.execute(select(Payment.__table__)).mappings()  # type: ignore[attr-defined]
        )
        state["returnrequest"] = _returns(conn)
        state["exchangerequest"] = _exchanges(conn)
        state["handoffticket"] = sorted(
            _canonical({"status": r["status"]})
            for r in conn.execute(select(HandoffTicket.__table__)).mappings()  # type: ignore[attr-defined]
        )
    return state


def _order_items(conn: Connection) -> dict[str, dict[str, Any]]:
    rows = conn.execute(select(OrderItem.__table__)).mappings()  # type: ignore[attr-defined]  # set by SQLModel
    return {
        f"{r['order_id']}/{r['variant_id']}": {
            "quantity": r["quantity"],
            "quantity_returned": r["quantity_returned"],
            "quantity_exchanged": r["quantity_exchanged"] or 0,
            "unit_price_cents": r["unit_price_cents"],
        }
        for r in rows
    }


def _outbound_parcels(conn: Connection) -> dict[str, dict[str, Any]]:
    table = Shipment.__table__  # type: ignore[attr-defined]  # set by SQLModel
    # An exchange's replacement parcel is the carrier's, like a return label (random tracking number).
    rows = conn.execute(select(table).where(table.c.direction == "outbound", table.c.exchange_id.is_(None))).mappings()
    return {
        r["tracking_number"]: {
            "order_id": r["order_id"],
            "fate": r["fate"],
            "created_at": _value(r["created_at"]),
            "voided_at": _value(r["voided_at"]),
        }
        for r in rows
    }


def _returns(conn: Connection) -> list[str]:
    items: dict[int, list[str]] = {}
    item, line = ReturnItem.__table__, OrderItem.__table__  # type: ignore[attr-defined]  # set by SQLModel
    for r in conn.execute(
        select(item.c.return_id, item.c.quantity, line.c.variant_id).join(line, line.c.id == item.c.order_item_id)
    ).mappings():
        items.setdefault(r["return_id"], []).append(f"{r['variant_id']} x{r['quantity']}")
    rows = []
    for r in conn.execute(select(ReturnRequest.__table__)).mappings():  # type: ignore[attr-defined]  # set by SQLModel
        rows.append(
            _canonical(
                {
                    "order_id": r["order_id"],
                    "customer_id": r["customer_id"],
                    "status": "open" if r["status"] in OPEN_RETURN else r["status"],
                    "refund_method": r["refund_method"],
                    "refund_payment_method_id": r["refund_payment_method_id"],
                    "refund_amount_cents": r["refund_amount_cents"],
                    "items": sorted(items.get(r["id"], [])),
                }
            )
        )
    return sorted(rows)


def _exchanges(conn: Connection) -> list[str]:
    """Exchanges without their random numbers; `requested` and `label_created` are `open` (the label is
    the carrier's)."""
    items: dict[int, list[str]] = {}
    item = ExchangeItem.__table__  # type: ignore[attr-defined]  # set by SQLModel
    line = OrderItem.__table__  # type: ignore[attr-defined]  # set by SQLModel
    for r in conn.execute(
        select(item.c.exchange_id, item.c.quantity, item.c.new_variant_id, line.c.variant_id).join(
            line, line.c.id == item.c.order_item_id
        )
    ).mappings():
        items.setdefault(r["exchange_id"], []).append(f"{r['variant_id']} -> {r['new_variant_id']} x{r['quantity']}")
    rows = []
    for r in conn.execute(select(ExchangeRequest.__table__)).mappings():  # type: ignore[attr-defined]
        rows.append(
            _canonical(
                {
                    "order_id": r["order_id"],
                    "customer_id": r["customer_id"],
                    "status": "open" if r["status"] in OPEN_RETURN else r["status"],
                    "price_difference_cents": r["price_difference_cents"],
                    "payment_method_id": r["payment_method_id"],
                    "items": sorted(items.get(r["id"], [])),
                }
            )
        )
    return sorted(rows)


@dataclass(frozen=True)
class Difference:
    """One way two dumps differ, readable on its own."""

    table: str
    kind: str  # "changed" | "missing" (in the first dump only) | "unexpected" (in the second only)
    key: str
    first: Any
    second: Any

    def describe(self, first: str = "expected", second: str = "actual") -> str:
        if self.kind == "changed":
            fields = ", ".join(f"{f}: {first} {self.first[f]!r}, {second} {self.second[f]!r}" for f in self.first)
            return f"{self.table} {self.key}: {fields}"
        row = self.first if self.kind == "missing" else self.second
        where = first if self.kind == "missing" else second
        return f"{self.table}: only in {where}: {row}"


def diff_states(first: State, second: State) -> list[Difference]:
    """Everything that differs between two dumps; [] when they are the same."""
    found: list[Difference] = []
    for table in first.keys() | second.keys():
        a, b = first.get(table, {}), second.get(table, {})
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(a.keys() | b.keys()):
                if key not in b:
                    found.append(Difference(table, "missing", key, {"key": key, **a[key]}, None))
                elif key not in a:
                    found.append(Difference(table, "unexpected", key, None, {"key": key, **b[key]}))
                elif a[key] != b[key]:
                    fields = [f for f in a[key] if a[key][f] != b[key].get(f)]
                    found.append(
                        Difference(
                            table, "changed", key, {f: a[key][f] for f in fields}, {f: b[key].get(f) for f in fields}
                        )
                    )
        else:
            missing, extra = Counter(a) - Counter(b), Counter(b) - Counter(a)
            found += [Difference(table, "missing", "", json.loads(r), None) for r in missing.elements()]
            found += [Difference(table, "unexpected", "", None, json.loads(r)) for r in extra.elements()]
    return sorted(found, key=lambda d: (d.table, d.key, d.kind))
