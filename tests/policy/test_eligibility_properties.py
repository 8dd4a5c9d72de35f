"""Properties of the return policy (policy.yaml + evaluate_item + check_lines), over generated orders."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from mock_backends.orders.models import ORDER_STATUSES, Order
from mock_backends.orders.policy import ItemDecision, ItemFacts, evaluate_item, load_policy
from mock_backends.orders.repository import OrderDetail, OrderLine
from mock_backends.orders.returns import ReturnLine, check_lines

POLICY = load_policy()
CATEGORIES = [*POLICY.window_days_by_category, "garden"]  # "garden": no window of its own, the default applies
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))


@st.composite
def item_facts(draw: st.DrawFn, *, final_sale: bool | None = None) -> ItemFacts:
    quantity = draw(st.integers(1, 10))
    return ItemFacts(
        order_status=draw(st.sampled_from(ORDER_STATUSES)),
        delivered_at=draw(st.none() | moments),
        category=draw(st.sampled_from(CATEGORIES)),
        final_sale=draw(st.booleans()) if final_sale is None else final_sale,
        quantity=quantity,
        quantity_returned=draw(st.integers(0, quantity)),
    )


def decide(facts: ItemFacts, requested: int, now: datetime, damaged: bool) -> ItemDecision:
    return evaluate_item(POLICY, facts, requested_quantity=requested, now=now, damaged=damaged)


@given(item_facts(), st.integers(-1, 12), moments, st.booleans())
def test_an_item_is_returnable_exactly_when_every_rule_of_the_policy_allows_it(
    facts: ItemFacts, requested: int, now: datetime, damaged: bool
) -> None:
    window = timedelta(days=POLICY.window_days(facts.category, damaged))
    allowed = (
        facts.order_status in POLICY.returnable_statuses
        and facts.delivered_at is not None
        and now <= facts.delivered_at + window
        and (POLICY.final_sale_returnable or not facts.final_sale)
        and 1 <= requested <= facts.quantity - facts.quantity_returned
    )
    assert decide(facts, requested, now, damaged).eligible is allowed


@given(
    item_facts(),
    st.integers(1, 12),
    st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=3000)),
    st.booleans(),
)
def test_nothing_is_returnable_after_its_window(
    facts: ItemFacts, requested: int, late_by: timedelta, damaged: bool
) -> None:
    delivered = facts.delivered_at or datetime(2024, 1, 1, tzinfo=UTC)
    facts = replace(facts, delivered_at=delivered, order_status="delivered")
    now = delivered + timedelta(days=POLICY.window_days(facts.category, damaged)) + late_by
    decision = decide(facts, requested, now, damaged)
    assert not decision.eligible and decision.returnable_quantity == 0


@given(item_facts(final_sale=True), st.integers(-1, 12), moments, st.booleans())
def test_final_sale_is_never_returnable_not_even_damaged(
    facts: ItemFacts, requested: int, now: datetime, damaged: bool
) -> None:
    assert POLICY.final_sale_returnable is False  # the property below is the policy file's promise
    decision = decide(facts, requested, now, damaged)
    assert not decision.eligible and decision.returnable_quantity == 0


@given(item_facts(), st.integers(-1, 12), moments, st.booleans())
def test_never_more_than_bought_minus_already_returned(
    facts: ItemFacts, requested: int, now: datetime, damaged: bool
) -> None:
    remaining = facts.quantity - facts.quantity_returned
    decision = decide(facts, requested, now, damaged)
    assert 0 <= decision.returnable_quantity <= remaining
    if decision.eligible:
        assert 1 <= requested <= remaining


@st.composite
def orders_and_requests(draw: st.DrawFn) -> tuple[OrderDetail, list[ReturnLine], datetime, bool]:
    delivered = draw(moments)
    order = Order(
        id="#W9000001",
        customer_id="c",
        status=draw(st.sampled_from(ORDER_STATUSES)),
        created_at=delivered - timedelta(days=5),
        delivered_at=delivered,
    )
    lines = []
    for n in range(draw(st.integers(1, 6))):
        facts = draw(item_facts())
        lines.append(
            OrderLine(
                order_item_id=100 + n,
                variant_id=f"V{n}",
                product_name=f"Product {n}",
                category=facts.category,
                final_sale=facts.final_sale,
                quantity=facts.quantity,
                quantity_returned=facts.quantity_returned,
                unit_price_cents=draw(st.integers(0, 50000)),
            )
        )
    asked = draw(st.lists(st.sampled_from(lines), min_size=1, unique_by=lambda line: line.order_item_id))
    requests = [ReturnLine(line.order_item_id, draw(st.integers(0, 12))) for line in asked]
    now = delivered + draw(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=90)))
    return OrderDetail(order=order, lines=lines, tracking_numbers=[]), requests, now, draw(st.booleans())


@given(orders_and_requests(), st.randoms(use_true_random=False))
def test_decisions_do_not_depend_on_the_order_items_are_asked_in(case, random) -> None:
    detail, requests, now, damaged = case
    shuffled = random.sample(requests, len(requests))

    def by_item(asked: list[ReturnLine]) -> dict[int, dict]:
        return {d["order_item_id"]: d for d in check_lines(detail, asked, now=now, damaged=damaged)}

    assert by_item(shuffled) == by_item(requests)


@given(item_facts(), st.integers(0, 10), st.integers(1, 12), moments)
def test_exchanged_units_can_no_longer_be_returned(
    facts: ItemFacts, exchanged: int, requested: int, now: datetime
) -> None:
    exchanged = min(exchanged, facts.quantity - facts.quantity_returned)
    with_exchange = replace(facts, quantity_exchanged=exchanged)
    decision = decide(with_exchange, requested, now, False)
    if decision.eligible:
        assert requested <= facts.quantity - facts.quantity_returned - exchanged
    assert decision.returnable_quantity <= facts.quantity - facts.quantity_returned - exchanged
