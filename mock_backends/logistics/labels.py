"""The printable return label: a PNG with a Code128 barcode of the tracking number (python-barcode + Pillow)."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from core.messages import t
from mock_backends.logistics.records import ReturnLabelFacts

WIDTH, HEIGHT, MARGIN = 1200, 800, 40  # a 6 x 4 inch label at 200 dpi
# Chinese names and addresses need a CJK font; the first one installed wins, else Pillow's default.
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)


def label_lines(facts: ReturnLabelFacts) -> tuple[str, ...]:
    """The label's text, title first, in the sender's language (catalogue keys `label.*`)."""
    lang = facts.language
    items = t("list_separator", lang).join(
        t("card.item", lang, product=name, quantity=quantity) for name, quantity in facts.items
    )
    lines = (
        t("label.title", lang, carrier=facts.carrier),
        t("label.reference", lang, rma=facts.rma, order=facts.order_id),
        t("label.sender", lang, name=facts.sender, address=facts.sender_address),
        t("label.recipient", lang, address=facts.recipient_address),
    )
    return (*lines, t("label.items", lang, items=items)) if items else lines


def render_return_label(facts: ReturnLabelFacts) -> bytes:
    """The label as PNG bytes."""
    label = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(label)
    draw.rectangle((8, 8, WIDTH - 8, HEIGHT - 8), outline="black", width=4)
    title, *lines = label_lines(facts)
    draw.text((MARGIN, MARGIN), title, fill="black", font=_font(44))
    for row, text in enumerate(lines):
        draw.text((MARGIN, MARGIN + 80 + row * 48), _fit(draw, text), fill="black", font=_font(30))
    code = _barcode(facts.tracking_number)
    code.thumbnail((WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN - 80 - len(lines) * 48 - 20))
    label.paste(code, ((WIDTH - code.width) // 2, HEIGHT - MARGIN - code.height))
    out = io.BytesIO()
    label.save(out, format="PNG")
    return out.getvalue()


def _fit(draw: ImageDraw.ImageDraw, text: str) -> str:
    """`text`, cut with an ellipsis where it would run off the label (a long list of items)."""
    if draw.textlength(text, font=_font(30)) <= WIDTH - 2 * MARGIN:
        return text
    while text and draw.textlength(text + "…", font=_font(30)) > WIDTH - 2 * MARGIN:
        text = text[:-1]
    return text + "…"


def _barcode(tracking_number: str) -> Image.Image:
    # Imported on the first label: python-barcode's import is a third of a second of every carrier start.
    from barcode import Code128
    from barcode.writer import ImageWriter

    writer = ImageWriter(format="PNG", dpi=200)
    options = {"module_width": 0.5, "module_height": 25.0, "quiet_zone": 4.0, "font_size": 14, "text_distance": 6.0}
    return Code128(tracking_number, writer=writer).render(options)


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in CJK_FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)
