"""Which of an order's items the customer means, and how many: guided mode's reading of plain words.

Pure functions over the customer's text and the items of a `lookup_order` result, in English and
Chinese (a Chinese product name is matched by its two-character parts).
"""

from __future__ import annotations

import re
from typing import Any

from agent.guided_text import (
    ALL_ITEMS, CJK, CLAUSE_BREAK, EMAIL, GENERIC_WORDS_EN, GENERIC_ZH, NUMBER_WORDS, ORDER_ID, QUANTITY, RMA_NUMBER,
    TRACKING_NUMBER, mentions,
)


def choose_items(request: str, items: list[dict[str, Any]]) -> list[dict[str, int]] | None:
    """Items the customer named in `request`; every item if they said "all" or the order has one; else None (ask)."""
    request = _without_numbers(request)
    named = [i for i in items if names_item(request, i)]
    if not named and (mentions(request, ALL_ITEMS)
                      or (len(items) == 1 and not names_something_else(request, items))):
        named = items
    if not named:
        return None
    chosen = []
    for item in named:
        left = max(item["quantity"] - item["quantity_returned"], 1)
        wanted = quantity_for(request, item)
        chosen.append({"order_item_id": item["order_item_id"], "quantity": min(wanted, left) if wanted else left})
    return chosen

def name_at(text: str, item: dict[str, Any]) -> int | None:
    """Where in `text` the customer names `item` (English words or a Chinese name's two-character parts)."""
    lowered = text.lower()
    found = [lowered.find(_stem(w)) for w in str(item["product"]).lower().split() if len(w) > 3]
    zh = "".join(str(item.get("product_zh") or "").split())
    found += [text.find(zh[i:i + 2]) for i in range(len(zh) - 1) if CJK.search(zh[i:i + 2])]
    found = [f for f in found if f >= 0]
    return min(found) if found else None

def names_item(text: str, item: dict[str, Any]) -> bool:
    return name_at(text, item) is not None

def quantity_for(text: str, item: dict[str, Any]) -> int | None:
    """The number the customer put before the item's name in the same clause: "1 USB-C cable", "一瓶精华液"."""
    at = name_at(text, item)
    if at is None:
        return None
    clause = CLAUSE_BREAK.split(text[:at])[-1]
    match = QUANTITY.search(clause)
    if match is None:
        return None
    word = match.group(0).lower()
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word)

def names_something_else(text: str, items: list[dict[str, Any]]) -> bool:
    """Whether the request holds words that are neither generic nor a name of one of these items."""
    text = _without_numbers(text)
    names = " ".join(f"{i['product']} {i.get('product_zh') or ''}" for i in items).lower()
    words = [w.strip("'") for w in re.findall(r"[a-z][a-z'-]+", text.lower())]
    if any(len(w) > 3 and w not in GENERIC_WORDS_EN and _stem(w) not in names for w in words):
        return True
    for name in items:
        zh = "".join(str(name.get("product_zh") or "").split())
        for i in range(len(zh) - 1):
            text = text.replace(zh[i:i + 2], " ")
    leftover = GENERIC_ZH.sub(" ", text)
    return bool(re.search(r"[\u4e00-\u9fff]{2,}", leftover))


def _without_numbers(text: str) -> str:
    """The text without order, RMA and tracking numbers or emails (their digits are not quantities)."""
    for pattern in (EMAIL, RMA_NUMBER, ORDER_ID, TRACKING_NUMBER):
        text = pattern.sub(" ", text)
    return text


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") else word
