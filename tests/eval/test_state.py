"""The canonical dump: blind to what differs between runs (RMA numbers, new rows' ids and times), not to state."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from mock_backends.orders.models import PaymentMethod
from mock_backends.orders.returns import ReturnLine, create_return
from qa.eval.state import canonical_state, diff_states
from qa.eval.task_format import WorldSpec
from qa.eval.world import Templates, cloned_engine


def return_headphones(engine, key: str) -> str:
    return create_return(
        engine,
        customer_id="alice_chen_1001",
        order_id="#W1000001",
        lines=[ReturnLine(1, 1)],
        refund_method="original_payment",
        reason=f"reason {key}",
        idempotency_key=key,
    ).rma


def test_the_same_return_made_twice_gives_the_same_state_whatever_its_rma_and_reason(
    templates: Templates, tmp_path: Path
) -> None:
    template = templates.path_for(WorldSpec())
    with cloned_engine(template, tmp_path / "a.db") as a, cloned_engine(template, tmp_path / "b.db") as b:
        first, second = return_headphones(a, "one"), return_headphones(b, "two")
        assert first != second
        assert diff_states(canonical_state(a), canonical_state(b)) == []


def test_a_change_nobody_asked_for_is_found_in_any_table(templates: Templates, tmp_path: Path) -> None:
    with cloned_engine(templates.path_for(WorldSpec()), tmp_path / "a.db") as engine:
        before = canonical_state(engine)
        with Session(engine) as db:
            card = db.get(PaymentMethod, "gift_card_alice_chen_1001")
            assert card is not None
            card.balance_cents = (card.balance_cents or 0) + 100_000
            db.add(card)
            db.commit()

        differences = diff_states(before, canonical_state(engine))

    assert [d.describe("before", "after") for d in differences] == [
        "paymentmethod gift_card_alice_chen_1001: balance_cents: before 2500, after 102500"
    ]


def test_a_new_return_shows_as_a_new_row_and_the_quantity_it_reserved(templates: Templates, tmp_path: Path) -> None:
    with cloned_engine(templates.path_for(WorldSpec()), tmp_path / "a.db") as engine:
        before = canonical_state(engine)
        return_headphones(engine, "k")
        lines = [d.describe("before", "after") for d in diff_states(before, canonical_state(engine))]

    assert lines[0] == "orderitem #W1000001/P-HEADPHONES-STD: quantity_returned: before 0, after 1"
    # The order records its latest after-sales request (tau-bench's "return requested").
    assert lines[1] == "orders #W1000001: status: before 'delivered', after 'return_requested'"
    assert lines[2].startswith("returnrequest: only in after: {") and "'refund_amount_cents': 8999" in lines[2]
    assert len(lines) == 3
