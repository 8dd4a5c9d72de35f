"""Which of an order's items the customer means, and how many: guided mode's reading of plain words.

Pure functions over the customer's text and the items of a `lookup_order` result. An item is named
by any of its names (`product`, in the customer's language, and `product_en`): by its words in a
script written with spaces, by its two-character parts in Han (Chinese names have no spaces).
"""

from __future__ import annotations

import re
from typing import Any

from agent.guided_text import EMAIL, ORDER_ID, TRACKING_NUMBER, keywords, mentions
from core.languages import SCRIPTS
from core.references import EXCHANGE_NUMBER, RMA_NUMBER

HAN = re.compile(f"[{SCRIPTS['Han']}]")
HAN_WORD = re.compile(f"[{SCRIPTS['Han']}]{{2,}}")


def choose_items(request: str, items: list[dict[str, Any]]) -> list[dict[str, int]] | None:
    """Items the customer named in `request`; every item if they said "all" or the order has one; else None (ask)."""
    request = _without_numbers(request)
    named = [i for i in items if names_item(request, i)]
    if not named and (mentions(request, "all_items") or (len(items) == 1 and not names_something_else(request, items))):
        named = items
    if not named:
        return None
    chosen = []
    for item in named:
        left = max(item["quantity"] - item["quantity_returned"], 1)
        wanted = quantity_for(request, item)
        chosen.append({"order_item_id": item["order_item_id"], "quantity": min(wanted, left) if wanted else left})
    return chosen


def item_names(item: dict[str, Any]) -> list[str]:
    """Every name the item goes by in the tool result: the customer's language's, then English."""
    return [str(name) for name in (item.get("product"), item.get("product_en")) if name]


def name_at(text: str, item: dict[str, Any]) -> int | None:
    """Where in `text` the customer names `item` (a name's words, or a Chinese name's two-character parts)."""
    lowered = text.lower()
    found = []
    for name in item_names(item):
        found += [lowered.find(_stem(w)) for w in name.lower().split() if len(w) > 3 and not HAN.search(w)]
        han = "".join(name.split())
        found += [text.find(han[i : i + 2]) for i in range(len(han) - 1) if HAN.search(han[i : i + 2])]
    found = [f for f in found if f >= 0]
    return min(found) if found else None


def names_item(text: str, item: dict[str, Any]) -> bool:
    return name_at(text, item) is not None


def quantity_for(text: str, item: dict[str, Any]) -> int | None:
    """The number the customer put before the item's name in the same clause: "1 USB-C cable", "一瓶精华液"."""
    at = name_at(text, item)
    if at is None:
        return None
    found = keywords()
    clause = found.clause_break.split(text[:at])[-1]
    match = found.quantity.search(clause)
    if match is None:
        return None
    word = match.group(0).lower()
    return int(word) if word.isdigit() else found.number_words.get(word)


def names_something_else(text: str, items: list[dict[str, Any]]) -> bool:
    """Whether the request holds words that are neither generic nor a name of one of these items."""
    text = _without_numbers(text)
    found = keywords()
    names = " ".join(" ".join(item_names(i)) for i in items).lower()
    words = [w.strip("'") for w in re.findall(r"[a-z][a-z'-]+", text.lower())]
    if any(len(w) > 3 and w not in found.generic_words and _stem(w) not in names for w in words):
        return True
    for item in items:
        for name in item_names(item):
            han = "".join(name.split())
            for i in range(len(han) - 1):
                if HAN.search(han[i : i + 2]):
                    text = text.replace(han[i : i + 2], " ")
    leftover = found.generic_fragments.sub(" ", text)
    return bool(HAN_WORD.search(leftover))


def _without_numbers(text: str) -> str:
    """The text without order, RMA and tracking numbers or emails (their digits are not quantities)."""
    for pattern in (EMAIL, RMA_NUMBER, EXCHANGE_NUMBER, ORDER_ID, TRACKING_NUMBER):
        text = pattern.sub(" ", text)
    return text


def _stem(word: str) -> str:
    return word[:-1] if word.endswith("s") else word
