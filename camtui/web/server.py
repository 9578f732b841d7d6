"""The web server: the page, the websocket that drives one app process per tab, camtui's auth and limits.

Built on textual-serve's AppService (the process protocol) with camtui's own aiohttp routes: the stock server has
no authentication, no session limit, and a page that needs Google Fonts. Here the page needs nothing from the
internet (textual.js and xterm.css from textual-serve's package, Roboto Mono from its package, Japanese glyphs
from the system's Noto CJK font), and the API token stays in the server-side app processes."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import textual_serve
from aiohttp import WSMsgType, web
from textual_serve.download_manager import DownloadManager

from camtui.common import safe_json
from camtui.web.auth import COOKIE, Gate
from camtui.web.sessions import CamAppService, Session, Sessions

log = logging.getLogger("camtui.web")
STATIC = Path(textual_serve.__file__).parent / "static"
TEMPLATE = Path(__file__).parent / "templates" / "index.html"
MAX_MESSAGE = 1 << 20
"""Largest websocket message a browser may send (keystrokes and resizes are tiny)."""


@dataclass(frozen=True)
class WebOptions:
    command: str
    """Shell command that runs one app process (`python -m camtui … web-session`)."""
    extra_env: dict[str, str]
    title: str = "camtui"
    max_sessions: int = 8
    idle_timeout: float = 1800.0
    kiosk: bool = False
    font_size: int = 16


def _plain(status: int, title: str, text: str) -> web.Response:
    body = (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
        f"<body style='font-family:sans-serif;margin:3em'><h1>{html.escape(title)}</h1>"
        f"<p>{html.escape(text)}</p></body></html>"
    )
    return web.Response(status=status, text=body, content_type="text/html", charset="utf-8")


def forbidden() -> web.Response:
    return _plain(
        403, "403 Forbidden", "This camtui dashboard needs the link with its key, as printed at start."
    )


class WebServer:
    def __init__(self, options: WebOptions, gate: Gate) -> None:
        self.options = options
        self.gate = gate
        self.sessions = Sessions(options.max_sessions, options.idle_timeout)
        self.downloads = DownloadManager()
        self._page = TEMPLATE.read_text(encoding="utf-8")
        self._script = patched_script((STATIC / "js" / "textual.js").read_text(encoding="utf-8"))

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_MESSAGE)
        app.add_routes(
            [
                web.get("/", self.handle_index),
                web.get("/ws", self.handle_websocket),
                web.get("/static/js/textual.js", self.handle_script),
                web.static("/static", STATIC, show_index=False),
            ]
        )
        app.on_startup.append(self._on_startup)
        app.on_shutdown.append(self._on_shutdown)
        return app

    async def _on_startup(self, _app: web.Application) -> None:
        self.sessions.start_reaper()

    async def _on_shutdown(self, _app: web.Application) -> None:
        await self.sessions.stop()

    # ----- the page ----------------------------------------------------------------------------------------

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        key = request.query.get("key")
        if key is not None:
            if not self.gate.key_ok(key):
                return forbidden()
            # Trade the key for a cookie and drop it from the address bar (and from the browser's history).
            query = {k: v for k, v in request.query.items() if k != "key"}
            target = "/" + (("?" + "&".join(f"{k}={v}" for k, v in query.items())) if query else "")
            response = web.HTTPSeeOther(target)
            response.set_cookie(
                COOKIE,
                self.gate.cookie_value(),
                httponly=True,
                samesite="Strict",
                path="/",
                secure=request.secure,
            )
            response.headers["Cache-Control"] = "no-store"
            raise response
        if not self.gate.cookie_ok(request.cookies.get(COOKIE)):
            return forbidden()
        if self.sessions.full:
            return _plain(
                503,
                "camtui is busy",
                f"{len(self.sessions)} sessions are open (the limit). Close a tab and reload.",
            )
        font = _int(request.query.get("fontsize"), self.options.font_size, 8, 64)
        page = (
            self._page.replace("{{title}}", html.escape(self.options.title))
            .replace("{{font_size}}", str(font))
            .replace("{{kiosk}}", "true" if self.options.kiosk else "false")
        )
        return web.Response(
            text=page,
            content_type="text/html",
            charset="utf-8",
            headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
        )

    async def handle_script(self, _request: web.Request) -> web.Response:
        return web.Response(
            text=self._script,
            content_type="application/javascript",
            charset="utf-8",
            headers={"Cache-Control": "no-cache"},
        )

    # ----- the websocket -----------------------------------------------------------------------------------

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        if not self.gate.cookie_ok(request.cookies.get(COOKIE)) or not _same_origin(request):
            return forbidden()
        if self.sessions.full:
            return _plain(503, "camtui is busy", "too many sessions")
        width = _int(request.query.get("width"), 80, 20, 1000)
        height = _int(request.query.get("height"), 24, 5, 500)
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
        await websocket.prepare(request)
        service = CamAppService(
            self.options.command,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.downloads,
            debug=False,
            extra_env=self.options.extra_env,
        )
        session = Session(service, websocket.close)
        self.sessions.add(session)
        try:
            await service.start(width, height)
            await self._pump(websocket, service, session)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:  # one session's failure never reaches the server or the other sessions
            log.exception("session failed")
        finally:
            self.sessions.discard(session)
            await service.stop_or_kill()
            with contextlib.suppress(Exception):
                await websocket.close()
        return websocket

    async def _pump(self, websocket: web.WebSocketResponse, service: CamAppService, session: Session) -> None:
        """Browser → app: keys, resizes, focus. Anything malformed is ignored, never a crash."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = safe_json.loads(message.data)  # 200,000 `[` from a page is ignored, not a crash
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                session.touch()
                await service.send_bytes(data.encode("utf-8", "replace"))  # a lone surrogate: "?"
            elif kind == "resize" and isinstance(data, dict):
                session.touch()
                await service.set_terminal_size(
                    _int(data.get("width"), 80, 20, 1000), _int(data.get("height"), 24, 5, 500)
                )
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()


TERMINAL_NEW = (
    "this.terminal=new v.Terminal({allowProposedApi:!0,fontSize:i,scrollback:0,"
    "fontFamily:\"'Roboto Mono', Monaco, 'Courier New', monospace\"})"
)
TERMINAL_OURS = (
    "this.terminal=window.camtuiTerminal=new v.Terminal({allowProposedApi:!0,fontSize:i,scrollback:0,"
    "fontFamily:\"'Roboto Mono', 'Noto Sans Mono CJK JP', monospace\"})"
)


def patched_script(script: str) -> str:
    """textual-serve's page script with camtui's font stack (Japanese from the system's Noto CJK) and the
    terminal reachable as `window.camtuiTerminal` (so tests and screen readers can read its text).

    The script is textual-serve's (pinned), changed in memory at start; if its text ever differs, it is
    served unchanged and the page still works with the stock fonts."""
    if TERMINAL_NEW not in script:
        log.warning("textual-serve's script has changed: serving it without camtui's font stack")
        return script
    return script.replace(TERMINAL_NEW, TERMINAL_OURS, 1)


def _int(value: object, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


def _same_origin(request: web.Request) -> bool:
    """A browser sends Origin on a websocket: refuse pages of other sites (cross-site websocket hijacking)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == (request.host or "").lower()
