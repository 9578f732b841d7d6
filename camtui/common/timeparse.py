"""Times and days as people type them ("in 2 hours", "18:00", "tomorrow 9:00", "fri", "+2"), and the common
Japanese forms ("18時", "18時30分", "午後6時", "明日18時", "明日 9:00", "2時間後", "30分後"; full-width digits too).

Used by the dashboard and the scripting verbs alike. Every failure is a `ValueError` whose message is one
human line saying what was not understood and what would be.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_UNITS: dict[str, str] = {}
for _unit, _names in {
    "seconds": ("s", "sec", "secs", "second", "seconds", "秒"),
    "minutes": ("m", "min", "mins", "minute", "minutes", "分"),
    "hours": ("h", "hr", "hrs", "hour", "hours", "時間"),
    "days": ("d", "day", "days", "日"),
    "weeks": ("w", "wk", "wks", "week", "weeks", "週間"),
}.items():
    for _name in _names:
        _UNITS[_name] = _unit

_NUMBER, _UNIT = r"\d+(?:\.\d+)?", r"[a-z]+|秒|分|時間|日|週間"
_DURATION_PART = re.compile(rf"({_NUMBER})\s*({_UNIT})")
_DURATION = re.compile(rf"^(?:(?:{_NUMBER})\s*(?:{_UNIT})\s*(?:and\s+|,\s*)?)+$")
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_JA_CLOCK_TEXT = r"(?:午前|午後)?\s*\d{1,2}時(?:\s*\d{1,2}分|半)?"
_JA_CLOCK = re.compile(r"^(午前|午後)?\s*(\d{1,2})時(?:\s*(\d{1,2})分|(半))?$")
_DAY_THEN_CLOCK = re.compile(rf"^(.+?)\s*((?:{_JA_CLOCK_TEXT})|(?:\d{{1,2}}:\d{{2}}))$")
"""A day and a time with or without a space between: "明日18時", "明日9:00", "金曜18時半", "12月5日 18時"."""
_WEEKDAYS = {
    "mon": 0, "monday": 0, "月": 0, "月曜": 0, "月曜日": 0,
    "tue": 1, "tues": 1, "tuesday": 1, "火": 1, "火曜": 1, "火曜日": 1,
    "wed": 2, "wednesday": 2, "水": 2, "水曜": 2, "水曜日": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "木": 3, "木曜": 3, "木曜日": 3,
    "fri": 4, "friday": 4, "金": 4, "金曜": 4, "金曜日": 4,
    "sat": 5, "saturday": 5, "土": 5, "土曜": 5, "土曜日": 5,
    "sun": 6, "sunday": 6, "日曜": 6, "日曜日": 6,
}  # fmt: skip
_WHEN_EXAMPLES = (
    "'in 2 hours', '90m', '18:00', '18時', '30分後', 'tomorrow 9:00', '明日18時' or '2026-12-03 14:00'"
)
_DAY_EXAMPLES = "'today', 'tomorrow', '+2', 'fri', '12/3' or '2026-12-03'"


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {tz!r}") from None


def _normal(text: str) -> str:
    """Full-width digits, colon and spaces as ASCII (NFKC), lower case, runs of spaces as one."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def parse_duration(text: str) -> timedelta:
    """`2h`, `90 min`, `1h30m`, `1 hour and 30 minutes`, `2時間`, `1時間半` → timedelta (positive)."""
    cleaned = _normal(text).replace("時間半", "時間30分")
    if not cleaned or not _DURATION.match(cleaned):
        raise ValueError(f"not a duration: {text!r} (try '2h', '90m' or '1 hour 30 minutes')")
    total = timedelta()
    for number, unit in _DURATION_PART.findall(cleaned):
        key = _UNITS.get(unit)
        if key is None:
            raise ValueError(f"unknown unit {unit!r} in {text!r} (use s, m, h, d or w)")
        total += timedelta(**{key: float(number)})
    if total <= timedelta():
        raise ValueError(f"duration must be more than zero: {text!r}")
    return total


def _parse_clock(text: str) -> time | None:
    text = _normal(text)
    ja = _JA_CLOCK.match(text)
    if ja:
        return _ja_clock(text, ja)
    m = _CLOCK.match(text)
    if not m:
        return None
    hour, minute, ampm = int(m.group(1)), int(m.group(2) or 0), m.group(3)
    if ampm is None and m.group(2) is None:
        return None  # a bare number is not a time of day
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r}: with am/pm the hour must be 1-12")
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if hour == 24 and minute == 0:
        return None
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(f"{text!r} is not a valid time of day (00:00-23:59)")
    return time(hour, minute)


