"""The cards beside the chat say what the customer needs to know, in their language."""

from __future__ import annotations

from typing import Any

from ui.gradio_cards import side_panel
from ui.i18n import error_text

CREATED: dict[str, Any] = {
    "ok": True,
    "rma": "RMA-1A2B3C4D",
    "order_id": "#W1000001",
    "status": "label_created",
    "refund_method": "gift_card",
    "refund_amount": "89.99",
    "items": [{"order_item_id": 1, "quantity": 1}],
    "label": {"status": "created", "url": "http://carrier/labels/RR0000000001.png", "tracking_number": "RR0000000001"},
}
PENDING = CREATED | {"status": "requested", "label": {"status": "pending"}}
TRACKING: dict[str, Any] = {
    "ok": True,
    "order_id": "#W1000012",
    "order_status": "shipped",
    "parcels": [
        {
            "tracking_number": "RD100000007",
            "direction": "outbound",
            "carrier": "ReturnDesk Express",
            "status": "in_transit",
            "status_text": "运输中",
            "estimated_delivery": "2026-11-27",
            "events": [
                {
                    "at": "2026-11-24T12:47+00:00",
                    "status": "label_created",
                    "description": "已创建运单,等待揽收",
                    "location": None,
                },
                {
                    "at": "2026-11-25T06:47+00:00",
                    "status": "in_transit",
                    "description": "已离开芝加哥转运中心",
                    "location": "芝加哥",
                },
            ],
        }
    ],
}


def test_the_return_card_has_the_rma_the_refund_and_the_label_tracking_number() -> None:
    card = side_panel({"return": CREATED}, "en")
    assert "RMA-1A2B3C4D" in card and "$89.99 to your gift card" in card
    assert "Print this label" in card and "RR0000000001" in card


def test_a_pending_label_is_announced_as_following_later() -> None:
    card = side_panel({"return": PENDING}, "en")
    assert "RMA-1A2B3C4D" in card and "label will follow" in card and "Print this label" not in card
    assert "退货面单稍后提供" in side_panel({"return": PENDING}, "zh")


def test_a_label_whose_image_did_not_load_says_how_to_get_it() -> None:
    card = side_panel({"return": CREATED}, "en", label_loaded=False)
    assert "RR0000000001" in card and "could not be loaded" in card


def test_the_timeline_lists_the_scans_newest_first_with_time_place_and_what_happened() -> None:
    card = side_panel({"tracking": TRACKING}, "zh")
    assert "包裹 RD100000007" in card and "运输中" in card and "2026年11月27日" in card
    assert "| 时间（北京时间） | 地点 | 物流信息 |" in card
    # The carrier's UTC scans, in Beijing time (UTC+8): 06:47 UTC is 14:47, 12:47 UTC is 20:47.
    newest = card.index("2026年11月25日 14:47 | 芝加哥 | 已离开芝加哥转运中心")
    oldest = card.index("2026年11月24日 20:47")
    assert newest < oldest


def test_a_scan_late_in_the_utc_day_is_on_the_next_day_in_beijing() -> None:
    late = {
        **TRACKING,
        "parcels": [
            {
                **TRACKING["parcels"][0],
                "events": [
                    {"at": "2026-11-25T20:30+00:00", "status": "in_transit", "description": "运输中", "location": None}
                ],
            }
        ],
    }
    assert "| 2026年11月26日 04:30 |" in side_panel({"tracking": late}, "zh")
    assert "| Nov 25, 2026, 8:30\u202fPM |" in side_panel({"tracking": late}, "en")


def test_english_timelines_stay_in_utc_and_say_so() -> None:
    card = side_panel({"tracking": TRACKING}, "en")
    assert "| Time (UTC) |" in card and "| Nov 25, 2026, 6:47\u202fAM |" in card


def test_an_order_not_shipped_yet_says_there_is_nothing_to_track() -> None:
    card = side_panel({"tracking": {"ok": True, "order_id": "#W1000003", "parcels": []}}, "en")
    assert card == "Order #W1000003 has not shipped yet, so there is nothing to track."


def test_a_failed_tool_shows_no_card() -> None:
    assert side_panel({"tracking": {"ok": False, "error": {"code": "carrier_unavailable"}}}, "en") == ""


def test_refusals_are_shown_in_chinese_to_a_chinese_customer() -> None:
    assert error_text("sign_in_failed", "We couldn't verify those details.", "zh").startswith("登录失败")
    assert (
        error_text("sign_in_failed", "We couldn't verify those details.", "en") == "We couldn't verify those details."
    )


def test_a_status_check_that_fetched_the_label_shows_it_with_the_returns_status() -> None:
    status = CREATED | {"status_text": "waiting for you to send the parcel"}
    card = side_panel({"return_status": status}, "en")
    assert "Your return" in card and "waiting for you to send the parcel" in card
    assert "Print this label" in card and "RR0000000001" in card
    assert "等待您寄回包裹" in side_panel({"return_status": status}, "zh")


def test_a_cancelled_returns_card_says_its_label_is_void() -> None:
    cancelled = CREATED | {"status": "cancelled", "status_text": "cancelled", "label": {"status": "voided"}}
    card = side_panel({"return_status": cancelled}, "en")
    assert "label is void" in card and "Print this label" not in card


def test_a_parcel_already_sent_shows_no_label_line() -> None:
    sent = {k: v for k, v in CREATED.items() if k != "label"} | {"status": "in_transit", "status_text": "on its way"}
    card = side_panel({"return_status": sent}, "en")
    assert "on its way" in card and "Return label" not in card


ORDER: dict[str, Any] = {
    "ok": True,
    "order": {
        "order_id": "#W1000011",
        "status": "delivered",
        "ordered_at": "2026-11-19",
        "delivered_at": "2026-11-21",
        "total": "89.99",
        "currency": "USD",
        "items": [
            {
                "order_item_id": 11,
                "product": "无线耳机",
                "product_en": "Wireless Headphones",
                "quantity": 1,
                "unit_price": "89.99",
            }
        ],
    },
}


def test_the_order_card_shows_prices_with_their_currency_under_a_price_header() -> None:
    english = side_panel({"order": ORDER}, "en")
    assert "| Item | Qty | Price |" in english and "**Total:** $89.99" in english
    assert "**Ordered:** Nov 19, 2026" in english
    chinese = side_panel({"order": ORDER}, "zh")
    assert "| 商品 | 数量 | 单价 |" in chinese and "| 无线耳机 | 1 | US$89.99 |" in chinese
    assert "**状态：** 已签收" in chinese and "**下单日期：** 2026年11月19日" in chinese
    assert "**合计：** US$89.99" in chinese


def test_an_amount_in_another_currency_shows_that_currency() -> None:
    yuan = {"ok": True, "order": {**ORDER["order"], "currency": "CNY", "total": "159.00"}}
    assert "¥159.00" in side_panel({"order": yuan}, "zh")


def test_an_exchanges_status_shows_its_number_the_swap_and_the_replacement_not_a_return() -> None:
    exchange = {
        "ok": True,
        "exchange": "EXC-1A2B3C4D",
        "order_id": "#W1000042",
        "status": "label_created",
        "status_text": "等待您寄回旧商品；新商品已发出",
        "items": [{"product": "跑鞋", "quantity": 1, "old_options": {"size": "42"}, "new_options": {"size": "43"}}],
        "replacement_tracking": "RS0000000001",
    }
    card = side_panel({"return_status": exchange}, "zh")
    assert "您的换货" in card and "EXC-1A2B3C4D" in card and "size: 42 → size: 43" in card and "RS0000000001" in card
    assert "RMA" not in card and "None" not in card
