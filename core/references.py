"""The shapes of the references customers quote and tools produce: order numbers, RMAs, tracking
numbers. One place, so the guided reader, the reply check and the language detector agree."""

from __future__ import annotations

import re

ORDER_NUMBER = re.compile(r"#?\bW\d{5,}\b", re.IGNORECASE)
RMA_NUMBER = re.compile(r"\bRMA-[0-9A-Z]{4,}\b", re.IGNORECASE)
TRACKING_NUMBER = re.compile(r"\b[A-Z]{2,3}\d{8,}\b")
EXCHANGE_NUMBER = re.compile(r"\bEXC-[0-9A-F]{4,}\b", re.IGNORECASE)
