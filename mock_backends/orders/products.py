"""The catalogue as customers ask about it: a product's variants (options, price, availability), the
variants an ordered item could be swapped for, and taking / putting back stock.

Stock moves only through `take_stock` / `put_back_stock`: guarded UPDATEs that cannot take more units
than there are (the database's CHECK stock >= 0 backs them up), so two customers racing for the last
unit cannot both get it, on SQLite and on PostgreSQL alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, col, func, or_, select

from mock_backends.orders.errors import OutOfStock, ProductNotFound
from mock_backends.orders.models import Product, Variant
from mock_backends.orders.repository import get_order_detail
from mock_backends.orders.swaps import VariantFacts

MAX_NAME_MATCHES = 5


@dataclass(frozen=True)
class VariantView:
    variant_id: str
    options: dict[str, str]
    price_cents: int
    available: bool  # still sold
    stock: int | None  # units left; None: not counted
    in_stock: bool  # can be bought / swapped for now

    @property
    def options_text(self) -> str:
        """'colour: black, size: M' (or 'standard' for a variant without options)."""
        return options_text(self.options)


@dataclass(frozen=True)
class ProductView:
    product_id: str
    name: str
    category: str
    final_sale: bool
    variants: list[VariantView]

    def variant(self, variant_id: str) -> VariantView | None:
        return next((v for v in self.variants if v.variant_id == variant_id), None)


@dataclass(frozen=True)
class ItemVariants:
    """An ordered item, the variant bought, and every variant of the same product (swap candidates)."""

    order_item_id: int
    variant_id: str
    product: ProductView

    @property
    def alternatives(self) -> list[VariantView]:
        """The other variants that are in stock now: what the item can be exchanged or changed for."""
        return [v for v in self.product.variants if v.variant_id != self.variant_id and v.in_stock]


def parse_options(raw: str | None) -> dict[str, str]:
    """Variant.options (a JSON object) as a dict; anything else reads as no options."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def options_text(options: dict[str, str]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in options.items()) or "standard"


def variant_view(variant: Variant) -> VariantView:
    stock = variant.stock
    return VariantView(
        variant_id=variant.id,
        options=parse_options(variant.options),
        price_cents=variant.price_cents,
        available=variant.available,
        stock=stock,
        in_stock=variant.available and (stock is None or stock > 0),
    )


def variant_facts(variant: Variant) -> VariantFacts:
    return VariantFacts(
        variant_id=variant.id,
        product_id=variant.product_id,
        price_cents=variant.price_cents,
        available=variant.available,
        stock=variant.stock,
    )


def _view(session: Session, product: Product) -> ProductView:
    variants = session.exec(select(Variant).where(Variant.product_id == product.id).order_by(col(Variant.id))).all()
    return ProductView(
        product_id=product.id,
        name=product.name,
        category=product.category,
        final_sale=product.final_sale,
        variants=[variant_view(v) for v in variants],
    )


def product_view(session: Session, product: str) -> ProductView:
    """A product by its id, or by its name (case-insensitive; a unique partial match will do).

    Raises ProductNotFound for no match, and for a name that matches several products (naming them).
    """
    wanted = product.strip()
    found = session.get(Product, wanted) if wanted else None
    if found is not None:
        return _view(session, found)
    if not wanted:
        raise ProductNotFound("Which product do you mean?")
    exact = session.exec(select(Product).where(func.lower(Product.name) == wanted.lower())).all()
    if len(exact) == 1:
        return _view(session, exact[0])
    pattern = "%" + wanted.lower().replace("%", r"\%").replace("_", r"\_") + "%"
    matches = (
        exact
        or session.exec(
            select(Product)
            .where(func.lower(Product.name).like(pattern, escape="\\"))
            .order_by(col(Product.name))
            .limit(MAX_NAME_MATCHES + 1)
        ).all()
    )
    if len(matches) == 1:
        return _view(session, matches[0])
    if not matches:
        raise ProductNotFound(f"I can't find a product called {wanted!r}.")
    names = ", ".join(sorted({m.name for m in matches[:MAX_NAME_MATCHES]}))
    raise ProductNotFound(f"Several products match {wanted!r}: {names}. Which one do you mean?")


def item_variants(session: Session, customer_id: str, order_id: str, order_item_id: int) -> ItemVariants:
    """The variants of an item on the customer's order (another customer's order is 'not found')."""
    detail = get_order_detail(session, customer_id, order_id)
    line = next((line for line in detail.lines if line.order_item_id == order_item_id), None)
    if line is None:
        raise ProductNotFound(f"Item {order_item_id} is not on order {detail.order.id}.")
    variant = session.get(Variant, line.variant_id)
    product = session.get(Product, variant.product_id) if variant else None
    if product is None:
        raise ProductNotFound(f"Item {order_item_id} of order {detail.order.id} is no longer in our catalogue.")
    return ItemVariants(order_item_id=order_item_id, variant_id=line.variant_id, product=_view(session, product))


def variants_by_id(session: Session, variant_ids: set[str]) -> dict[str, Variant]:
    if not variant_ids:
        return {}
    return {v.id: v for v in session.exec(select(Variant).where(col(Variant.id).in_(sorted(variant_ids)))).all()}


def take_stock(session: Session, variant_id: str, quantity: int) -> None:
    """Take `quantity` units of a variant in the caller's transaction, or raise OutOfStock.

    A guarded UPDATE: of two racing transactions for the last unit, the second finds no row to
    update once the first has committed (PostgreSQL re-checks the WHERE after the row lock; SQLite
    lets one writer at a time). A variant whose stock is not counted (null) only needs to be sold.
    """
    table = Variant.__table__  # type: ignore[attr-defined]
    taken = session.execute(
        update(table)
        .where(
            table.c.id == variant_id,
            table.c.available.is_(True),
            or_(table.c.stock.is_(None), table.c.stock >= quantity),
        )
        .values(stock=table.c.stock - quantity)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult
        raise OutOfStock(f"Sorry, that variant ({variant_id}) has just sold out.")


def put_back_stock(session: Session, variant_id: str, quantity: int) -> None:
    """Return units to stock (a cancelled exchange or order, the old variant of a changed item)."""
    table = Variant.__table__  # type: ignore[attr-defined]
    session.execute(update(table).where(table.c.id == variant_id).values(stock=table.c.stock + quantity))
