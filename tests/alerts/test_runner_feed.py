"""Feeding the engine from the calls pane's rows (duck-typed: the engine does not import tui)."""

from __future__ import annotations

from datetime import timedelta

from camtui.alerts.runner import feed_calls, seen_from_row
from camtui.tui.calls.model import CallRow
from tests.alerts.helpers import SID, T0, engine

RULE = f'[[alerts]]\nname = "empty"\ncall = "{SID}"\nwhen = "participants == 0"\n'


def test_a_good_row_is_known_and_a_stale_or_failed_one_is_not():
    good = CallRow(
        SID, title="定例", participants=0, in_progress=False, last_ok=T0, expires=T0 + timedelta(hours=1)
    )
    assert seen_from_row(good).participants == 0
    stale = CallRow(SID, participants=3, last_ok=T0, stale_reason="offline")
    failed = CallRow(SID, participants=3, last_ok=T0, error="unknown call", error_code="400")
    never = CallRow(SID)
    assert [seen_from_row(r).known for r in (stale, failed, never)] == [False, False, False]
    assert seen_from_row(failed).error_code == "400"


def test_feed_calls_drives_the_engine():
    e = engine(RULE)
    stale = CallRow(SID, participants=0, in_progress=False, last_ok=T0, stale_reason="offline")
    feed_calls(e, T0, [stale])
    assert e.evaluate(T0) == []
    good = CallRow(SID, participants=0, in_progress=False, last_ok=T0, expires=T0 + timedelta(hours=1))
    feed_calls(e, T0, [good])
    assert [f.rule for f in e.evaluate(T0)] == ["empty"]
