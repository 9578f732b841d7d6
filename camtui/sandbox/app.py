"""The Starlette application: routing, the API dispatcher (guards, token, body, method) and the fault layer.

Order for `/<method>`: fault plan (outermost, like a flaky load balancer) → body read (drained even when the
request is refused) → lock-out (490) → rate limit (491) → token (805) → admin check (800) → oversize body (400)
→ argument parsing (400) → the method. Every failure is the spec's envelope; nothing ever answers a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import socket
import struct
from collections.abc import AsyncIterator
from html import escape

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from camtui.api import codes
from camtui.sandbox import admin, body, integrators, simulation
from camtui.sandbox.errors import ApiError, bad_request
from camtui.sandbox.faults import NO_FAULT
from camtui.sandbox.guards import retry_after_header
from camtui.sandbox.methods import METHODS, Ctx
from camtui.sandbox.responses import error_response, json_response, token_matches
from camtui.sandbox.state import SandboxState

log = logging.getLogger("camtui.sandbox")
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
GARBAGE = b"<html><head><title>502 Bad Gateway</title></head><body>upstream sent an invalid response</body>"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def read_fields(request: Request, raw: bytes) -> body.Fields:
    """Query string and body merged into fields (body wins), all decoded as strict UTF-8."""
    fields = body.Fields()
    query = request.scope.get("query_string", b"")
    if query:
        fields.values.update(body.parse_urlencoded(body.decode_utf8(query, "query string")))
    if not raw:
        return fields
    content_type = request.headers.get("content-type", "")
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "multipart/form-data":
        parsed = body.parse_multipart(content_type, raw)
        fields.values.update(parsed.values)
        fields.files.update(parsed.files)
        return fields
    text = body.decode_utf8(raw, "body")
    if media == "application/json":
        fields.values.update(body.parse_json_object_body(text))
    else:
        fields.values.update(body.parse_urlencoded(text))
    return fields


async def api_endpoint(request: Request) -> Response:
    state: SandboxState = request.app.state.sandbox
    name = request.path_params["method"]
    counters = state.counters
    counters.requests += 1
    try:
        response = await _dispatch(request, state, name)
        counters.by_code["200" if response.status_code == 200 else str(response.status_code)] += 1
    except ApiError as exc:
        counters.by_code[exc.code] += 1
        response = error_response(exc)
    except ClientDisconnect:  # the client left before sending its body: nobody to answer, nothing went wrong
        counters.disconnects += 1
        response = Response(status_code=400)
    except Exception:  # never a traceback on the wire, never a dead server
        log.exception("unexpected error in %s", name[:80])
        counters.by_code["500"] += 1
        response = json_response(codes.error_body("500"), status=500)
    return response


async def _dispatch(request: Request, state: SandboxState, name: str) -> Response:
    method = METHODS.get(name)
    if method is None:
        raise ApiError("400", f"存在しない API です: {name[:80]}", http_status=404)
    state.counters.by_method[name] += 1
    if request.method not in ("GET", "HEAD", "POST") or (request.method == "HEAD" and method.writes):
        raise ApiError("400", f"{request.method} は使えません (POST か GET)", http_status=405)
    too_large = False
    try:  # read (or drain) the body first, so a refused client sees our answer, not a broken pipe
        raw = await body.read_limited(request.stream(), _content_length(request))
    except body.BodyTooLarge:
        raw, too_large = b"", True
    address = client_address(request)
    if state.lockout.locked(address):
        raise ApiError("490")
    if state.rate_limiter is not None:
        wait = state.rate_limiter.acquire(address)
        if wait > 0:
            state.counters.rate_limited += 1
            raise ApiError("491", headers={"Retry-After": retry_after_header(wait)})
    token = request.headers.get("x-cam-apitoken", "").strip()
    is_admin = bool(token) and token_matches(token, state.admin_token)
    if not is_admin and not (token and token_matches(token, state.user_token)):
        state.counters.bad_tokens += 1
        if state.lockout.record_failure(address):
            state.counters.lockouts += 1
        raise ApiError("805")
    if method.admin and not is_admin:
        raise ApiError("800")
    if too_large:
        raise bad_request(f"リクエストが大きすぎます (最大 {body.MAX_BODY_BYTES // (1024 * 1024)} MB)")
    fields = read_fields(request, raw)
    result = method.handler(Ctx(state, fields, lambda: base_url(request)))
    if isinstance(result, Response):
        return result
    return json_response({"status": 200, **result})


def _content_length(request: Request) -> int | None:
    value = request.headers.get("content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


async def share_page(request: Request) -> Response:
    """The quick call's URL. `?userName=…&password=…` is the spec's auto-login: it joins the call."""
    state: SandboxState = request.app.state.sandbox
    sid = request.path_params["sid"]
    row = state.conn.execute(
        "SELECT title, password, expired_ms, participants FROM calls WHERE sid = ?", (sid,)
    ).fetchone()
    if row is None:
        return HTMLResponse("<h1>Web会議が見つかりません</h1>", status_code=404)
    title, password, expired, participants = row
    if expired <= state.now_ms():
        return HTMLResponse("<h1>このWeb会議は終了しました</h1>", status_code=410)
    user = request.query_params.get("userName")
    if user is not None and request.method == "GET":
        if password and request.query_params.get("password") != password:
            return HTMLResponse("<h1>パスワードが違います</h1>", status_code=403)
        state.conn.execute(
            "UPDATE calls SET participants = participants + 1, capacity = MAX(capacity, participants + 1),"
            " phase = 'live' WHERE sid = ?",
            (sid,),
        )
        participants += 1
    return HTMLResponse(
        f"<h1>{escape(title or 'Web会議')}</h1><p>参加者 {participants} 人</p>"
        + (f"<p>{escape(user)} さんとして参加しました</p>" if user else "")
    )


async def index(request: Request) -> Response:
    return json_response({"status": 200, "name": "camtui sandbox", "methods": sorted(METHODS)})


async def not_found(request: Request, exc: Exception) -> Response:
    return json_response(codes.error_body("400", "このリクエストは無効です。(not found)"), status=404)


async def not_allowed(request: Request, exc: Exception) -> Response:
    return json_response(
        codes.error_body("400", "このリクエストは無効です。(method not allowed)"), status=405
    )


async def server_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, ClientDisconnect):  # a client that went away is not a server failure
        request.app.state.sandbox.counters.disconnects += 1
        return Response(status_code=400)
    log.error("unhandled error", exc_info=exc)
    return json_response(codes.error_body("500"), status=500)


# ---------------------------------------------------------------- fault layer


async def drop_connection(send: Send) -> None:
    """Reset the TCP connection (RST, no response). Reaches uvicorn's transport through its bound `send`
    (under the CORS layer's wrapper, for a request with an Origin)."""
    while isinstance(send, functools.partial):
        send = send.keywords.get("send", send.func)
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionResetError("fault plan: connection reset")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    await asyncio.sleep(0)  # let the server see the connection is gone before the app returns


class FaultLayer:
    """Outermost ASGI layer applying the fault plan to API method requests (never to `/_sandbox/`)."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Starlette's error middleware has already answered the 500 envelope (`server_error`, which logs it)
        # and re-raised; stop the exception here so the server never sees an application crash.
        with contextlib.suppress(Exception):
            await self._call(scope, receive, send)

    async def _call(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = scope["path"][1:]
        if name not in METHODS or not self.state.faults.active:
            await self.app(scope, receive, send)
            return
        decision = self.state.faults.decide(name)
        if decision is NO_FAULT:
            await self.app(scope, receive, send)
            return
        counters = self.state.counters.faults
        if decision.latency_ms:
            counters["latency"] += 1
            await asyncio.sleep(decision.latency_ms / 1000)
        if decision.before == "reset":
            counters["reset_before"] += 1
            await drop_connection(send)
            return
        if decision.before in ("503", "491"):
            counters[f"error_{decision.before}"] += 1
            await _drain(receive)
            error = ApiError(
                decision.before,
                http_status=503 if decision.before == "503" else 200,
                headers={"Retry-After": "1"},
            )
            await error_response(error)(scope, receive, send)
            return
        if decision.after is None:
            await self.app(scope, receive, send)
            return
        captured: list[Message] = []

        async def swallow(message: Message) -> None:
            captured.append(message)

        await self.app(scope, receive, swallow)  # the method runs and commits
        counters[decision.after if decision.after == "garbage" else "reset_after"] += 1
        if decision.after == "reset":
            await drop_connection(send)
        else:
            await Response(GARBAGE, media_type="text/html")(scope, receive, send)


async def _drain(receive: Receive) -> None:
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body"):
            return


# ---------------------------------------------------------------- assembly


def build_app(state: SandboxState) -> ASGIApp:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(simulation.run_forever(state)) if state.simulation else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = Starlette(
        routes=[
            Route("/", index, methods=["GET", "HEAD"]),
            *integrators.ROUTES,
            Route("/_sandbox/{name}", admin.endpoint, methods=ALL_METHODS),
            Route("/share/{sid}", share_page, methods=["GET", "HEAD"]),
            Route("/{method}", api_endpoint, methods=ALL_METHODS),
        ],
        exception_handlers={404: not_found, 405: not_allowed, Exception: server_error},
        lifespan=lifespan,
    )
    app.state.sandbox = state
    return integrators.with_cors(FaultLayer(app, state))
