"""Product questions: which variants (size, colour, ...) a product comes in, their prices and stock,
and what an ordered item could be exchanged or changed for."""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.tools import tool
from pydantic import Field
from sqlmodel import Session

from core.money import SHOP_CURRENCY, plain_amount
from mock_backends.orders import repository
from mock_backends.orders.errors import ProductNotFound
from mock_backends.orders.localized import product_names
from mock_backends.orders.models import Product
from mock_backends.orders.products import ItemVariants, ProductView, VariantView, item_variants, product_view
from tools.args import OrderId
from tools.base import AnyRuntime, CallContext, ok, run_tool


def variant_summary(variant: VariantView, currency: str = SHOP_CURRENCY) -> dict[str, Any]:
    return {
        "variant_id": variant.variant_id,
        "options": variant.options,
        "price": plain_amount(variant.price_cents, currency),
        "in_stock": variant.in_stock,
        "units_left": variant.stock,
    }


def product_summary(product: ProductView, name: str | None = None, currency: str = SHOP_CURRENCY) -> dict[str, Any]:
    """`name`: the product's name in the customer's language (its English name without one)."""
    return {
        "product_id": product.product_id,
        "name": name or product.name,
        "category": product.category,
        "final_sale": product.final_sale,
        "variants": [variant_summary(v, currency) for v in product.variants],
    }


def local_name(session: Session, product: ProductView, language: str) -> str:
    row = session.get(Product, product.product_id)
    return product_names(session, [row], language)[row.id] if row is not None else product.name


def item_summary(session: Session, item: ItemVariants, language: str, currency: str) -> dict[str, Any]:
    current = item.product.variant(item.variant_id)
    return {
        "order_item_id": item.order_item_id,
        "product": product_summary(item.product, local_name(session, item.product, language), currency),
        "ordered_variant_id": item.variant_id,
        "ordered_options": current.options if current else {},
        "can_swap_for": [v.variant_id for v in item.alternatives],
    }


@tool(parse_docstring=True)
def get_product_details(
    runtime: AnyRuntime,
    product: Annotated[str, Field(max_length=200)] | None = None,
    order_id: OrderId | None = None,
    order_item_id: Annotated[int, Field(ge=1)] | None = None,
) -> dict[str, Any]:
    """Look up a product's variants: each variant's options (colour, size, ...), price, and whether
    it is in stock (units_left when the shop counts them). Name a product, or give an order (and
    optionally one of its items) to see, per item, the variant ordered and the in-stock variants of
    the same product it could be exchanged or changed for (can_swap_for). Items can only be swapped
    for another variant of the same product, never for a different product.

    Args:
        product: The product's name (e.g. "Cotton T-Shirt") or product id.
        order_id: One of the customer's orders, e.g. "#W1000003", to see its items' variants.
        order_item_id: One item of that order (from lookup_order); omit for every item.
    """

    def body(ctx: CallContext) -> dict[str, Any]:
        with Session(ctx.deps.engine) as session:
            if order_id:
                detail = repository.get_order_detail(session, ctx.customer_id, order_id)
                ids = [order_item_id] if order_item_id else [line.order_item_id for line in detail.lines]
                items = [item_variants(session, ctx.customer_id, order_id, item_id) for item_id in ids]
                currency = detail.order.currency
                return ok(
                    order_id=detail.order.id,
                    order_status=detail.order.status,
                    currency=currency,
                    items=[item_summary(session, i, ctx.language, currency) for i in items],
                )
            if product:
                found = product_view(session, product)
                return ok(
                    product=product_summary(found, local_name(session, found, ctx.language)), currency=SHOP_CURRENCY
                )
        raise ProductNotFound("Tell me the product's name, or the order (and item) you are asking about.")

    return run_tool(
        runtime,
        "get_product_details",
        body,
        order_id=repository.normalize_order_id(order_id) if order_id else None,
        audit_detail={"product": product} if product else None,
    )
