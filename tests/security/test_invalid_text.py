"""A NUL character or a lone surrogate is refused at the door with 400 invalid_text, on both databases.

PostgreSQL cannot store NUL (it used to answer 500, psycopg.DataError) and no database can store an
unpaired surrogate (500 through the OpenAI route on a recorded session). Every /v1 operation with a
string in its path or body is found in the OpenAPI schema, so a new route is covered without a new
line here; the web app's handlers are found in its Gradio config the same way.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from core.settings import Settings
from mock_backends.orders.db import create_tables, make_engine
from mock_backends.orders.seed import seed_demo
from service.conversation import ConversationService
from tests.conftest import sign_in
from ui.server import create_app

BAD_TEXT = {"NUL": "ab\x00cd", "lone surrogate": "ab\ud800cd"}
# A URL carries UTF-8 bytes, percent-encoded; a surrogate has no UTF-8 form, and its WTF-8 bytes decode
# to U+FFFD on the server, so only NUL can reach a path parameter.
BAD_PATH_TEXT = {"NUL": "ab%00cd"}
VALID_PATH_VALUES = {"rma": "RMA-00000000"}


@dataclass
class Case:
    method: str
    path: str
    body: Any
    where: str  # what carries the bad text, for the report


@pytest.fixture
def app_on(database_url: str, settings: Settings, tmp_path) -> Iterator[tuple[TestClient, Any]]:
    """The real app on `database_url`, recording every session (the surrogate used to fail there)."""
    custom = settings.model_copy(
        update={"database_url": database_url, "record_dir": tmp_path / "recorded", "record_all": True}
    )
    engine = make_engine(custom.resolved_database_url)
    create_tables(engine)
    seed_demo(engine)
    with TestClient(create_app(custom, ConversationService(custom)), raise_server_exceptions=False) as client:
        yield client, engine
    engine.dispose()


def resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example_bodies(schema: dict[str, Any] | None, spec: dict[str, Any]) -> list[Any]:
    """The schema's own examples, else one body with every property set from its example or "x"."""
    if schema is None:
        return []
    schema = resolve(schema, spec)
    if schema.get("examples"):
        return [example for example in schema["examples"] if example]
    if "anyOf" in schema:
        return example_bodies(next(s for s in schema["anyOf"] if s.get("type") != "null"), spec)
    properties = schema.get("properties", {})
    return [
        {
            name: (prop.get("examples") or ["x"])[0]
            for name, prop in properties.items()
            if resolve(prop, spec).get("type") == "string" or prop.get("examples")
        }
    ]


def string_leaves(value: Any, where: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, str):
        yield where
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from string_leaves(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from string_leaves(item, (*where, index))


def replaced(body: Any, where: tuple[Any, ...], text: str) -> Any:
    body = copy.deepcopy(body)
    target = body
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = text
    return body


def cases(spec: dict[str, Any], session_id: str, kind: str) -> list[Case]:
    """One request per string path parameter and per string field of an example body, bad text in it."""
    found = []
    for template, operations in spec["paths"].items():
        for method, operation in operations.items():
            params = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            valid = {name: VALID_PATH_VALUES.get(name, session_id) for name in params}
            content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            bodies = example_bodies(content.get("schema"), spec) or [None]
            for name in params if kind in BAD_PATH_TEXT else []:
                found.append(
                    Case(
                        method.upper(),
                        template.format(**(valid | {name: BAD_PATH_TEXT[kind]})),
                        bodies[0],
                        f"path {{{name}}}",
                    )
                )
            for body in bodies:
                for where in string_leaves(body):
                    found.append(
                        Case(
                            method.upper(),
                            template.format(**valid),
                            replaced(body, where, BAD_TEXT[kind]),
                            "body " + ".".join(map(str, where)),
                        )
                    )
    return found


def row_counts(engine: Any) -> dict[str, int]:
    with Session(engine) as db:
        return {
            table.name: db.exec(select(func.count()).select_from(table)).one()
            for table in SQLModel.metadata.sorted_tables
        }


@pytest.mark.parametrize("kind", list(BAD_TEXT))
def test_every_api_string_refuses_nul_and_lone_surrogates(app_on, kind: str, subtests) -> None:
    client, engine = app_on
    session_id = sign_in(client)
    spec = client.get("/openapi.json").json()
    found = cases(spec, session_id, kind)
    where = {(case.path.replace(session_id, "{id}"), case.where) for case in found}
    assert {
        ("/v1/sessions", "body email"),
        ("/v1/chat/completions", "body messages.0.content"),
        ("/v1/sessions/{id}/feedback", "body comment"),
    } <= where, "the schema walk found the routes"
    if kind == "NUL":
        assert ("/labels/ab%00cd.png", "path {token}") in where
    before = row_counts(engine)
    for case in found:
        with subtests.test(f"{case.method} {case.path!r} ({case.where})"):
            body = None if case.body is None else json.dumps(case.body)  # \u escapes, as clients send them
            response = client.request(
                case.method, case.path, content=body, headers={"content-type": "application/json"}
            )
            assert response.status_code == 400, (response.status_code, response.text[:300])
            assert response.json()["error"]["code"] == "invalid_text"
    assert row_counts(engine) == before, "nothing was written: no session, audit row, feedback or return"
    assert client.get(f"/v1/sessions/{session_id}/messages").json() == []


def test_the_web_apps_handlers_refuse_nul_and_lone_surrogates(app_on, subtests) -> None:
    from bench.page_client import PageLayout

    client, engine = app_on
    layout = PageLayout.read(client.get("/config").json())
    text_inputs = {"textbox", "button", "radio"}
    handlers = [h for h in layout.handlers if any(layout.kind(c) in text_inputs for c in h.inputs)]
    assert len(handlers) >= 5, "sign-in by email and by name, send, Enter, language switch"
    quick_reply = layout.handler("chatbot", "option_select")  # its text is the event's data: the option chosen
    before = row_counts(engine)
    for handler in [*handlers, quick_reply]:
        for kind, text in BAD_TEXT.items():
            with subtests.test(f"#{layout.elem_id(handler.trigger_id)} ({handler.event}) with {kind}"):
                data = [text if layout.kind(c) in text_inputs else None for c in handler.inputs]
                body = {
                    "data": data,
                    "fn_index": handler.fn_index,
                    "trigger_id": handler.trigger_id,
                    "session_hash": "invalidtext",
                    "event_data": {"index": 0, "value": text} if handler is quick_reply else None,
                }
                response = client.post(
                    "/gradio_api/queue/join", content=json.dumps(body), headers={"content-type": "application/json"}
                )
                assert response.status_code == 400, (response.status_code, response.text[:300])
                assert response.json()["error"]["code"] == "invalid_text"
    assert row_counts(engine) == before


def test_a_valid_surrogate_pair_and_escaped_backslashes_are_ordinary_text(client: TestClient) -> None:
    session_id = sign_in(client)
    for text in ("a parcel \U0001f4e6 for me", "a path C:\\u0000 is just text"):
        response = client.post(
            f"/v1/sessions/{session_id}/messages",
            content=json.dumps({"text": text}),
            headers={"content-type": "application/json"},
        )
        assert response.status_code == 200, response.text[:300]
    assert [m["content"] for m in client.get(f"/v1/sessions/{session_id}/messages").json() if m["role"] == "user"] == [
        "a parcel \U0001f4e6 for me",
        "a path C:\\u0000 is just text",
    ]
