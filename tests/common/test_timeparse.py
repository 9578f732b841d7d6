"""Human time and day input: what people type in the call dialog, the rooms date bar and `camtui call create`."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from camtui.common.timeparse import parse_day, parse_duration, parse_when

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=TOKYO)  # a Thursday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in 2 hours", datetime(2026, 12, 3, 12, 0, tzinfo=TOKYO)),
        ("in 90 min", datetime(2026, 12, 3, 11, 30, tzinfo=TOKYO)),
        ("2h", datetime(2026, 12, 3, 12, 0, tzinfo=TOKYO)),
        ("90m", datetime(2026, 12, 3, 11, 30, tzinfo=TOKYO)),
        ("+1h30m", datetime(2026, 12, 3, 11, 30, tzinfo=TOKYO)),
        ("in 1 hour and 30 minutes", datetime(2026, 12, 3, 11, 30, tzinfo=TOKYO)),
        ("2時間", datetime(2026, 12, 3, 12, 0, tzinfo=TOKYO)),
        ("18:00", datetime(2026, 12, 3, 18, 0, tzinfo=TOKYO)),
        ("6pm", datetime(2026, 12, 3, 18, 0, tzinfo=TOKYO)),
        ("tomorrow 9:00", datetime(2026, 12, 4, 9, 0, tzinfo=TOKYO)),
        ("Fri 18:00", datetime(2026, 12, 4, 18, 0, tzinfo=TOKYO)),
        ("12/5 9:15", datetime(2026, 12, 5, 9, 15, tzinfo=TOKYO)),
        ("2026-12-03 14:00", datetime(2026, 12, 3, 14, 0, tzinfo=TOKYO)),
        ("2026/12/04 09:30", datetime(2026, 12, 4, 9, 30, tzinfo=TOKYO)),
        ("2026-12-03T14:00:00Z", datetime(2026, 12, 3, 14, 0, tzinfo=UTC)),
        ("2026-12-03T14:00+01:00", datetime(2026, 12, 3, 13, 0, tzinfo=UTC)),
        ("now", NOW),
    ],
)
def test_parse_when_accepts(text, expected):
    got = parse_when(text, NOW)
    assert got == expected
    assert got.tzinfo is not None


def test_wall_clock_is_read_in_the_given_zone():
    now_utc = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo, 02:00 in Paris
    assert parse_when("18:00", now_utc, "Europe/Paris") == datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    assert parse_when("18:00", now_utc) == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("9:00", "already past"),
        ("10:00", "already past"),
        ("tomorrow", "no time of day"),
        ("2026-12-03", "no time of day"),
        ("25:00", "not a valid time"),
        ("13pm", "1-12"),
        ("in 0m", "more than zero"),
        ("in 3 parsecs", "unknown unit"),
        ("", "no time given"),
        ("   ", "no time given"),
        ("bogus", "cannot read"),
        ("2026-02-30 10:00", "not a valid date"),
        ("90", "cannot read"),
    ],
)
def test_parse_when_rejects_with_one_line(text, fragment):
    with pytest.raises(ValueError) as info:
        parse_when(text, NOW)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message


def test_unknown_zone_is_a_value_error():
    with pytest.raises(ValueError, match="unknown time zone"):
        parse_when("in 1h", NOW, "Mars/Olympus")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", date(2026, 12, 3)),
        ("Tomorrow", date(2026, 12, 4)),
        ("yesterday", date(2026, 12, 2)),
        ("2026-12-24", date(2026, 12, 24)),
        ("20261224", date(2026, 12, 24)),
        ("2026/1/2", date(2026, 1, 2)),
        ("12-03", date(2026, 12, 3)),
        ("12/3", date(2026, 12, 3)),
        ("+2", date(2026, 12, 5)),
        ("-1", date(2026, 12, 2)),
        ("thursday", date(2026, 12, 3)),  # today is Thursday: the next one is today
        ("mon", date(2026, 12, 7)),
        ("金", date(2026, 12, 4)),
        ("12月25日", date(2026, 12, 25)),
    ],
)
def test_parse_day_accepts(text, expected):
    assert parse_day(text, NOW.date()) == expected


@pytest.mark.parametrize("text", ["13/40", "2026-02-30", "x", "", "someday", "+"])
def test_parse_day_rejects(text):
    with pytest.raises(ValueError) as info:
        parse_day(text, NOW.date())
    assert "\n" not in str(info.value)


@given(hours=st.integers(1, 500), minutes=st.integers(0, 59))
def test_durations_add_up(hours, minutes):
    assert parse_duration(f"{hours}h{minutes}m" if minutes else f"{hours}h") == timedelta(
        hours=hours, minutes=minutes
    )
    assert parse_when(f"in {hours} hours", NOW) == NOW + timedelta(hours=hours)


@given(st.text(max_size=30))
def test_any_text_either_parses_or_raises_value_error(text):
    try:
        result = parse_when(text, NOW)
    except ValueError as exc:
        assert "\n" not in str(exc)
    else:
        assert result.tzinfo is not None
    with contextlib.suppress(ValueError):
        parse_day(text, NOW.date())


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_iso_days_round_trip(day):
    assert parse_day(day.isoformat(), NOW.date()) == day
    assert parse_day(day.strftime("%Y%m%d"), NOW.date()) == day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18時", datetime(2026, 12, 3, 18, 0, tzinfo=TOKYO)),
        ("18時30分", datetime(2026, 12, 3, 18, 30, tzinfo=TOKYO)),
        ("18時 30分", datetime(2026, 12, 3, 18, 30, tzinfo=TOKYO)),
        ("18時半", datetime(2026, 12, 3, 18, 30, tzinfo=TOKYO)),
        ("午後6時", datetime(2026, 12, 3, 18, 0, tzinfo=TOKYO)),
        ("午前11時", datetime(2026, 12, 3, 11, 0, tzinfo=TOKYO)),
        ("１８時", datetime(2026, 12, 3, 18, 0, tzinfo=TOKYO)),  # full-width digits
        ("１８：３０", datetime(2026, 12, 3, 18, 30, tzinfo=TOKYO)),
        ("明日18時", datetime(2026, 12, 4, 18, 0, tzinfo=TOKYO)),
        ("明日 18時", datetime(2026, 12, 4, 18, 0, tzinfo=TOKYO)),
        ("明日 9:00", datetime(2026, 12, 4, 9, 0, tzinfo=TOKYO)),
        ("明日9:00", datetime(2026, 12, 4, 9, 0, tzinfo=TOKYO)),
        ("明日　9時", datetime(2026, 12, 4, 9, 0, tzinfo=TOKYO)),  # an ideographic space
        ("明後日10時", datetime(2026, 12, 5, 10, 0, tzinfo=TOKYO)),
        ("金曜18時半", datetime(2026, 12, 4, 18, 30, tzinfo=TOKYO)),
        ("12月5日18時", datetime(2026, 12, 5, 18, 0, tzinfo=TOKYO)),
        ("12/5 18時", datetime(2026, 12, 5, 18, 0, tzinfo=TOKYO)),
        ("2時間後", datetime(2026, 12, 3, 12, 0, tzinfo=TOKYO)),
        ("30分後", datetime(2026, 12, 3, 10, 30, tzinfo=TOKYO)),
        ("1時間30分後", datetime(2026, 12, 3, 11, 30, tzinfo=TOKYO)),
        ("1時間半後", datetime(2026, 12, 3, 11, 30, tzinfo=TOKYO)),
        ("2日後", datetime(2026, 12, 5, 10, 0, tzinfo=TOKYO)),
    ],
)
def test_parse_when_accepts_the_common_japanese_forms(text, expected):
    assert parse_when(text, NOW) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("9時", "already past today (it is 10:00 Asia/Tokyo); say '明日9:00'"),
        ("25時", "not a valid time"),
        ("18時61分", "not a valid time"),
        ("午後13時", "with 午後 the hour must be 0-12"),
        ("明日", "no time of day"),
        ("0分後", "more than zero"),
        ("明日18時ごろ", "cannot read"),
    ],
)
def test_japanese_forms_fail_with_the_same_one_line_errors(text, fragment):
    with pytest.raises(ValueError) as info:
        parse_when(text, NOW)
    assert fragment in str(info.value) and "\n" not in str(info.value)


@given(hour=st.integers(11, 23), minute=st.integers(0, 59))
def test_japanese_clock_forms_mean_the_same_as_hh_mm(hour, minute):
    clock = f"{hour}:{minute:02d}"
    assert parse_when(f"{hour}時{minute}分", NOW) == parse_when(clock, NOW)
    assert parse_when(f"明日{hour}時{minute}分", NOW) == parse_when(f"tomorrow {clock}", NOW)
    assert parse_when(f"明日 {clock}", NOW) == parse_when(f"tomorrow {clock}", NOW)
    wide = clock.translate(str.maketrans("0123456789:", "０１２３４５６７８９："))
    assert parse_when(wide, NOW) == parse_when(clock, NOW)
    if hour > 12:
        assert parse_when(f"午後{hour - 12}時{minute}分", NOW) == parse_when(clock, NOW)


@given(hours=st.integers(0, 300), minutes=st.integers(0, 59))
def test_japanese_relative_forms_add_up(hours, minutes):
    text = (f"{hours}時間" if hours else "") + (f"{minutes}分" if minutes or not hours else "") + "後"
    if hours == 0 and minutes == 0:
        with pytest.raises(ValueError, match="more than zero"):
            parse_when(text, NOW)
    else:
        assert parse_when(text, NOW) == NOW + timedelta(hours=hours, minutes=minutes)
