"""The generated shop's catalogue: products with English and Chinese names, some final sale, variants
with options (size, colour, ...) and stock.

Categories are the policy's (electronics 15 days, beauty 14, the rest 30), so every window occurs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from mock_backends.orders.localized import name_rows

# id, name, name_zh, category, final_sale, price in cents, variant options (one variant per entry)
CATALOGUE: tuple[tuple[str, str, str, str, bool, int, tuple[dict[str, str], ...]], ...] = (
    (
        "G-EARBUDS",
        "Wireless Earbuds",
        "无线耳机",
        "electronics",
        False,
        12900,
        ({"color": "white"}, {"color": "black"}),
    ),
    (
        "G-CHARGER",
        "Portable Charger",
        "移动电源",
        "electronics",
        False,
        3999,
        ({"capacity": "10000mAh"}, {"capacity": "20000mAh"}),
    ),
    (
        "G-KEYBOARD",
        "Mechanical Keyboard",
        "机械键盘",
        "electronics",
        False,
        8900,
        ({"switch": "red"}, {"switch": "brown"}),
    ),
    ("G-SPEAKER", "Bluetooth Speaker", "蓝牙音箱", "electronics", False, 5900, ({"color": "blue"},)),
    ("G-WATCH", "Smart Watch", "智能手表", "electronics", False, 19900, ({"size": "41mm"}, {"size": "45mm"})),
    ("G-EREADER", "E-Reader (Open Box)", "电子阅读器(开箱品)", "electronics", True, 7900, ({},)),
    ("G-HOODIE", "Fleece Hoodie", "抓绒连帽衫", "clothing", False, 4900, ({"size": "S"}, {"size": "M"}, {"size": "L"})),
    ("G-JEANS", "Slim Jeans", "修身牛仔裤", "clothing", False, 5900, ({"size": "30"}, {"size": "32"}, {"size": "34"})),
    (
        "G-SNEAKERS",
        "Canvas Sneakers",
        "帆布鞋",
        "clothing",
        False,
        6500,
        ({"size": "40"}, {"size": "42"}, {"size": "44"}),
    ),
    ("G-SCARF", "Silk Scarf (Clearance)", "真丝围巾(清仓)", "clothing", True, 2500, ({"color": "red"},)),
    ("G-SWIMSUIT", "Swimsuit (Final Sale)", "泳衣(特价不退)", "clothing", True, 3200, ({"size": "M"},)),
    ("G-PILLOW", "Memory Foam Pillow", "记忆棉枕头", "home", False, 3900, ({},)),
    ("G-PAN", "Non-stick Frying Pan", "不粘煎锅", "home", False, 2999, ({"size": "28cm"},)),
    ("G-BLENDER", "Blender", "搅拌机", "home", False, 6900, ({"color": "silver"},)),
    ("G-CANDLE", "Scented Candle Set (Clearance)", "香薰蜡烛套装(清仓)", "home", True, 1500, ({},)),
    ("G-BACKPACK", "Hiking Backpack", "登山背包", "outdoor", False, 8900, ({"volume": "30L"}, {"volume": "45L"})),
    ("G-BOTTLE", "Insulated Water Bottle", "保温水壶", "outdoor", False, 2500, ({"capacity": "750ml"},)),
    ("G-YOGAMAT", "Yoga Mat", "瑜伽垫", "outdoor", False, 3500, ({"color": "green"}, {"color": "purple"})),
    ("G-LIPSTICK", "Lipstick", "口红", "beauty", False, 2800, ({"shade": "rose"}, {"shade": "coral"})),
    ("G-CREAM", "Moisturising Cream", "保湿面霜", "beauty", False, 3600, ({},)),
    ("G-PERFUME", "Perfume Sample Set (Final Sale)", "香水小样套装(特价不退)", "beauty", True, 1900, ({},)),
)


# Units in stock per variant: a few fixed cases the agent must handle, the rest spread over 5..44.
STOCK_CASES = {
    "G-HOODIE-3": 1,  # the last unit: two customers exchanging for it, one wins
    "G-JEANS-3": 0,
}  # out of stock: an exchange or item change to it is refused


def stock_of(variant_id: str, index: int) -> int:
    return STOCK_CASES.get(variant_id, 5 + index * 7 % 40)


@dataclass(frozen=True)
class Offer:
    """A purchasable variant, as the order generator sees it."""

    variant_id: str
    price_cents: int
    final_sale: bool


def catalogue_rows() -> tuple[list[dict], list[dict], list[dict]]:
    """Product rows, variant rows and product-name rows (the names other than English), ready for bulk insert."""
    products: list[dict] = []
    variants: list[dict] = []
    names: list[dict] = []
    for product_id, name, name_zh, category, final_sale, price, options in CATALOGUE:
        products.append({"id": product_id, "name": name, "category": category, "final_sale": final_sale})
        names += name_rows(product_id, {"zh": name_zh})
        for n, option in enumerate(options, start=1):
            variant_id = f"{product_id}-{n}"
            variants.append(
                {
                    "id": variant_id,
                    "product_id": product_id,
                    "price_cents": price + 100 * (n - 1),
                    "options": json.dumps(option, ensure_ascii=False, sort_keys=True),
                    "available": True,
                    "stock": stock_of(variant_id, len(variants)),
                }
            )
    return products, variants, names


def offers() -> tuple[list[Offer], list[Offer]]:
    """(returnable offers, final-sale offers)."""
    final_sale = {p[0]: p[4] for p in CATALOGUE}
    _products, variants, _names = catalogue_rows()
    all_offers = [Offer(v["id"], v["price_cents"], final_sale[v["product_id"]]) for v in variants]
    return [o for o in all_offers if not o.final_sale], [o for o in all_offers if o.final_sale]
