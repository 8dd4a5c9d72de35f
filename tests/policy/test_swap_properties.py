"""Properties of the swap rules shared by exchanges and item changes (mock_backends/orders/swaps.py),
of the gift-card rule, and of taking stock in the database: never below zero, whatever the sequence."""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.errors import OutOfStock
from mock_backends.orders.models import Product, Variant
from mock_backends.orders.products import put_back_stock, take_stock
from mock_backends.orders.swaps import (
    SwapReason,
    SwapRequest,
    VariantFacts,
    check_swaps,
    covers,
    line_difference,
    price_difference,
)

PRODUCTS = ("P-A", "P-B")
prices = st.integers(0, 50_000)


@st.composite
def variants(draw: st.DrawFn) -> VariantFacts:
    product = draw(st.sampled_from(PRODUCTS))
    return VariantFacts(
        variant_id=f"{product}-{draw(st.integers(1, 3))}",
        product_id=product,
        price_cents=draw(prices),
        available=draw(st.booleans()),
        stock=draw(st.none() | st.integers(0, 4)),
    )


@st.composite
def requests(draw: st.DrawFn) -> SwapRequest:
    """A line of product P-A with its current variant P-A-1, asking for some (maybe unknown) variant."""
    remaining = draw(st.integers(0, 4))
    return SwapRequest(
        order_item_id=draw(st.integers(1, 10**6)),
        product_id="P-A",
        variant_id="P-A-1",
        unit_price_cents=draw(prices),
        remaining=remaining,
        quantity=draw(st.integers(-1, 5)),
        new=draw(st.none() | variants()),
    )


def consistent(batch: list[SwapRequest]) -> list[SwapRequest]:
    """One catalogue: every request naming a variant id sees the same facts for it."""
    facts: dict[str, VariantFacts] = {}
    for r in batch:
        if r.new is not None:
            facts.setdefault(r.new.variant_id, r.new)
    return [replace(r, new=facts[r.new.variant_id]) if r.new is not None else r for r in batch]


@given(st.lists(requests(), min_size=1, max_size=6).map(consistent))
def test_a_swap_is_allowed_exactly_when_every_rule_allows_it(batch: list[SwapRequest]) -> None:
    demand: dict[str, int] = {}
    for r in batch:
        if r.new is not None and r.quantity > 0:
            demand[r.new.variant_id] = demand.get(r.new.variant_id, 0) + r.quantity
    for r, reason in zip(batch, check_swaps(batch), strict=True):
        allowed = (
            r.new is not None
            and r.new.product_id == r.product_id
            and r.new.variant_id != r.variant_id
            and 1 <= r.quantity <= r.remaining
            and r.new.available
            and (r.new.stock is None or r.new.stock >= demand[r.new.variant_id])
        )
        assert (reason == SwapReason.OK) is allowed, (r, reason)


@given(st.lists(requests(), min_size=1, max_size=6).map(consistent))
def test_allowed_swaps_never_ask_more_of_a_variant_than_it_has_in_stock(batch: list[SwapRequest]) -> None:
    taken: dict[str, int] = {}
    for r, reason in zip(batch, check_swaps(batch), strict=True):
        if reason == SwapReason.OK and r.new is not None and r.new.stock is not None:
            taken[r.new.variant_id] = taken.get(r.new.variant_id, 0) + r.quantity
            assert taken[r.new.variant_id] <= r.new.stock


@given(st.lists(st.tuples(prices, prices, st.integers(1, 9)), min_size=1, max_size=8))
def test_the_price_difference_is_what_the_new_variants_cost_more_than_what_was_paid(
    lines: list[tuple[int, int, int]],
) -> None:
    batch = [
        SwapRequest(
            order_item_id=n,
            product_id="P-A",
            variant_id="P-A-1",
            unit_price_cents=paid,
            remaining=9,
            quantity=quantity,
            new=VariantFacts("P-A-2", "P-A", new_price, True, None),
        )
        for n, (paid, new_price, quantity) in enumerate(lines)
    ]
    back = [
        replace(
            r,
            variant_id="P-A-2",
            unit_price_cents=r.new.price_cents,  # type: ignore[union-attr]
            new=VariantFacts("P-A-1", "P-A", r.unit_price_cents, True, None),
        )
        for r in batch
    ]

    assert price_difference(batch) == sum((new - paid) * q for paid, new, q in lines)
    assert price_difference(batch) + price_difference(back) == 0  # swapping back settles exactly
    assert all((line_difference(r) > 0) == (r.new.price_cents > r.unit_price_cents) for r in batch)  # type: ignore[union-attr]


@given(
    st.sampled_from(["credit_card", "paypal", "gift_card"]),
    st.none() | st.integers(0, 10_000),
    st.integers(-10_000, 10_000),
)
def test_only_a_gift_card_can_fall_short_and_only_of_a_charge(kind: str, balance: int | None, amount: int) -> None:
    expected = amount <= 0 or kind != "gift_card" or (balance or 0) >= amount
    assert covers(kind, balance, amount) is expected


@cache
def stock_engine() -> Engine:
    engine = make_engine("sqlite://")
    create_tables(engine)
    with Session(engine) as session:
        session.add(Product(id="P-A", name="A", category="home"))
        session.flush()
        session.add(Variant(id="P-A-1", product_id="P-A", price_cents=100, stock=0))
        session.commit()
    return engine


@settings(deadline=None)  # a real database: its first example creates it, and the machine is shared
@given(st.integers(0, 5), st.lists(st.tuples(st.booleans(), st.integers(1, 4)), max_size=12))
def test_taking_and_putting_back_stock_never_goes_below_zero_and_counts_every_unit(
    initial: int,
    moves: list[tuple[bool, int]],
) -> None:
    engine = stock_engine()
    with Session(engine) as session:
        session.execute(text("UPDATE variant SET stock = :n WHERE id = 'P-A-1'"), {"n": initial})
        session.commit()
        expected = initial
        for take, quantity in moves:
            if take:
                try:
                    take_stock(session, "P-A-1", quantity)
                    expected -= quantity
                except OutOfStock:
                    assert expected < quantity  # refused only when there really were too few
            else:
                put_back_stock(session, "P-A-1", quantity)
                expected += quantity
            now = session.execute(text("SELECT stock FROM variant WHERE id = 'P-A-1'")).scalar_one()
            assert now == expected >= 0
        session.rollback()
