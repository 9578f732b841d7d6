"""The rooms pane's decisions (rooms/logic.py) with plain values: no Textual, no server."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from camtui.api.models import ConferenceRoom, Reservation
from camtui.tui.rooms.logic import (
    AUTH_FAILED,
    MAX_BACKOFF,
    OFFLINE,
    age_label,
    age_text,
    api_failure,
    day_cover,
    day_relative,
    next_boundary,
    poll_delay,
    status_reason,
    step_interval,
)
from camtui.tui.rooms.model import DayAxis

TZ = ZoneInfo("Asia/Tokyo")
DAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 10, 40, tzinfo=TZ)


def test_age_text_steps() -> None:
    assert age_text(-3) == "0 s"
    assert age_text(59.9) == "59 s"
    assert age_text(60) == "1 min"
    assert age_text(3599) == "59 min"
    assert age_text(3900) == "1 h 05 min"


@pytest.mark.parametrize(
    ("code", "http", "reason"),
    [
        ("805", 200, AUTH_FAILED),
        ("490", 200, AUTH_FAILED),
        ("491", 200, "rate limited"),
        ("x", 503, "server unavailable"),
        ("503", None, "server unavailable"),
        ("405", 200, "error 405"),
    ],
)
def test_api_failure(code: str, http: int | None, reason: str) -> None:
    assert api_failure(code, http) == reason


def test_poll_delay_backs_off_only_when_busy_or_offline() -> None:
    assert poll_delay(15, 0, None, None) == 15
    assert poll_delay(15, 3, "error 405", None) == 15  # a plain error is not a reason to wait longer
    assert poll_delay(15, 1, OFFLINE, None) == 30
    assert poll_delay(15, 2, "rate limited", None) == 60
    assert poll_delay(15, 20, OFFLINE, None) == MAX_BACKOFF
    assert poll_delay(2, 1, "rate limited", 120) == 120  # Retry-After wins when longer
    assert poll_delay(15, 0, OFFLINE, 120) == 15  # no failure counted yet: the plain interval


def test_step_interval() -> None:
    assert step_interval(15, 1) == 30
    assert step_interval(15, -1) == 10
    assert step_interval(2, -1) == 2
    assert step_interval(600, 1) == 600
    assert step_interval(7, 1) == 10  # a configured odd value is a step of its own
    assert step_interval(7, -1) == 5


def test_age_label_fresh_paused_stale_auth() -> None:
    ok = NOW - timedelta(seconds=12)
    common = {"interval": 15.0, "last_ok": ok, "has_data": True, "next_poll_at": None}
    fresh = age_label(NOW, TZ, paused=False, stale_reason=None, **common)
    assert (fresh.text, fresh.look) == ("updated 10:39:48 · every 15 s", "")  # no second to count
    later = age_label(NOW + timedelta(minutes=2), TZ, paused=False, stale_reason=None, **common)
    assert later.text == "updated 10:39:48 (2 min ago) · every 15 s"  # late: its age, in minutes
    paused = age_label(NOW, TZ, paused=True, stale_reason=None, **common)
    assert (paused.text, paused.look) == ("⏸ paused · updated 10:39:48 (12 s ago)", "-stale")
    auth = age_label(NOW, TZ, paused=False, stale_reason=AUTH_FAILED, **common)
    assert auth.look == "-error" and auth.text.endswith("polling stopped")
    stale = age_label(
        NOW,
        TZ,
        interval=15.0,
        paused=False,
        stale_reason=OFFLINE,
        last_ok=None,
        has_data=False,
        next_poll_at=NOW + timedelta(seconds=30),
    )
    assert (stale.text, stale.look) == ("stale: offline · no data yet · retry in 30 s", "-stale")


def test_status_reason() -> None:
    assert status_reason(False, None) is None
    assert status_reason(True, None) == "paused"
    assert status_reason(True, OFFLINE) == OFFLINE


def test_day_cover_widens_today_only_for_now() -> None:
    extent = (datetime(2026, 12, 7, 6, 0, tzinfo=TZ), datetime(2026, 12, 7, 7, 0, tzinfo=TZ))
    assert day_cover(DAY, NOW, TZ, None) == [(NOW, NOW)]
    assert day_cover(DAY + timedelta(days=1), NOW, TZ, extent) == [extent]
    early = datetime(2026, 12, 7, 5, 10, tzinfo=TZ)
    axis = DayAxis.build(DAY, TZ, "08:00", "21:00", 30, cover=day_cover(DAY, early, TZ, extent))
    assert axis.starts[0] == datetime(2026, 12, 7, 5, 0, tzinfo=TZ) and axis.widened


def test_day_relative() -> None:
    assert [day_relative(DAY + timedelta(days=d), DAY) for d in (-1, 0, 1, 3, -2)] == [
        "yesterday",
        "today",
        "tomorrow",
        "+3 days",
        "-2 days",
    ]


def test_next_boundary_is_the_nearest_change() -> None:
    axis = DayAxis.build(DAY, TZ, "08:00", "21:00", 30)
    booking = Reservation(
        "r1", "a", "Sprint", NOW + timedelta(minutes=5), NOW + timedelta(minutes=50), "Sato", "s@x"
    )
    room = ConferenceRoom("a", "A", 4, "1F", 1, (booking,))
    assert next_boundary([room], axis, NOW) == NOW + timedelta(minutes=5)
    assert next_boundary([], axis, NOW) == datetime(2026, 12, 7, 11, 0, tzinfo=TZ)
    assert next_boundary([], axis, axis.end) is None
