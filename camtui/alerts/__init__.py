"""Alert rules that act: `[[alerts]]` from the config, evaluated on what the polls saw, acting through the
outbox. No Textual here: the dashboard (tui/) and `camtui alerts run` drive the same engine.

Public interface (stable; the dashboard builds on it):

Rules — `camtui.alerts.rules`
    `load_rules(settings) -> tuple[AlertRule, ...]`   the config's `[[alerts]]`, checked; raises
        `camtui.config.settings.ConfigError` ("file:line: [[alerts]] "name" key: problem").
    `AlertRule`: name, condition (.text, .scope "call" | "room" | "server"), calls / rooms (None: all), for_s,
        cooldown_s, toast, sends, successor, line, .target (one line: what it watches).

Engine — `camtui.alerts.engine.AlertEngine(rules, store, *, server_url, time_zone, call_stale_after,
        room_stale_after)`
    feeding (after every poll, failed ones too):
      `observe_calls(at, [CallSeen, …])`   a failed poll: `CallSeen(sid, participants=None)` (unknown, not 0)
      `observe_rooms(at, rooms | None)`    today's `ConferenceRoom`s with reservations; None: the poll failed
      `observe_server(at, "ok" | "unreachable" | "<API code>")`
      `forget_call(sid)`, `set_links(store.call_links.all())` after the user (un)links a call
    deciding: `evaluate(now) -> list[Firing]`  (each already recorded in the store; show `firing.toasts`, run
      the rest with `camtui.alerts.actions.perform(firing, client, store)`, which returns one line per action)
    user controls: `snooze(name, until)`, `unsnooze(name)`, `mute_all(until | None)`, `unmute_all()`
    reading: `views(now) -> list[RuleView]` (state armed / pending / fired / snoozed / stale / muted, pending_s,
      fired_at, snoozed_until, stale_reason, active, firings: FiringView(at, subject, label, lines)),
      `active_count(now)` (the status line), `room_marks(now) -> dict[room_id, RoomMark]` (the grid's
      ghost / squatter marks), `links(now) -> dict[sid, CallLink]`.

Links — `camtui.alerts.links`: `classify_rooms(now, rooms, calls, links, *, since, ghost_after)`,
    `link_calls(now, rooms, sids, stored)`; stored links: `Store.call_links` (`link(sid, room_id)`,
    `unlink(sid)`, `get(sid)`, `all() -> dict[sid, room_id]`).

Runner — `camtui.alerts.runner.AlertRunner`: the headless loop (`camtui alerts run`), and `feed(…)` helpers
    for a dashboard that already polls.

Data — `camtui.alerts.model`: `CallSeen`, `Firing`, `ActionPlan`, `RuleView`, `FiringView`, `RoomMark`.
"""

from __future__ import annotations

from camtui.alerts.model import ActionPlan, CallSeen, Firing, FiringView, RoomMark, RuleView

__all__ = ["ActionPlan", "CallSeen", "Firing", "FiringView", "RoomMark", "RuleView"]
