"""Firing semantics on a fake clock: for-duration, once per episode, re-arm, cool-down, stale, restart."""

from __future__ import annotations

from pathlib import Path

from camtui.store import Store
from tests.alerts.helpers import OTHER, SID, FakeClock, call, engine, step

EMPTY = f"""
[[alerts]]
name = "empty call"
call = "{SID}"
when = "participants == 0"
for = "0s"
send = {{ users = ["user1@xxx.com"], text = "{{call.title}} is empty" }}
"""


def held(seconds: int, extra: str = "") -> str:
    return f"""
[[alerts]]
name = "empty for a while"
call = "{SID}"
when = "participants == 0"
for = "{seconds}s"
{extra}
"""


def test_the_issue_rule_fires_once_with_its_message_text():
    clock, e = FakeClock(), engine(EMPTY)
    e.observe_calls(clock.now, [call(participants=0)])
    firings = e.evaluate(clock.now)
    assert [f.rule for f in firings] == ["empty call"]
    (plan,) = firings[0].actions
    assert (plan.kind, plan.send, plan.users, plan.text) == (
        "send",
        "messenger",
        ("user1@xxx.com",),
        "定例 is empty",
    )
    assert step(e, clock, 5, call(participants=0)) == []  # still true: no second firing
    assert step(e, clock, 5, call(participants=0)) == []


def test_not_firing_while_false_then_fires_when_it_becomes_true():
    clock, e = FakeClock(), engine(EMPTY)
    assert step(e, clock, 0, call(participants=3)) == []
    assert step(e, clock, 5, call(participants=1)) == []
    assert step(e, clock, 5, call(participants=0)) == ["empty call"]


def test_for_duration_pending_then_fired():
    clock, e = FakeClock(), engine(held(60))
    assert step(e, clock, 0, call(participants=0)) == []
    view = e.views(clock.now)[0]
    assert view.state == "pending" and view.pending_s == 0
    assert step(e, clock, 30, call(participants=0)) == []
    assert e.views(clock.now)[0].pending_s == 30
    assert step(e, clock, 29, call(participants=0)) == []
    assert step(e, clock, 1, call(participants=0)) == ["empty for a while"]
    view = e.views(clock.now)[0]
    assert view.state == "fired" and view.fired_at == clock.now and view.active == 1


def test_for_duration_restarts_when_the_condition_breaks():
    clock, e = FakeClock(), engine(held(60))
    step(e, clock, 0, call(participants=0))
    step(e, clock, 50, call(participants=0))
    assert step(e, clock, 5, call(participants=2)) == []  # broken at 55 s
    assert step(e, clock, 5, call(participants=0)) == []  # new episode starts at 60 s
    assert step(e, clock, 55, call(participants=0)) == []
    assert step(e, clock, 5, call(participants=0)) == ["empty for a while"]


def test_re_arms_only_after_false():
    clock, e = FakeClock(), engine(EMPTY)
    assert step(e, clock, 0, call(participants=0)) == ["empty call"]
    assert step(e, clock, 5, call(participants=0)) == []
    assert e.views(clock.now)[0].state == "fired"
    assert step(e, clock, 5, call(participants=2)) == []
    assert e.views(clock.now)[0].state == "armed"
    assert step(e, clock, 5, call(participants=0)) == ["empty call"]


def test_cooldown_limits_refires_and_fires_when_it_ends_if_still_true():
    clock, e = FakeClock(), engine(held(0, 'cooldown = "10m"'))
    assert step(e, clock, 0, call(participants=0)) == ["empty for a while"]
    assert step(e, clock, 60, call(participants=1)) == []
    assert step(e, clock, 60, call(participants=0)) == []  # a new episode, inside the cool-down
    assert e.views(clock.now)[0].state == "pending"
    assert step(e, clock, 300, call(participants=0)) == []
    assert step(e, clock, 179, call(participants=0)) == []  # 599 s after the firing
    assert step(e, clock, 1, call(participants=0)) == ["empty for a while"]  # 600 s


def test_cooldown_drops_an_episode_that_ends_inside_it():
    clock, e = FakeClock(), engine(held(0, 'cooldown = "10m"'))
    step(e, clock, 0, call(participants=0))
    step(e, clock, 60, call(participants=1))
    step(e, clock, 60, call(participants=0))
    assert step(e, clock, 60, call(participants=4)) == []
    assert step(e, clock, 600, call(participants=4)) == []


def test_a_failed_poll_neither_fires_nor_clears():
    clock, e = FakeClock(), engine(held(60))
    step(e, clock, 0, call(participants=0))
    assert step(e, clock, 30, call(participants=None)) == []
    assert step(e, clock, 40, call(participants=None)) == []  # for has passed, but the data is unknown
    view = e.views(clock.now)[0]
    assert view.state == "stale" and view.stale_reason
    assert step(e, clock, 5, call(participants=0)) == ["empty for a while"]  # known again, still true
    # fired, then unknown: not cleared, so known-true again does not refire
    assert step(e, clock, 5, call(participants=None)) == []
    assert e.views(clock.now)[0].state == "fired"
    assert step(e, clock, 5, call(participants=0)) == []


