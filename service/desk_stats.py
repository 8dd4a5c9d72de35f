"""The lead's dashboard: conversations per day, containment and hand-off rates, hand-off reasons,
returns created, thumbs-down rate and the median time to a staff member's first reply."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from mock_backends.orders.assist_drafts import draft_rows
from mock_backends.orders.desk_stats import period_rows

DAYS = 14


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def desk_stats(engine: Engine, now: datetime, days: int = DAYS) -> dict[str, Any]:
    """The dashboard's figures for the last `days` days (today included), as plain data."""
    first_day = (_utc(now) - timedelta(days=days - 1)).date()
    since = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
    rows = period_rows(engine, since)
    day_list = [first_day + timedelta(days=i) for i in range(days)]

    def per_day(moments: list[datetime]) -> list[dict[str, Any]]:
        counts = Counter(_utc(m).date() for m in moments)
        return [{"day": d.isoformat(), "count": counts.get(d, 0)} for d in day_list]

    handed_off = {sid for sid, *_ in rows.tickets if sid}
    sessions = len(rows.sessions)
    down = rows.ratings.count("down")
    return {
        "days": days,
        "since": first_day.isoformat(),
        "conversations_per_day": per_day([started for _, started in rows.sessions]),
        "handoffs_per_day": per_day([opened for _, opened, _, _ in rows.tickets]),
        "returns_per_day": per_day(list(rows.returns)),
        "conversations": sessions,
        "handoff_rate": _share(len(handed_off), sessions),
        "containment_rate": _share(sessions - len(handed_off), sessions),
        "handoff_reasons": Counter(
            reason.partition(":")[0] or "unknown" for _, _, reason, _ in rows.tickets
        ).most_common(),
        "returns_created": len(rows.returns),
        "ratings": len(rows.ratings),
        "thumbs_down_rate": _share(down, len(rows.ratings)),
        "median_first_response_s": _median_first_response(rows.tickets, rows.staff_replies),
        "drafts": draft_stats(engine, since, now),
    }


def draft_stats(engine: Engine, since: datetime, now: datetime) -> dict[str, Any]:
    """Agent-assist: drafts waiting now, how long drafts waited for a decision (median, seconds; the
    waiting ones count until now), how often approved answers were edited, and the decisions."""
    rows = draft_rows(engine, since)
    counts = Counter(d.status for d in rows)
    waits = [((_utc(d.decided_at) if d.decided_at else _utc(now)) - _utc(d.created_at)).total_seconds() for d in rows]
    let_through = counts["approved"] + counts["edited"]
    return {
        "waiting": counts["pending"],
        "median_wait_s": round(statistics.median(waits), 1) if waits else None,
        "edit_rate": _share(counts["edited"], let_through),
        "approved": counts["approved"],
        "edited": counts["edited"],
        "rejected": counts["rejected"],
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _median_first_response(
    tickets: list[tuple[str | None, datetime, str, datetime | None]], replies: list[tuple[str | None, datetime]]
) -> float | None:
    """From the ticket opening to the first staff reply in that conversation after it."""
    by_session: dict[str, list[datetime]] = {}
    for sid, at in replies:
        if sid:
            by_session.setdefault(sid, []).append(_utc(at))
    waits = []
    for sid, opened, _, _ in tickets:
        later = [at for at in by_session.get(sid or "", []) if at >= _utc(opened)]
        if later:
            waits.append((min(later) - _utc(opened)).total_seconds())
    return round(statistics.median(waits), 1) if waits else None


def day_label(day: str) -> str:
    return date.fromisoformat(day).strftime("%d %b")
