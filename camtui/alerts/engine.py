"""The alert engine: fed what the polls saw, it decides which rules fire. No Textual, no network.

Firing semantics (each has a test in tests/alerts/test_engine.py):
- a rule fires once its condition has held for `for` (pending until then);
- it does not fire again while the condition stays true (one firing per episode);
- it re-arms only after the condition has been seen false;
- `cooldown` limits refires: a new episode fires no earlier than `cooldown` after the last firing;
- stale data (a failed poll, or none for too long) neither fires nor clears: unknown is not false;
- the episode state is in the store, written before any action runs: a restart does not refire it (what is
  stored is each firing and each re-arming; a pending wait is not, so after a restart `for` counts again from
  the first poll: the time camtui was not looking is unknown, not true).
Snoozed and muted rules keep tracking their episodes but do not fire; one still true when the snooze ends fires.

Each (rule, subject) pair is an episode slot: subject "call:{sid}", "room:{id}" or "server".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from camtui.alerts import evaluate as ev
from camtui.alerts.actions import planned_lines
from camtui.alerts.links import GHOST_AFTER, CallLink, link_calls, room_mark
from camtui.alerts.model import CallSeen, CallTrack, Firing, FiringView, RoomMark, RuleState, RuleView
from camtui.alerts.rules import AlertRule
from camtui.alerts.schedule import Scheduler
from camtui.api.models import ConferenceRoom
from camtui.store import Store
from camtui.store.alert_state import MUTE_ALL, EpisodeRow


@dataclass(slots=True)
class _Slot:
    status: str = "armed"
    since: datetime | None = None
    fired_at: datetime | None = None
    stale: bool = False
    value: bool | None = None


class AlertEngine:
    """Feed it with `observe_*`, call `evaluate(now)` after each poll round; run the firings' actions with
    `camtui.alerts.actions.perform`. `store` keeps the episodes, snoozes and firings (None: memory only)."""

    def __init__(
        self,
        rules: Sequence[AlertRule],
        store: Store | None = None,
        *,
        server_url: str = "",
        time_zone: str = "Asia/Tokyo",
        call_stale_after: float = 30.0,
        room_stale_after: float = 90.0,
    ) -> None:
        self.rules = tuple(rules)
        self.store = store
        self.server_url = server_url
        self.time_zone = time_zone
        self.call_stale_after = timedelta(seconds=call_stale_after)
        self.room_stale_after = timedelta(seconds=room_stale_after)
        self.calls: dict[str, CallTrack] = {}
        self.rooms: tuple[ConferenceRoom, ...] = ()
        self.rooms_at: datetime | None = None
        self.rooms_failed = False
        self.server_outcome: str | None = None
        """Last poll: "ok", "unreachable", or the API code it answered ("491")."""
        self.server_at: datetime | None = None
        self._slots: dict[tuple[str, str], _Slot] = {}
        self.rule_slots: dict[str, dict[str, _Slot]] = {}
        """rule → subject → its slot (the views read one rule's slots without scanning all)."""
        self._snoozes: dict[str, datetime | None] = {}
        self._links: dict[str, str] = {}
        self.room_facts: dict[str, ev.RoomFacts] = {}
        self._links_cache: dict[str, CallLink] | None = None
        self._rooms_by_id: dict[str, ConferenceRoom] | None = None
        self.rooms_version = 0
        """Bumped when the rooms, the stored links or the set of calls change (the links may then differ)."""
        self._sched = Scheduler()
        self.wanted = {r.name: ev.wanted_groups(r) for r in self.rules}
        self._last_values: dict[tuple[int, str], tuple[bool | None, datetime | None]] = {}
        """(condition, subject) → its last computed value: a changed call whose value did not change is
        decided by nobody (whenever a value changes, every rule with that condition is due or dirty)."""
        ids: dict[tuple[object, ...], int] = {}  # rules on named calls (decided every round) never share with
        # rules on watched calls (decided when due or changed): their last values would mislead each other
        self._condition_ids = {
            r.name: ids.setdefault((r.scope, r.calls is None, r.condition.clauses), len(ids))
            for r in self.rules
        }
        self._sched.everything(self.rules)
        if store is not None:
            for key, row in store.alerts.episodes().items():
                status = "armed" if row.status == "pending" else row.status  # (older rows)
                self._new_slot(key, _Slot(status, row.since, row.fired_at))
            self._snoozes = store.alerts.snoozes()
            self._links = store.call_links.all()

    # ------------------------------------------------------------------------------------------ feeding

    def observe_calls(self, at: datetime, calls: Iterable[CallSeen]) -> None:
        """One round of call polls (or part of one). A call with `participants=None` failed this time."""
        sched, fresh_for = self._sched, self.call_stale_after
        for seen in calls:
            sid = seen.sid
            track = self.calls.get(sid)
            if track is None:
                track = self.calls[sid] = CallTrack(seen)
                self._links_cache = None
                self.rooms_version += 1
            if ev.fold_call(track, seen, at):
                sched.dirty_calls.add(sid)
            if track.failed:
                sched.fresh_calls.pop(sid, None)
            else:
                sched.fresh_calls[sid] = at + fresh_for

    def forget_call(self, sid: str) -> None:
        """The call is no longer watched: its subjects stop being evaluated (their state stays stored)."""
        if self.calls.pop(sid, None) is not None:
            self._links_cache = None
            self.rooms_version += 1
            self._sched.fresh_calls.pop(sid, None)

    def observe_rooms(self, at: datetime, rooms: Sequence[ConferenceRoom] | None) -> None:
        """A rooms poll: the rooms with today's reservations, or None when the poll failed (stale)."""
        if rooms is None:
            self.rooms_failed = True
        else:
            new = tuple(rooms)
            self.rooms_at = at
            self.rooms_failed = False
            if new != self.rooms:  # a poll with the same bookings changes nothing derived from them
                self.rooms = new
                self._links_cache = self._rooms_by_id = None
                self.rooms_version += 1

    def observe_server(self, at: datetime, outcome: str) -> None:
        """How the last request went: "ok", "unreachable" (no answer), or the API error code answered."""
        self.server_outcome = outcome
        self.server_at = at

    def set_links(self, links: dict[str, str]) -> None:
        """The stored call ↔ room links changed (the UI linked or unlinked a call)."""
        self._links = dict(links)
        self._links_cache = None
        self.rooms_version += 1

    def room_by_id(self) -> dict[str, ConferenceRoom]:
        if self._rooms_by_id is None:
            self._rooms_by_id = {r.id: r for r in self.rooms}
        return self._rooms_by_id

    def cached_links(self, now: datetime) -> dict[str, CallLink]:
        """sid → room link; computed again only when the rooms, the stored links or the watched calls change."""
        if self._links_cache is None:
            self._links_cache = (
                link_calls(now, self.rooms, self.calls.keys(), self._links)
                if self.rooms or self._links
                else {}
            )
        return self._links_cache

    # ------------------------------------------------------------------------------------------ deciding

    def evaluate(self, now: datetime) -> list[Firing]:
        """Decide every rule on what is known at `now`; the firings are recorded in the store (before their
        actions run) and returned, in rule order."""
        ctx = ev.RoundContext(self, now)
        sched = self._sched
        sched.begin(ctx, self.rules)
        firings: list[Firing] = []
        changed: list[EpisodeRow] = []
        slots, booked = self._slots, sched.next_check
        shared: dict[tuple[int, str], tuple[bool | None, datetime | None]] = {}
        """(condition, subject) → value: rules with the same `when` share one evaluation per round."""
        last = self._last_values
        changed_by_group: dict[tuple[int, tuple[str, ...] | None], set[str]] = {}
        for rule in self.rules:
            name = rule.name
            cond = self._condition_ids[name]
            due, dirty = sched.candidates(ctx, rule)
            todo = due
            if dirty:
                group = (cond, rule.rooms)
                changed_here = changed_by_group.get(group)
                if changed_here is None:  # once per condition: which changed subjects changed value
                    changed_here = changed_by_group[group] = set()
                    for subject in dirty:
                        hit = shared.get((cond, subject))
                        if hit is None:
                            hit = shared[(cond, subject)] = ev.value_of(ctx, rule, subject)
                        if last.get((cond, subject)) != hit:
                            last[(cond, subject)] = hit
                            changed_here.add(subject)
                todo = due | changed_here if due else changed_here
            for subject in todo:
                hit = shared.get((cond, subject))
                if hit is None:
                    hit = shared[(cond, subject)] = ev.value_of(ctx, rule, subject)
                    last[(cond, subject)] = hit
                value, recheck = hit
                key = (name, subject)
                slot = slots.get(key)
                if slot is not None and slot.value is value:
                    if slot.status != "pending":  # the same value, nothing to decide: only its next look
                        if recheck is not None and booked.get(key) != recheck:
                            sched.book(key, recheck)
                        continue
                    wake = self._wake(rule, slot, now)
                    if wake is not None and wake > now:  # still waiting for its for / cool-down / snooze
                        when = wake if recheck is None or wake < recheck else recheck
                        if booked.get(key) != when:
                            sched.book(key, when)
                        continue
                firing = self._step(rule, subject, value, now, ctx, changed)
                if firing is not None:
                    firings.append(firing)
                slot = slots[key]
                when = recheck
                if slot.status == "pending":
                    wake = self._wake(rule, slot, now)
                    if wake is not None and (when is None or wake < when):
                        when = wake
                if when is not None and booked.get(key) != when:
                    sched.book(key, when)
        sched.end(ctx)
        if self.store is not None:
            self.store.alerts.save_episodes(changed)
            if firings:
                ids = self.store.alerts.add_firings(
                    [(f.rule, f.subject, f.label, f.at, planned_lines(f.actions)) for f in firings]
                )
                firings = [replace(f, firing_id=fid) for f, fid in zip(firings, ids, strict=True)]
        return firings

    def _step(
        self,
        rule: AlertRule,
        subject: str,
        value: bool | None,
        now: datetime,
        ctx: ev.RoundContext,
        changed: list[EpisodeRow],
    ) -> Firing | None:
        key = (rule.name, subject)
        slot = self._slots.get(key)
        if slot is None:
            slot = self._new_slot(key, _Slot())
        slot.value = value
        if value is None:
            slot.stale = True
            return None
        slot.stale = False
        if not value:
            if slot.status != "armed":
                if slot.status == "fired":  # re-armed: a restart must not think it still fired
                    changed.append(EpisodeRow(rule.name, subject, "armed", None, slot.fired_at))
                slot.status, slot.since = "armed", None
            return None
        if slot.status == "armed":
            slot.status, slot.since = "pending", now  # not stored: after a restart the wait starts again
        if slot.status != "pending" or slot.since is None:
            return None
        if (now - slot.since).total_seconds() < rule.for_s or self.silenced(rule.name, now) is not None:
            return None
        if slot.fired_at is not None and (now - slot.fired_at).total_seconds() < rule.cooldown_s:
            return None
        slot.status, slot.fired_at = "fired", now
        changed.append(EpisodeRow(rule.name, subject, "fired", slot.since, now))
        return ev.make_firing(ctx, rule, subject, now, slot.since)

    def _new_slot(self, key: tuple[str, str], slot: _Slot) -> _Slot:
        self._slots[key] = slot
        self.rule_slots.setdefault(key[0], {})[key[1]] = slot
        return slot

    def _wake(self, rule: AlertRule, slot: _Slot, now: datetime) -> datetime | None:
        """When a pending episode may fire at the earliest: its `for` held, the cool-down over, the snooze or
        mute lifted (None: muted until unmuted)."""
        if slot.since is None:
            return None
        wake = slot.since + timedelta(seconds=rule.for_s)
        if slot.fired_at is not None and rule.cooldown_s:
            wake = max(wake, slot.fired_at + timedelta(seconds=rule.cooldown_s))
        silenced = self.silenced(rule.name, now)
        if silenced is not None:
            if silenced[1] is None:
                return None
            wake = max(wake, silenced[1])
        return wake

    # ------------------------------------------------------------------------------------------ user controls

    def snooze(self, name: str, until: datetime) -> None:
        """No firings of rule `name` before `until` (its episodes are still tracked)."""
        self._snoozes[name] = until
        if self.store is not None:
            self.store.alerts.set_snooze(name, until)

    def unsnooze(self, name: str) -> None:
        self._snoozes.pop(name, None)
        self._sched.everything(self.rules)  # pending episodes may fire now, not at the snooze's end
        if self.store is not None:
            self.store.alerts.clear_snooze(name)

    def mute_all(self, until: datetime | None = None) -> None:
        """No firings at all until `until` (None: until `unmute_all`)."""
        self.snooze(MUTE_ALL, until)  # type: ignore[arg-type]

    def unmute_all(self) -> None:
        self.unsnooze(MUTE_ALL)

    def silenced(self, name: str, now: datetime) -> tuple[RuleState, datetime | None] | None:
        """("muted" | "snoozed", until) when rule `name` may not fire at `now`; None when it may."""
        if MUTE_ALL in self._snoozes:
            until = self._snoozes[MUTE_ALL]
            if until is None or until > now:
                return "muted", until
        until = self._snoozes.get(name)
        if until is not None and until > now:
            return "snoozed", until
        return None

    # ------------------------------------------------------------------------------------------ reading

    def views(self, now: datetime, firings: int = 5) -> list[RuleView]:
        """Every rule's state for the Alerts view (the most urgent over its subjects), with its last firings."""
        return [ev.rule_view(self, rule, now, firings) for rule in self.rules]

    def active_count(self, now: datetime) -> int:
        """Episodes that fired and are still on (the status line's count)."""
        return sum(
            1
            for r in self.rules
            for slot in self.rule_slots.get(r.name, {}).values()
            if slot.status == "fired"
        )

    def links(self, now: datetime) -> dict[str, CallLink]:
        """Every tracked call's room link (reservation text or stored link)."""
        return self.cached_links(now)

    def room_marks(self, now: datetime, ghost_after: timedelta | None = None) -> dict[str, RoomMark]:
        """room id → ghost / squatter mark, from the engine's own call history (what the grid shows)."""
        after = GHOST_AFTER if ghost_after is None else ghost_after
        if self.rooms_failed:
            return {}
        by_room: dict[str, list[tuple[CallSeen, CallLink]]] = {}
        for link in self.links(now).values():
            track = self.calls[link.sid]
            seen = track.good if not track.failed and track.good is not None else track.seen
            by_room.setdefault(link.room_id, []).append((seen, link))
        since = {sid: t.since for sid, t in self.calls.items() if t.since is not None}
        marks: dict[str, RoomMark] = {}
        for room in self.rooms:
            linked = by_room.get(room.id)
            if linked:
                mark = room_mark(now, room, linked, since, after, ZoneInfo(self.time_zone))
                if mark is not None:
                    marks[room.id] = mark
        return marks

    def history(self, rule: str | None = None, limit: int = 20) -> list[FiringView]:
        if self.store is None:
            return []
        return [FiringView(f.at, f.subject, f.label, f.lines) for f in self.store.alerts.firings(rule, limit)]
