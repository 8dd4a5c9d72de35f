"""The web app loads the return label from the carrier itself, shows it inline (never through Gradio's
file cache), and copes when it cannot."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator

import pytest
from PIL import Image
from sqlalchemy.engine import Engine

from core import languages
from core.settings import Settings
from tests.logistics.server import closed_port_url, running_carrier
from tools.deps import ToolDeps
from tools.return_label import ensure_return_label
from ui.gradio_label import label_html, label_png, label_result


@pytest.fixture
def carrier_settings(settings: Settings, engine: Engine) -> Iterator[Settings]:
    with running_carrier(settings.resolved_database_url) as url:
        yield settings.model_copy(update={"carrier_url": url})


def created_return(engine: Engine, settings: Settings) -> dict:
    from tests.logistics.test_carrier_service import make_return

    rma = make_return(engine)
    return {
        "ok": True,
        "rma": rma,
        **ensure_return_label(ToolDeps(engine=engine, settings=settings), rma=rma, customer_id="alice_chen_1001"),
    }


def test_the_label_image_is_the_carriers_png(carrier_settings: Settings, engine: Engine) -> None:
    created = created_return(engine, carrier_settings)
    png = label_png(carrier_settings, created)
    assert png is not None and Image.open(io.BytesIO(png)).size == (1200, 800)


def test_the_panel_shows_the_label_inline_with_the_signed_link_and_no_file_path(
    carrier_settings: Settings, engine: Engine
) -> None:
    created = created_return(engine, carrier_settings)
    panel = label_html(carrier_settings, created, "en")
    assert panel is not None
    [inline] = re.findall(r'src="data:image/png;base64,([^"]+)"', panel)
    # Outside the image's bytes: base64 of a PNG spells "/tmp" by chance in about one label of 250 (68k characters).
    markup = panel.replace(inline, "")
    assert "/gradio_api/file=" not in markup and "/tmp" not in markup
    assert Image.open(io.BytesIO(base64.b64decode(inline))).size == (1200, 800)
    assert f'href="{created["label"]["url"]}"' in panel and "/labels/" in created["label"]["url"]


def test_no_image_when_the_carrier_is_down_after_the_label_was_made(carrier_settings: Settings, engine: Engine) -> None:
    created = created_return(engine, carrier_settings)
    down = carrier_settings.model_copy(update={"carrier_url": closed_port_url(), "carrier_timeout_s": 0.5})
    assert label_html(down, created, "en") is None


def test_no_image_for_a_pending_label(settings: Settings) -> None:
    assert label_html(settings, {"ok": True, "rma": "RMA-1A2B3C4D", "label": {"status": "pending"}}, "en") is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("我的快递到哪了", "zh"),
        ("where is my parcel", "en"),
        ("#W1000012", "zh"),
        ("RMA-1A2B3C4D", "zh"),
        ("RD100000007", "zh"),
        ("12", "zh"),  # no words: the session's
    ],
)
def test_a_message_without_words_keeps_the_sessions_language(text: str, language: str) -> None:
    assert languages.detect(text, "zh") == language


def test_a_status_check_that_fetched_the_label_shows_its_image(carrier_settings: Settings, engine: Engine) -> None:
    created = created_return(engine, carrier_settings)
    status = {"ok": True, "rma": created["rma"], "status": "label_created", "label": created["label"]}
    chosen = label_result({"return_status": status, "order": {"ok": True}})
    assert chosen is status and label_png(carrier_settings, chosen) is not None
    assert label_result({"return_status": {"ok": False, "code": "return_not_found"}}) == {}
