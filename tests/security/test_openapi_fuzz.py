"""Schemathesis fuzzes every /v1 operation from the OpenAPI schema: no input may produce a 5xx.

Bounded (a few examples per operation) so it stays a fast CI test. Path session ids are replaced
by a real signed-in session so bodies reach the conversation, not just the 404.

The app is built at import (on a throwaway SQLite directory) rather than in a fixture:
`schemathesis.pytest.from_fixture` 4.32 reads `request.node._nodeid`, which pytest 9 removed.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from core.settings import Settings
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.seed import seed_demo
from service.conversation import ConversationService
from tests.conftest import sign_in
from ui.server import create_app

_DATA_DIR = Path(tempfile.mkdtemp(prefix="returndesk-fuzz-"))


def _fuzzed_app() -> FastAPI:
    app_settings = Settings(data_dir=_DATA_DIR, _env_file=None)  # type: ignore[call-arg]
    engine = make_engine(app_settings.resolved_database_url)
    create_tables(engine)
    seed_demo(engine)
    return create_app(app_settings, ConversationService(app_settings))


APP = _fuzzed_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).include(path_regex="^/v1/")


@pytest.fixture(scope="module", autouse=True)
def _remove_data_dir():
    yield
    shutil.rmtree(_DATA_DIR, ignore_errors=True)


@pytest.fixture(scope="module")
def real_session() -> str:
    with TestClient(APP) as client:
        return sign_in(client)


BOUNDED = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _in_real_session(case, session_id: str):
    if case.path_parameters and "session_id" in case.path_parameters:
        case.path_parameters["session_id"] = session_id
    return case


@schema.parametrize()
@BOUNDED
def test_no_generated_request_gets_a_server_error(case, real_session: str) -> None:
    _in_real_session(case, real_session).call_and_validate(checks=[not_a_server_error, status_code_conformance])


@schema.parametrize()
@BOUNDED
def test_every_response_matches_the_documented_schema(case, real_session: str) -> None:
    _in_real_session(case, real_session).call_and_validate(checks=[response_schema_conformance])