def _ja_clock(text: str, m: re.Match[str]) -> time:
    """`18時`, `18時30分`, `18時半`, `午後6時`: 午前/午後 take hours 0-12, as on a Japanese clock face."""
    half, hour = m.group(1), int(m.group(2))
    minute = 30 if m.group(4) else int(m.group(3) or 0)
    if half:
        if hour > 12:
            raise ValueError(f"{text!r}: with {half} the hour must be 0-12")
        hour = hour % 12 + (12 if half == "午後" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ValueError(f"{text!r} is not a valid time of day (00:00-23:59)")
    return time(hour, minute)


def parse_when(text: str, now: datetime, tz: str = "Asia/Tokyo") -> datetime:
    """An instant from human text, relative to `now`; wall-clock forms are read in `tz`. Returns aware `tz` time.

    A bare time of day ("18:00") means today, and is an error if that is already past.
    """
    zone = _zone(tz)
    if now.tzinfo is None:
        now = now.replace(tzinfo=zone)
    local_now = now.astimezone(zone)
    raw = text.strip()
    low = _normal(raw)
    if not low:
        raise ValueError(f"no time given (try {_WHEN_EXAMPLES})")
    if low == "now":
        return local_now
    # A bare time of day: today.
    clock = _parse_clock(low)
    if clock is not None:
        when = datetime.combine(local_now.date(), clock, zone)
        if when <= local_now:
            tomorrow = "明日" if not raw.isascii() else "tomorrow "
            raise ValueError(
                f"{raw} is already past today (it is {local_now:%H:%M} {tz}); "
                f"say '{tomorrow}{clock.hour}:{clock.minute:02d}'"
            )
        return when
    # Relative: "in 2 hours", "+90m", "2h", "2時間後", "30分後".
    rel = low.removeprefix("in ").removeprefix("+").removesuffix("後").strip().replace("時間半", "時間30分")
    if rel and rel[0].isdigit() and _DURATION.match(rel):
        return local_now + parse_duration(rel)
    # ISO 8601 (with or without offset), also with slashes: "2026-12-03T14:00+09:00", "2026/12/03 14:00".
    if re.match(r"^\d{4}[-/]\d{2}[-/]\d{2}", low):
        candidate = " ".join(raw.split())
        candidate = candidate[:10].replace("/", "-") + candidate[10:]
        if candidate.endswith(("z", "Z")):
            candidate = candidate[:-1] + "+00:00"
        try:
            parsed: datetime | None = datetime.fromisoformat(candidate)
        except ValueError:
            parsed = None
        if parsed is not None:
            if len(candidate) == 10:
                raise ValueError(f"{raw!r} has no time of day; add one, e.g. '{raw} 18:00'")
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=zone)
            return parsed.astimezone(zone)
    # "<day> <time>": "tomorrow 9:00", "fri 18:00", "12/3 14:00", "2026-12-03 14:00".
    parts = low.rsplit(" ", 1)
    joined = _DAY_THEN_CLOCK.match(low)
    for day_text, clock_text in ([parts] if len(parts) == 2 else []) + ([joined.groups()] if joined else []):
        clock = _parse_clock(clock_text)
        if clock is not None:
            day = parse_day(day_text, local_now.date())
            return datetime.combine(day, clock, zone)
    if _parse_day_or_none(low, local_now.date()) is not None:
        raise ValueError(f"{raw!r} has no time of day; add one, e.g. '{raw} 9:00'")
    raise ValueError(f"cannot read {raw!r} as a time (try {_WHEN_EXAMPLES})")


def _parse_day_or_none(text: str, today: date) -> date | None:
    try:
        return parse_day(text, today)
    except ValueError:
        return None


def _make_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date") from None


def parse_day(text: str, today: date) -> date:
    """A calendar day from human text, relative to `today`. Weekday names mean the next one (today if it is)."""
    raw = text.strip()
    low = _normal(raw)
    if not low:
        raise ValueError(f"no day given (try {_DAY_EXAMPLES})")
    named = {
        "today": 0, "tod": 0, "今日": 0, "本日": 0, "きょう": 0,
        "tomorrow": 1, "tom": 1, "明日": 1, "あした": 1, "あす": 1, "明後日": 2, "あさって": 2,
        "yesterday": -1, "昨日": -1,
    }  # fmt: skip
    if low in named:
        return today + timedelta(days=named[low])
    m = re.fullmatch(r"([+-])\s*(\d{1,4})\s*d?", low)
    if m:
        days = int(m.group(2))
        return today + timedelta(days=days if m.group(1) == "+" else -days)
    if low.rstrip(".") in _WEEKDAYS:
        ahead = (_WEEKDAYS[low.rstrip(".")] - today.weekday()) % 7
        return today + timedelta(days=ahead)
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", low) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", low
    )
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), raw)
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})", low) or re.fullmatch(r"(\d{1,2})月(\d{1,2})日?", low)
    if m:
        return _make_date(today.year, int(m.group(1)), int(m.group(2)), raw)
    raise ValueError(f"cannot read {raw!r} as a day (try {_DAY_EXAMPLES})")
