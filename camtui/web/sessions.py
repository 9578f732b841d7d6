"""Browser sessions: one app process per tab, at most N at once, reaped when the tab goes or sits idle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from textual_serve.app_service import AppService

log = logging.getLogger("camtui.web")
STOP_GRACE = 5.0
"""Seconds an app process gets to quit when asked before it is killed."""


class CamAppService(AppService):
    """textual-serve's app service with camtui's extra environment for the child (read-only, kiosk…)."""

    def __init__(self, *args: Any, extra_env: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._extra_env = extra_env

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        env = super()._build_environment(width=width, height=height)
        env.update(self._extra_env)
        return env

    @property
    def pid(self) -> int | None:
        process = getattr(self, "_process", None)
        return None if process is None else process.pid

    async def stop_or_kill(self) -> None:
        """Ask the app to quit; kill it if it has not within STOP_GRACE (a hung child never holds a slot)."""
        try:
            await asyncio.wait_for(self.stop(), STOP_GRACE)
        except (TimeoutError, Exception):
            process = getattr(self, "_process", None)
            if process is not None and process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(process.wait(), STOP_GRACE)


@dataclass(eq=False)
class Session:
    service: CamAppService
    close: Callable[[], Any]
    started: float = field(default_factory=time.monotonic)
    last_input: float = field(default_factory=time.monotonic)

    def touch(self) -> None:
        self.last_input = time.monotonic()


class Sessions:
    """The live sessions, the limit and the idle reaper."""

    def __init__(self, limit: int, idle_timeout: float) -> None:
        self.limit = limit
        self.idle_timeout = idle_timeout
        self.live: set[Session] = set()
        self._reaper: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self.live)

    @property
    def full(self) -> bool:
        return len(self.live) >= self.limit

    def add(self, session: Session) -> None:
        self.live.add(session)

    def discard(self, session: Session) -> None:
        self.live.discard(session)

    def start_reaper(self) -> None:
        if self.idle_timeout > 0 and self._reaper is None:
            self._reaper = asyncio.create_task(self._reap_forever())

    async def stop(self) -> None:
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
        await asyncio.gather(*(s.service.stop_or_kill() for s in list(self.live)), return_exceptions=True)

    async def _reap_forever(self) -> None:
        tick = max(0.2, min(5.0, self.idle_timeout / 4))
        while True:
            await asyncio.sleep(tick)
            now = time.monotonic()
            for session in list(self.live):
                if now - session.last_input > self.idle_timeout:
                    log.info("session idle for %.0f s: closing it", now - session.last_input)
                    with contextlib.suppress(Exception):
                        await session.close()
