"""A database made before the staff console: its hand-off tickets gain the new columns at start-up and
the console reads them."""

from __future__ import annotations

from sqlalchemy import inspect, text

from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.handoff import open_ticket
from mock_backends.orders.handoff_queue import list_tickets

NEW_COLUMNS = ("language", "claimed_by", "claimed_at", "closed_at", "closing_note")


def test_an_older_database_gains_the_ticket_columns_and_keeps_its_tickets(database_url: str) -> None:
    engine = make_engine(database_url)
    create_tables(engine)
    open_ticket(engine, customer_id=None, session_id="s-old", reason="customer_asked", summary="> help")
    with engine.begin() as conn:  # as the previous release made it
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP INDEX IF EXISTS ix_handoffticket_claimed_by"))
        for column in NEW_COLUMNS:
            conn.execute(text(f'ALTER TABLE handoffticket DROP COLUMN "{column}"'))
        for newer in ("assistdraft", "assistoverride", "feedbackreview"):  # agent-assist came later still
            conn.execute(text(f"DROP TABLE {newer}"))
        conn.execute(text("DROP TABLE staffsession"))
        conn.execute(text("DROP TABLE staffmember"))

    create_tables(engine)  # what `returndesk demo` / `serve` run at start-up

    assert set(NEW_COLUMNS) <= {c["name"] for c in inspect(engine).get_columns("handoffticket")}
    assert {"staffmember", "staffsession", "assistdraft", "assistoverride", "feedbackreview"} <= set(
        inspect(engine).get_table_names()
    )
    [old] = list_tickets(engine, ("open",))
    assert (old.reference, old.ticket.claimed_by, old.ticket.language) == ("HD-000001", None, None)
    engine.dispose()
