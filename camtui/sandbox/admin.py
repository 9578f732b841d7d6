"""Sandbox-only endpoints under `/_sandbox/` (admin token): what tests and demos need to look inside.

- `GET /_sandbox/messages[?since=ID]` delivered messages, newest last
- `GET /_sandbox/stats` counters and table sizes
- `GET /_sandbox/calls[?all=1]` the live quick calls (all calls with `all=1`)
- `GET /_sandbox/chatrooms` chat rooms with members
- `GET|POST /_sandbox/faults` read / set the fault plan (`{}` clears it)
- `POST /_sandbox/call` `{"sid": …, "participants": N}` set a call's participants (the simulation then leaves
  that call alone: phase "held")
- `POST /_sandbox/simulate` `{"steps": N}` advance the simulation deterministically
- `POST /_sandbox/unlock` forget lock-outs and rate-limit buckets
These are never subject to faults, lock-out or rate limits, so a test can always repair the server.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from camtui.api import lenient_json
from camtui.sandbox import shapes, simulation
from camtui.sandbox.body import BodyTooLarge, read_limited
from camtui.sandbox.errors import ApiError, bad_request
from camtui.sandbox.faults import FaultPlan
from camtui.sandbox.responses import error_response, json_response, token_matches
from camtui.sandbox.state import SandboxState

MAX_SIM_STEPS = 10_000


async def endpoint(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    name = request.path_params["name"]
    try:
        token = request.headers.get("x-cam-apitoken", "").strip()
        if not (token and token_matches(token, state.admin_token)):
            raise ApiError("800" if token and token_matches(token, state.user_token) else "805")
        handler = HANDLERS.get((request.method if request.method != "HEAD" else "GET", name))
        if handler is None:
            raise ApiError("400", f"/_sandbox/{name[:40]} に {request.method} はありません", http_status=404)
        return json_response({"status": 200, **await handler(request, state)})
    except ApiError as exc:
        return error_response(exc)
    except ClientDisconnect:  # the client left mid-body: nobody to answer
        state.counters.disconnects += 1
        return Response(status_code=400)


async def _json_body(request: Request) -> Any:
    declared = request.headers.get("content-length", "")
    try:  # never buffer more than the API methods would (5 MB)
        raw = await read_limited(request.stream(), int(declared) if declared.isdigit() else None)
    except BodyTooLarge:
        raise bad_request("body too large") from None
    if not raw.strip():
        return {}
    try:
        return lenient_json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise bad_request(f"JSON: {exc}") from None


async def messages(request: Request, state: SandboxState) -> dict[str, Any]:
    since = request.query_params.get("since", "").lstrip("m") or "0"
    if not since.isdigit():
        raise bad_request("since must be a message id")
    rows = state.conn.execute(
        "SELECT id, method, destination, recipients, text, seal, time_ms, item_index FROM messages"
        " WHERE id > ? ORDER BY id",
        (int(since),),
    )
    return {"messages": [shapes.delivered_message(r) for r in rows]}


async def stats(request: Request, state: SandboxState) -> dict[str, Any]:
    c = state.counters
    conn = state.conn
    counts = {
        table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("users", "rooms", "reservations", "chat_rooms", "calls", "messages")
    }
    return {
        "uptimeSeconds": round(time.time() - c.started, 3),
        "requests": c.requests,
        "byMethod": dict(c.by_method),
        "byCode": dict(c.by_code),
        "faults": dict(c.faults),
        "badTokens": c.bad_tokens,
        "lockouts": c.lockouts,
        "rateLimited": c.rate_limited,
        "disconnects": c.disconnects,
        "messagesDelivered": c.messages_delivered,
        "callsCreated": c.calls_created,
        "simulationSteps": c.simulation_steps,
        "simulationRunning": state.simulation,
        "answersReused": state.answers.hits,
        "answersKept": len(state.answers),
        "counts": counts,
        "reservationMonths": [
            r[0] for r in conn.execute("SELECT month FROM reservation_months ORDER BY month")
        ],
        "faultPlan": state.faults.to_json(),
    }


async def calls(request: Request, state: SandboxState) -> dict[str, Any]:
    now = state.now_ms()
    every = request.query_params.get("all") in ("1", "true", "yes")
    rows = state.conn.execute(
        "SELECT sid, title, creation_ms, expired_ms, participants, capacity, phase, origin FROM calls"
        " ORDER BY creation_ms, sid"
    ).fetchall()
    base = str(request.base_url).rstrip("/")
    out = []
    for sid, title, created, expired, participants, capacity, phase, origin in rows:
        if not every and expired <= now:
            continue
        item = shapes.call_stats(sid, title, created, expired, participants, now)
        item.update(sid=sid, url=f"{base}/share/{sid}", capacity=capacity, phase=phase, origin=origin)
        out.append(item)
    return {"calls": out}


async def chatrooms(request: Request, state: SandboxState) -> dict[str, Any]:
    conn = state.conn
    rooms = []
    for room_id, name, creator, admin_uid, public in conn.execute(
        "SELECT id, name, create_user_id, admin_user_id, is_public FROM chat_rooms ORDER BY created_ms, id"
    ):
        members = [r[0] for r in conn.execute("SELECT uid FROM chat_members WHERE room_id = ?", (room_id,))]
        rooms.append(shapes.chat_room(room_id, name, creator, admin_uid, bool(public), sorted(members)))
    return {"chatRooms": rooms}


async def get_faults(request: Request, state: SandboxState) -> dict[str, Any]:
    return {"faults": state.faults.to_json()}


async def set_faults(request: Request, state: SandboxState) -> dict[str, Any]:
    data = await _json_body(request)
    try:
        state.faults = FaultPlan.from_mapping(data)
    except (ValueError, TypeError) as exc:
        raise bad_request(str(exc), field="faults") from None
    return {"faults": state.faults.to_json()}


MAX_PARTICIPANTS = 10_000


async def set_call(request: Request, state: SandboxState) -> dict[str, Any]:
    """Drive a call's participants by hand (tests, demos): alert conditions without waiting for the simulation.
    An expired call stays expired (the clock decides that, as for real calls)."""
    data = await _json_body(request)
    if not isinstance(data, dict):
        raise bad_request("expected a JSON object {sid, participants}")
    sid, count = data.get("sid"), data.get("participants")
    if not isinstance(sid, str) or not sid:
        raise bad_request("sid must be a call id", field="sid")
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_PARTICIPANTS:
        raise bad_request(f"participants must be an integer 0..{MAX_PARTICIPANTS}", field="participants")
    row = state.conn.execute("SELECT title, creation_ms, expired_ms FROM calls WHERE sid = ?", (sid,))
    found = row.fetchone()
    if found is None:
        raise ApiError("400", f"そのWeb会議はありません: {sid[:40]}", http_status=404)
    title, created, expired = found
    state.conn.execute(
        "UPDATE calls SET participants = ?, capacity = MAX(capacity, ?), phase = 'held' WHERE sid = ?",
        (count, count, sid),
    )
    now = state.now_ms()
    return {
        "call": {**shapes.call_stats(sid, title, created, expired, count, now), "sid": sid, "phase": "held"}
    }


async def simulate(request: Request, state: SandboxState) -> dict[str, Any]:
    data = await _json_body(request)
    steps = data.get("steps", 1) if isinstance(data, dict) else None
    if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps <= MAX_SIM_STEPS:
        raise bad_request(f"steps must be an integer 0..{MAX_SIM_STEPS}", field="steps")
    simulation.step(state, steps)
    return {"step": state.simulation_step}


async def unlock(request: Request, state: SandboxState) -> dict[str, Any]:
    state.lockout.clear()
    if state.rate_limiter is not None:
        state.rate_limiter = type(state.rate_limiter)(state.rate_limiter.rate, state.rate_limiter.burst)
    return {}


HANDLERS = {
    ("GET", "messages"): messages,
    ("GET", "stats"): stats,
    ("GET", "calls"): calls,
    ("GET", "chatrooms"): chatrooms,
    ("GET", "faults"): get_faults,
    ("POST", "faults"): set_faults,
    ("POST", "call"): set_call,
    ("POST", "simulate"): simulate,
    ("POST", "unlock"): unlock,
}
