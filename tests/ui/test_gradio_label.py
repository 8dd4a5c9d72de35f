"""The web app loads the return label from the carrier itself, and copes when it cannot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from agent.settings import Settings
from tests.logistics.server import closed_port_url, running_carrier
from tools.return_label import ensure_return_label
from tools.deps import ToolDeps
from core.languages import detect
from ui.gradio_label import label_image, label_result


@pytest.fixture
def carrier_settings(settings: Settings, engine: Engine) -> Iterator[Settings]:
    with running_carrier(settings.resolved_database_url) as url:
        yield settings.model_copy(update={"carrier_url": url})


def created_return(engine: Engine, settings: Settings) -> dict:
    from tests.logistics.test_carrier_service import make_return

    rma = make_return(engine)
    return {"ok": True, "rma": rma, **ensure_return_label(ToolDeps(engine=engine, settings=settings), rma=rma)}


def test_the_label_image_is_the_carriers_png(carrier_settings: Settings, engine: Engine) -> None:
    created = created_return(engine, carrier_settings)
    image = label_image(carrier_settings, created)
    assert image is not None and image.format == "PNG" and image.size == (1200, 800)


def test_no_image_when_the_carrier_is_down_after_the_label_was_made(carrier_settings: Settings,
                                                                     engine: Engine) -> None:
    created = created_return(engine, carrier_settings)
    down = carrier_settings.model_copy(update={"carrier_url": closed_port_url(), "carrier_timeout_s": 0.5})
    assert label_image(down, created) is None


def test_no_image_for_a_pending_label(settings: Settings) -> None:
    assert label_image(settings, {"ok": True, "rma": "RMA-1A2B3C4D", "label": {"status": "pending"}}) is None


@pytest.mark.parametrize(("text", "language"), [
    ("我的快递到哪了", "zh"), ("where is my parcel", "en"),
    ("#W1000012", "zh"), ("RMA-1A2B3C4D", "zh"), ("RD100000007", "zh"), ("12", "zh"),  # no words: the session's
])
def test_a_message_without_words_keeps_the_sessions_language(text: str, language: str) -> None:
    assert detect(text, "zh") == language


def test_a_status_check_that_fetched_the_label_shows_its_image(carrier_settings: Settings, engine: Engine) -> None:
    created = created_return(engine, carrier_settings)
    status = {"ok": True, "rma": created["rma"], "status": "label_created", "label": created["label"]}
    chosen = label_result({"get_return_status": status, "lookup_order": {"ok": True}})
    image = label_image(carrier_settings, chosen)
    assert chosen is status and image is not None and image.format == "PNG"
    assert label_result({"get_return_status": {"ok": False, "code": "return_not_found"}}) == {}
