"""What the command line does to the order database and the backends: seeding, row counts, the
carrier service, the tool catalogue. The CLI (`ui/cli*.py`) only prints; the work is here, so no
door reaches into `mock_backends/` or `tools/` itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from agent.guided_handlers import GUIDED_HANDLERS
from core.settings import Settings
from mock_backends.logistics.app import create_carrier_app
from mock_backends.logistics.faults import FaultConfig
from mock_backends.orders.db import SchemaOutdated, create_tables, drop_tables, is_database_busy, make_engine
from mock_backends.orders.generate import GenerationReport, SeedConflict, generate
from mock_backends.orders.models import SQLModel
from mock_backends.orders.seed import DEMO_CUSTOMERS, seed_demo
from mock_backends.orders.tau_bench import TauImportError, TauImportReport, import_tau_bench
from tools.registry import REGISTRY

__all__ = [
    "SchemaOutdated",
    "SeedRefused",
    "ToolRow",
    "carrier_app",
    "demo_accounts",
    "generate_customers",
    "import_tau",
    "is_database_busy",
    "open_database",
    "reset_database",
    "row_counts",
    "seed_demo_data",
    "tool_catalogue",
]

# The refusals a seed command reports in one line ("Nothing was written: ...") rather than a traceback.
SeedRefused = (SeedConflict, TauImportError, ValueError)


def open_database(settings: Settings) -> Engine:
    """The configured order database, its tables created (and upgraded) if needed."""
    engine = make_engine(settings.resolved_database_url)
    create_tables(engine)
    return engine


def seed_demo_data(settings: Settings) -> bool:
    """Create the tables and seed the demo customers and orders; False when customers existed already."""
    return seed_demo(open_database(settings))


def reset_database(settings: Settings) -> None:
    """Drop every table (all data is lost)."""
    drop_tables(make_engine(settings.resolved_database_url))


def generate_customers(
    settings: Settings,
    *,
    customers: int,
    seed: int,
    orders_per_customer: int,
    method: str,
    now: datetime,
    on_progress: Callable[[int], None],
) -> GenerationReport:
    return generate(
        open_database(settings),
        customers=customers,
        seed=seed,
        now=now,
        orders_per_customer=orders_per_customer,
        method=method,  # type: ignore[arg-type]  # checked by the CLI
        on_progress=on_progress,
    )


def import_tau(settings: Settings, directory: Path, *, method: str, now: datetime) -> TauImportReport:
    return import_tau_bench(open_database(settings), directory, now=now, method=method)  # type: ignore[arg-type]  # checked by the CLI


def row_counts(settings: Settings) -> dict[str, int]:
    engine = open_database(settings)
    with engine.connect() as conn:
        return {
            name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in SQLModel.metadata.tables.items()
        }


def demo_accounts() -> list[tuple[str, str]]:
    """(email, first order number) of each demo customer, for the demo's sign-in table."""
    return [(customer.email, customer.orders[0].order_id) for customer in DEMO_CUSTOMERS]


def carrier_app(settings: Settings) -> FastAPI:
    """The mock carrier service on the configured database, with the configured fault injection."""
    faults = FaultConfig(
        latency_ms=settings.carrier_fault_latency_ms,
        error_rate=settings.carrier_fault_error_rate,
        timeout_rate=settings.carrier_fault_timeout_rate,
        hang_s=settings.carrier_fault_hang_s,
    )
    return create_carrier_app(open_database(settings), faults, token=settings.carrier_token_value)


@dataclass(frozen=True)
class ToolRow:
    name: str
    sensitive: bool
    has_card: bool  # a confirmation card (preview): a sensitive tool without one is refused at registration
    has_guided: bool  # a guided-mode handler (agent/guided_handlers.py)
    label: str  # what the tool trace says, in English
    arguments: list[str]  # required ones end with "*"
    summary: str  # the first sentence of the model's description


def tool_catalogue() -> list[ToolRow]:
    """Every registered tool, as `returndesk tools` lists it."""
    rows = []
    for spec in REGISTRY:
        schema = spec.tool.tool_call_schema.model_json_schema()  # type: ignore[union-attr]  # always a v2 model here
        required = set(schema.get("required", []))
        first_sentence = " ".join(spec.tool.description.split()).split(". ")[0].removesuffix(".") + "."
        rows.append(
            ToolRow(
                spec.name,
                spec.sensitive,
                spec.preview is not None,
                spec.name in GUIDED_HANDLERS,
                spec.label_in("en"),
                [f"{name}{'*' if name in required else ''}" for name in schema.get("properties", {})],
                first_sentence,
            )
        )
    return rows
