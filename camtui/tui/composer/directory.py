"""The user directory behind the recipient autocomplete: the cached export at once, a fresh one in the
background, contacts only (800: not an admin token) or offline, refreshed every few hours.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual import work

from camtui.common.memory import release_free_memory
from camtui.compose.index_build import cached_matcher, matcher_from_export
from camtui.compose.index_file import release_pages
from camtui.compose.matcher import RecipientMatcher
from camtui.tui.composer.form import DIRECTORY_REFRESH_SECONDS, DIRECTORY_RETRY_SECONDS, NOTICE_KEY
from camtui.tui.shell.events import PaneStatus

PAGE_RELEASE_SECONDS = 20.0


class DirectoryMixin:
    """The directory part of `ComposerPane`: keeps `_matcher` and `_directory_state` current."""

    # ----- the directory --------------------------------------------------------------------------------------

    def _fallback_emails(self) -> list[str]:
        settings = self.app.settings  # type: ignore[attr-defined]
        return [*self.store.directory.used_addresses(5000), *settings.contacts]

    def _use_fallback_matcher(self) -> None:
        self._matcher = RecipientMatcher([], extra_emails=self._fallback_emails(), authoritative=False)

    def _set_matcher(self, matcher: RecipientMatcher, state: str) -> None:
        self._matcher = matcher
        self._directory_state = state
        self._recheck_recipients()
        self._update_footer()

    @work(group="composer-directory", exclusive=True, exit_on_error=False)
    async def _load_directory(self) -> None:
        """The cached export first (instant autocomplete after a restart), then a fresh one in the background."""
        store = self.store
        extra = self._fallback_emails()

        try:
            cached = await asyncio.to_thread(cached_matcher, store, extra)
        except Exception as exc:  # the index could not be built: the refresh below may still work
            cached = None
            self.app.report_error(exc, "composer")  # type: ignore[attr-defined]
        if cached is not None:
            self._set_matcher(cached, "cached")
        await self._refresh_directory()

    async def _refresh_directory(self) -> None:
        from camtui.api import CAMAPIError

        app: Any = self.app
        if getattr(app, "auth_failed", False):
            self._arm_directory_refresh(DIRECTORY_RETRY_SECONDS)
            return
        try:
            export = [await app.client.export_users_csv(check_utf8=False)]
        except CAMAPIError as exc:
            if exc.code == "800":
                self._directory_not_admin()
                return
            self._directory_failed(exc)
            return
        except Exception as exc:  # TransportError and anything unexpected: keep the cache, try later
            self._directory_failed(exc)
            return
        store = self.store
        extra = self._fallback_emails()

        try:  # stored and indexed in a child process; the index file is mapped (compose/index_build.py)
            matcher = await asyncio.to_thread(matcher_from_export, store, export, extra)
        except Exception as exc:  # an unreadable CSV or a failed build: keep the cache, try later
            self._directory_failed(exc)
            return
        finally:
            export.clear()
        await asyncio.to_thread(release_free_memory)  # the export's bytes go back to the system
        self._set_matcher(matcher, "fresh")
        store.ui_state.delete(NOTICE_KEY)
        self.post_message(PaneStatus("composer", ok=True, when=app.clock()))
        self._arm_directory_refresh(DIRECTORY_REFRESH_SECONDS)

    def _arm_page_release(self) -> None:
        """Typing maps pages of the directory's index file; once the recipients have rested a while they are
        handed back (the memory the app holds returns to its resting size; see compose/index_file.py)."""
        timer = getattr(self, "_pages_timer", None)
        if timer is not None:
            timer.stop()
        self._pages_timer = self.set_timer(  # type: ignore[attr-defined]
            PAGE_RELEASE_SECONDS, lambda: release_pages(self._matcher), name="composer-index-pages"
        )

    def _arm_directory_refresh(self, seconds: float) -> None:
        """One pending refresh at a time (re-armed after each attempt, never overlapping)."""
        if self._directory_timer is not None:
            self._directory_timer.stop()
        self._directory_timer = self.set_timer(
            seconds, self.action_refresh_directory, name="composer-directory-refresh"
        )

    def _directory_not_admin(self) -> None:
        """800: this token cannot export users. Fall back to addresses used before and config contacts."""
        # The server answered (and accepted the token): the composer is connected, just without a directory.
        self.post_message(PaneStatus("composer", ok=True, when=self.app.clock()))  # type: ignore[attr-defined]
        if self._directory_state != "cached":
            self._use_fallback_matcher()
            self._directory_state = "contacts"
            self._recheck_recipients()
        self._update_footer()
        if not self.store.ui_state.get(NOTICE_KEY):
            self.store.ui_state.set(NOTICE_KEY, True)
            where = (
                "the cached directory"
                if self._directory_state == "cached"
                else ("addresses used before and config contacts; recipients are not checked")
            )
            self.notify(
                f"The user directory needs an administrator token (800). Autocomplete uses {where}.",
                title="Composer",
                severity="warning",
                timeout=10,
                markup=False,
            )

    def _directory_failed(self, exc: BaseException) -> None:
        if self._directory_state == "loading":
            self._directory_state = "offline"
        self._update_footer()
        self.app.report_error(exc, "composer")  # type: ignore[attr-defined]
        self._arm_directory_refresh(DIRECTORY_RETRY_SECONDS)

    def action_refresh_directory(self) -> None:
        self._refresh_worker()

    def on_auth_state_changed(self, event: Any) -> None:
        """The shell fixed the token or asked for a retry: fetch the directory again if it is not fresh."""
        if not getattr(event, "failed", True) and self._directory_state != "fresh":
            self.action_refresh_directory()

    @work(group="composer-directory", exclusive=True, exit_on_error=False)
    async def _refresh_worker(self) -> None:
        await self._refresh_directory()