def test_unknown_is_not_false_so_it_does_not_re_arm():
    clock, e = FakeClock(), engine(EMPTY)
    assert step(e, clock, 0, call(participants=0)) == ["empty call"]
    for _ in range(5):
        assert step(e, clock, 5, call(participants=None)) == []
    assert step(e, clock, 5, call(participants=0)) == []


def test_data_too_old_is_stale():
    clock, e = FakeClock(), engine(held(60), call_stale_after=30)
    step(e, clock, 0, call(participants=0))
    assert step(e, clock, 90) == []  # no poll for 90 s: stale, not fired
    assert e.views(clock.now)[0].state == "stale"


def test_a_restart_does_not_refire_the_same_episode(tmp_path: Path):
    path = tmp_path / "store.db"
    clock = FakeClock()
    with Store.open(path) as store:
        e = engine(EMPTY, store)
        assert step(e, clock, 0, call(participants=0)) == ["empty call"]
    with Store.open(path) as store:
        e = engine(EMPTY, store)  # a new process
        assert step(e, clock, 5, call(participants=0)) == []
        assert e.views(clock.now)[0].state == "fired"
        assert [f.label for f in e.views(clock.now)[0].firings] == ["call 定例 (abcd1234…)"]
        assert step(e, clock, 5, call(participants=3)) == []
    with Store.open(path) as store:
        e = engine(EMPTY, store)
        assert step(e, clock, 5, call(participants=0)) == ["empty call"]  # re-armed before the restart


def test_a_restart_starts_a_pending_wait_again(tmp_path: Path):
    """The time camtui was not running is unknown, not true: `for` counts again from the first poll."""
    path = tmp_path / "store.db"
    clock = FakeClock()
    with Store.open(path) as store:
        e = engine(held(60), store)
        step(e, clock, 0, call(participants=0))
        assert step(e, clock, 50, call(participants=0)) == []
    with Store.open(path) as store:
        e = engine(held(60), store)
        assert step(e, clock, 20, call(participants=0)) == []  # 70 s after the start, 0 s after the restart
        assert step(e, clock, 55, call(participants=0)) == []
        assert step(e, clock, 5, call(participants=0)) == ["empty for a while"]


def test_a_cooldown_survives_a_restart(tmp_path: Path):
    path = tmp_path / "store.db"
    clock = FakeClock()
    with Store.open(path) as store:
        e = engine(held(0, 'cooldown = "10m"'), store)
        assert step(e, clock, 0, call(participants=0)) == ["empty for a while"]
        assert step(e, clock, 5, call(participants=2)) == []  # re-armed (stored)
    with Store.open(path) as store:
        e = engine(held(0, 'cooldown = "10m"'), store)
        assert step(e, clock, 5, call(participants=0)) == []  # a new episode, inside the cool-down
        assert step(e, clock, 590, call(participants=0)) == ["empty for a while"]


def test_snooze_holds_firings_and_one_still_true_fires_after():
    clock, e = FakeClock(), engine(EMPTY)
    e.snooze("empty call", clock.now + __import__("datetime").timedelta(minutes=15))
    assert step(e, clock, 0, call(participants=0)) == []
    view = e.views(clock.now)[0]
    assert view.state == "snoozed" and view.snoozed_until is not None
    assert step(e, clock, 899, call(participants=0)) == []
    assert step(e, clock, 1, call(participants=0)) == ["empty call"]


def test_mute_all_until_unmuted_and_persisted(tmp_path: Path):
    clock = FakeClock()
    with Store.open(tmp_path / "s.db") as store:
        e = engine(EMPTY, store)
        e.mute_all()
        assert step(e, clock, 0, call(participants=0)) == []
        assert e.views(clock.now)[0].state == "muted"
    with Store.open(tmp_path / "s.db") as store:
        e = engine(EMPTY, store)
        assert step(e, clock, 5, call(participants=0)) == []  # still muted after a restart
        e.unmute_all()
        assert step(e, clock, 5, call(participants=0)) == ["empty call"]


def test_watched_calls_are_separate_episodes():
    clock = FakeClock()
    e = engine('[[alerts]]\nname = "any empty"\ncalls = "watched"\nwhen = "participants == 0"\n')
    assert sorted(step(e, clock, 0, call(SID, 0), call(OTHER, 2))) == ["any empty"]
    assert step(e, clock, 5, call(SID, 0), call(OTHER, 0)) == ["any empty"]  # the other call's own episode
    view = e.views(clock.now)[0]
    assert view.active == 2 and e.active_count(clock.now) == 2
    e.forget_call(OTHER)
    assert step(e, clock, 5, call(SID, 0)) == []


def test_firings_are_recorded_before_actions_with_planned_lines():
    clock, e = FakeClock(), engine(EMPTY)
    step(e, clock, 0, call(participants=0))
    (view,) = e.views(clock.now)
    assert view.firings[0].lines == ("planned: message to user1@xxx.com",)


def test_a_toast_is_recorded_as_done_with_the_firing():
    clock = FakeClock()
    e = engine(held(0, 'toast = "{call.title} empty"'))
    step(e, clock, 0, call(participants=0))
    assert e.views(clock.now)[0].firings[0].lines == ("toast: 定例 empty",)
