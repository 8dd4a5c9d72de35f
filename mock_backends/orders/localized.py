"""What the order system's rows are called in a customer's language: products and payment methods.

A product's English name is `product.name`; its name in another language is a `productname` row, and
every lookup falls back to English when there is none (tau-bench products have only English names).
The lookup is one LEFT JOIN, so the order lookup stays one query: `product_name_column` for queries,
`product_names` / `product_name` for rows already loaded.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, FromClause, and_, func
from sqlmodel import Session, col, select

from core import languages
from core.messages import t
from mock_backends.orders.models import PaymentMethod, Product, ProductName

NAMES = ProductName.__table__  # type: ignore[attr-defined]


def product_name_column(products: FromClause, language: object) -> tuple[FromClause, ColumnElement, ColumnElement]:
    """For a query over `products`: (the names table, the LEFT JOIN's condition, the name column).
    `language` is a code or a bindparam; the column is the name in that language, else English."""
    names = NAMES.alias("local_name")
    on = and_(names.c.product_id == products.c.id, names.c.language == language)
    return names, on, func.coalesce(names.c.name, products.c.name)


def product_names(session: Session, products: Iterable[Product], lang: str | None) -> dict[str, str]:
    """Each product's name in `lang` (English where it has none), by product id, in one query."""
    english = {p.id: p.name for p in products}
    code = languages.get(lang).code
    if not english or code == languages.DEFAULT:
        return english
    rows = session.exec(
        select(ProductName.product_id, ProductName.name).where(
            col(ProductName.product_id).in_(list(english)), ProductName.language == code
        )
    ).all()
    return english | dict(rows)


def product_name(session: Session, product: Product, lang: str | None) -> str:
    """The product's name in `lang`, else its English name."""
    return product_names(session, [product], lang)[product.id]


def name_rows(product_id: str, names: dict[str, str | None]) -> list[dict[str, str]]:
    """`productname` rows for a product's names by language (seeders); English stays in `product.name`."""
    return [
        {"product_id": product_id, "language": code, "name": name}
        for code, name in names.items()
        if name and code != languages.DEFAULT
    ]


def payment_method_description(method: PaymentMethod | None, lang: str | None) -> str | None:
    """The payment method as the customer recognises it, in their language: "Visa ending 4242",
    "尾号 4242 的 Visa 卡", "礼品卡". Its stored `label` when nothing more is known (PayPal accounts)."""
    if method is None:
        return None
    if method.kind == "credit_card" and method.brand and method.last_four:
        return t("payment.card", lang, brand=method.brand, last_four=method.last_four)
    if method.kind == "gift_card":
        return t("payment.gift_card", lang)
    return method.label
