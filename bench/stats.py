"""Percentiles and ratios for the bench table (statistics.quantiles, no numpy needed)."""

from __future__ import annotations

import statistics


def pct(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def ratio(ours: float, baseline: float) -> float:
    return round(ours / baseline, 2) if baseline else float("nan")
