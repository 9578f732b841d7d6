"""Running a firing's actions: toasts (the dashboard shows them), messages through the outbox, and the expiry
guard's successor call.

Every message goes through `camtui.compose.sender` (in the outbox before its request leaves; an unknown outcome
stays `unknown` there, visible in the composer's Outbox, never resent without the user's word). A successor call
is created at most once: the firing is in the store before this runs, so neither a retry nor a restart makes a
second one; when createQuickCall's outcome is unknown, no call is assumed, none is made again, and its messages
are not sent (they would carry no link). What was done is written to the firing, one line per action.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from camtui.alerts.model import ActionPlan, Firing
from camtui.alerts.templates import render
from camtui.api.errors import CAMAPIError, OutcomeUnknown, TransportError
from camtui.api.models import MESSENGER
from camtui.common.clock import Clock, system_clock
from camtui.compose.sender import deliver_entry, queue_message
from camtui.store import Store

PLANNED = "planned: "
CREATING = "successor call: being created"


async def perform(
    firing: Firing,
    client: Any,
    store: Store,
    *,
    clock: Clock = system_clock,
    on_line: Callable[[str], None] | None = None,
    time_zone: str = "Asia/Tokyo",
) -> list[str]:
    """Run `firing`'s actions in order; returns (and stores) one line per action. Never raises for an API or
    network failure: each is reported in its line."""
    lines: list[str] = []
    values = dict(firing.context)
    successor_ok: bool | None = None
    todo = planned_lines(firing.actions)

    def note(line: str) -> None:
        lines.append(line)
        if firing.firing_id:
            store.alerts.set_firing_lines(firing.firing_id, lines + todo[len(lines) :])
        if on_line is not None:
            on_line(line)

    for plan in firing.actions:
        if plan.kind == "toast":
            note(f"toast: {plan.text}")
        elif plan.kind == "send":
            note(await _send(client, store, plan, plan.text, firing.rule))
        elif plan.kind == "successor":
            if firing.firing_id:
                store.alerts.set_firing_lines(firing.firing_id, [*lines, CREATING, *todo[len(lines) + 1 :]])
            line, created = await _successor(client, store, plan, firing, clock(), ZoneInfo(time_zone))
            successor_ok = created is not None
            if created is not None:
                values.update(created)
            note(line)
        elif plan.kind == "successor_send":
            if not successor_ok:
                note(f"{_dest(plan)}: not sent (no successor call, so no link to send)")
            else:
                note(await _send(client, store, plan, render(plan.text, values), firing.rule))
    return lines


async def _send(client: Any, store: Store, plan: ActionPlan, text: str, rule: str) -> str:
    if plan.send == MESSENGER and not plan.users:
        return "message: not sent (organizer = true, but no reservation is linked: nobody to send it to)"
    entry = queue_message(store, plan.send, text, plan.seal, plan.users)
    outcome = await deliver_entry(client, store, entry.id, source=f"alert: {rule}")
    return f"{_dest(plan)}: {outcome.summary}"


def _dest(plan: ActionPlan) -> str:
    if plan.send == MESSENGER:
        return "message to " + (", ".join(plan.users) or "(nobody: no linked reservation)")
    return f"message to chat room {plan.send}"


async def _successor(
    client: Any, store: Store, plan: ActionPlan, firing: Firing, now: datetime, zone: ZoneInfo
) -> tuple[str, dict[str, str] | None]:
    expires = now + timedelta(seconds=plan.expires_in_s)
    try:
        call = await client.create_quick_call(expires, plan.password, plan.title)
    except OutcomeUnknown as exc:
        return f"successor call: outcome unknown, not retried (check before making one by hand): {exc}", None
    except (CAMAPIError, TransportError) as exc:
        return f"successor call: not created: {exc}", None
    store.calls.watch(
        call.sid,
        title=call.title,
        url=call.url,
        password=call.password,
        presenter_pass=call.presenter_pass,
        origin="successor",
        created=now,
        expires=call.expired_date,
        now=now,
    )
    old_sid = firing.subject.removeprefix("call:")
    room = store.call_links.get(old_sid)
    if room is not None:
        store.call_links.link(call.sid, room)
    created = {
        "successor.url": call.url,
        "successor.title": call.title,
        "successor.expires": call.expired_date.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
    }
    return (
        f"successor call: created {call.url} (expires {created['successor.expires']}), now watched",
        created,
    )


def planned_lines(actions: Sequence[ActionPlan]) -> list[str]:
    """What a firing will do, one line per action, before any of it runs (the store holds these first)."""
    out = []
    for a in actions:
        if a.kind == "successor":
            out.append(f"{PLANNED}successor call {a.title!r} for {int(a.expires_in_s // 60)} min")
        elif a.kind == "toast":
            out.append(
                f"toast: {a.text}"
            )  # shown with the firing itself (headless: logged): nothing left to do
        else:
            out.append(f"{PLANNED}{_dest(a)}")
    return out


def recover_interrupted(store: Store) -> int:
    """Firings a dead process left half-done: their unfinished lines say so (nothing is redone). Returns how
    many were marked."""
    count = 0
    for firing in store.alerts.firings(limit=200):
        lines = list(firing.lines)
        changed = False
        for i, line in enumerate(lines):
            if line.startswith(PLANNED):
                lines[i] = (
                    f"not done: {line.removeprefix(PLANNED)} (camtui stopped before it ran; not retried)"
                )
                changed = True
            elif line == CREATING:
                lines[i] = (
                    "successor call: camtui stopped while creating it; it may or may not exist (not retried)"
                )
                changed = True
        if changed:
            store.alerts.set_firing_lines(firing.id, lines)
            count += 1
    return count
