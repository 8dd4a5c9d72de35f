"""Dates and times as customers read them: in their language's time zone, formatted by Babel.

Everything is stored in UTC. A Chinese-speaking customer reads Beijing time (Asia/Shanghai); the
others UTC, rather than a guess at their zone. Tools give the model ISO dates already in the
customer's zone (`local_date`), so what the model repeats is what the side panel shows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date as babel_date
from babel.dates import format_datetime as babel_datetime
from babel.dates import get_timezone_name

from core import languages


def as_utc(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local(moment: datetime, lang: str | None) -> datetime:
    """`moment` on the clock of the customer's time zone."""
    language = languages.get(lang)
    if language.time_zone == "UTC":  # stored in UTC already: no conversion (on every eligibility check)
        return as_utc(moment)
    return as_utc(moment).astimezone(language.zone)


def local_date(moment: datetime, lang: str | None) -> date:
    """The calendar day `moment` falls on for the customer (UTC 20:00 on the 31st is the 1st in Beijing)."""
    return local(moment, lang).date()


def _parse(value: date | datetime | str) -> date | datetime | None:
    if not isinstance(value, str):
        return value
    try:
        return datetime.fromisoformat(value) if "T" in value or " " in value.strip() else date.fromisoformat(value)
    except ValueError:
        return None


def format_date(value: date | datetime | str | None, lang: str | None) -> str:
    """A day as the customer's locale writes it: "Jan 31, 2025", "2025年1月31日".

    A datetime is first moved to the customer's zone; a date (or "2025-01-31") is taken as it is.
    Text that is not a date comes back unchanged; None is ''."""
    language = languages.get(lang)
    if type(value) is datetime and language.time_zone == "UTC":  # the common case, kept short: see _day
        return _day(as_utc(value).date(), language.code)
    if value is None or value == "":
        return ""
    parsed = _parse(value)
    if parsed is None:
        return str(value)
    day = local_date(parsed, lang) if isinstance(parsed, datetime) else parsed
    return _day(day, language.code)


@lru_cache(maxsize=4096)
def _day(day: date, code: str) -> str:
    # Babel takes ~20 µs a date; eligibility explains two dates per item on every check.
    return babel_date(day, format="medium", locale=languages.get(code).babel_locale)


def time_zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone a browser reported ("America/Los_Angeles"), or None for anything else."""
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_name(zone: ZoneInfo, lang: str | None) -> str:
    """A zone as the customer's locale names it: "Pacific Time", "北美太平洋时间"; "UTC" for UTC."""
    if zone.key in ("UTC", "Etc/UTC"):
        return "UTC"
    return str(get_timezone_name(zone, "long", locale=languages.get(lang).babel_locale))


def format_datetime(value: datetime | str | None, lang: str | None, zone: ZoneInfo | None = None) -> str:
    """A moment on the customer's clock: "Jan 31, 2025, 10:00 AM" (UTC), "2025年1月31日 18:00" (Beijing).
    `zone`: the customer's own zone (their browser's), instead of their language's."""
    if value is None or value == "":
        return ""
    parsed = _parse(value)
    if not isinstance(parsed, datetime):
        return format_date(value, lang) if parsed is not None else str(value)
    locale = languages.get(lang).babel_locale
    pattern = (
        str(locale.datetime_formats["medium"])
        .replace("{1}", locale.date_formats["medium"].pattern)
        .replace("{0}", locale.time_formats["short"].pattern)
    )
    return babel_datetime(as_utc(parsed), format=pattern, tzinfo=zone or languages.get(lang).zone, locale=locale)
