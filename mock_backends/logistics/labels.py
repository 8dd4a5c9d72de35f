"""The printable return label: a PNG with a Code128 barcode of the tracking number (python-barcode + Pillow)."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from barcode import Code128
from barcode.writer import ImageWriter
from PIL import Image, ImageDraw, ImageFont

from mock_backends.logistics.records import ReturnLabelFacts

WIDTH, HEIGHT, MARGIN = 1200, 800, 40  # a 6 x 4 inch label at 200 dpi
# Chinese names and addresses need a CJK font; the first one installed wins, else Pillow's default.
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)


def render_return_label(facts: ReturnLabelFacts) -> bytes:
    """The label as PNG bytes."""
    label = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(label)
    draw.rectangle((8, 8, WIDTH - 8, HEIGHT - 8), outline="black", width=4)
    draw.text((MARGIN, MARGIN), f"{facts.carrier}  -  RETURN", fill="black", font=_font(44))
    lines = (
        f"RMA {facts.rma}    Order {facts.order_id}",
        f"FROM: {facts.sender}, {facts.sender_address}",
        f"TO:   {facts.recipient_address}",
    )
    for row, text in enumerate(lines):
        draw.text((MARGIN, MARGIN + 80 + row * 48), text, fill="black", font=_font(30))
    code = _barcode(facts.tracking_number)
    code.thumbnail((WIDTH - 2 * MARGIN, HEIGHT - 330))
    label.paste(code, ((WIDTH - code.width) // 2, HEIGHT - MARGIN - code.height))
    out = io.BytesIO()
    label.save(out, format="PNG")
    return out.getvalue()


def _barcode(tracking_number: str) -> Image.Image:
    writer = ImageWriter(format="PNG", dpi=200)
    options = {"module_width": 0.5, "module_height": 25.0, "quiet_zone": 4.0, "font_size": 14, "text_distance": 6.0}
    return Code128(tracking_number, writer=writer).render(options)


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)
