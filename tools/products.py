"""Product questions: which variants (size, colour, ...) a product comes in, their prices and stock,
and what an ordered item could be exchanged or changed for."""

from __future__ import annotations

from typing import Annotated, Any

from langchain_core.tools import tool
from pydantic import Field
from sqlmodel import Session

from mock_backends.orders import repository
from mock_backends.orders.errors import ProductNotFound
from mock_backends.orders.products import ItemVariants, ProductView, VariantView, item_variants, product_view
from tools.args import OrderId
from tools.base import AnyRuntime, CallContext, ok, run_tool


def variant_summary(variant: VariantView) -> dict[str, Any]:
    return {"variant_id": variant.variant_id, "options": variant.options, "price": f"{variant.price_cents / 100:.2f}",
            "in_stock": variant.in_stock, "units_left": variant.stock}


def product_summary(product: ProductView) -> dict[str, Any]:
    return {"product_id": product.product_id, "name": product.name, "category": product.category,
            "final_sale": product.final_sale, "variants": [variant_summary(v) for v in product.variants]}


def item_summary(item: ItemVariants) -> dict[str, Any]:
    current = item.product.variant(item.variant_id)
    return {"order_item_id": item.order_item_id, "product": product_summary(item.product),
            "ordered_variant_id": item.variant_id, "ordered_options": current.options if current else {},
            "can_swap_for": [v.variant_id for v in item.alternatives]}


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
                ids = [order_item_id] if order_item_id else [
                    line.order_item_id
                    for line in repository.get_order_detail(session, ctx.customer_id, order_id).lines]
                items = [item_variants(session, ctx.customer_id, order_id, item_id) for item_id in ids]
                return ok(order_id=repository.normalize_order_id(order_id), items=[item_summary(i) for i in items])
            if product:
                return ok(product=product_summary(product_view(session, product)))
        raise ProductNotFound("Tell me the product's name, or the order (and item) you are asking about.")

    return run_tool(runtime, "get_product_details", body,
                    order_id=repository.normalize_order_id(order_id) if order_id else None,
                    audit_detail={"product": product} if product else None)
