"""`camtui demo`'s own rules (used when the config has none): they parse, they fire on the demo world's ghost
and squatter and on a call about to expire with people in it, and they only toast."""

from __future__ import annotations

from pathlib import Path

from alerts_support import (
    MovableClock,
    build_app,
    calls_round,
    quick_call,
    rooms_poll,
    set_participants,
    until,
)

from camtui.alerts.rules import parse_rules
from camtui.cli.demo_rules import DEMO_RULES, with_demo_rules
from camtui.tui.rooms.grid import RoomsGrid


def test_demo_rules_parse_and_yield_to_the_configs() -> None:
    assert [r.name for r in parse_rules(DEMO_RULES)] == [t["name"] for t in DEMO_RULES]
    assert all(not r.sends and r.successor is None and r.toast for r in parse_rules(DEMO_RULES))
    own = ({"name": "mine", "when": "server unreachable", "toast": True},)
    assert with_demo_rules(own) == own
    assert with_demo_rules(()) == DEMO_RULES


async def test_demo_rules_fire_on_the_demo_world_and_send_nothing(sandbox_factory, tmp_path: Path) -> None:
    clock = MovableClock()
    sb = sandbox_factory(now=clock)
    expiring = await quick_call(sb, clock, "まもなく終了", minutes=10)
    set_participants(sb, expiring.sid, 4)
    watch = (*(c["sid"] for c in sb.calls() if c["sid"] != expiring.sid), expiring.sid)
    app = build_app(sb, tmp_path / "store.db", clock, DEMO_RULES, watch=watch)
    async with app.run_test(size=(160, 50)) as pilot:
        grid = app.query_one(RoomsGrid)
        await until(pilot, lambda: len(grid.rows) > 0, "the rooms")
        await calls_round(pilot)
        await rooms_poll(pilot)

        def states() -> dict[str, str]:
            return {v.name: v.state for v in app.alert_views()}

        await until(pilot, lambda: states()["demo: squatter"] == "fired", "the squatter rule")
        await until(pilot, lambda: states()["demo: call about to expire"] == "fired", "the expiry rule")
        assert states()["demo: ghost meeting"] == "pending"  # 5 minutes, counted from the first poll
        clock.advance(minutes=6)
        await calls_round(pilot)
        await rooms_poll(pilot)
        await until(pilot, lambda: states()["demo: ghost meeting"] == "fired", "the ghost rule")
        assert states()["demo: server unreachable"] == "armed"
        views = {v.name: v for v in app.alert_views()}
        expiry = [line for f in views["demo: call about to expire"].firings for line in f.lines]
        assert any("まもなく終了" in line and "with 4 in it" in line for line in expiry), expiry
        ghost_lines = views["demo: ghost meeting"].firings[0].lines
        assert any("nobody is in its call" in line for line in ghost_lines), ghost_lines
        assert sb.delivered_messages() == []
        active = sum(v.active for v in views.values())  # the demo world has calls of its own about to expire
        assert active >= 3 and all(views[n].active for n in ("demo: squatter", "demo: ghost meeting"))
        assert app.status_line.alerts_text == f"⚑ {active} alerts (5)"
