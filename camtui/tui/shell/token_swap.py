"""Using another API token for this session ("Set API token…" in the palette), and going back to the first one.

The new client is made like the first one; on a read-only dashboard it is wrapped read-only again, so a token
typed into a wall display can never send anything."""

from __future__ import annotations

from typing import Any

from textual import work

from camtui.tui.shell.screens import TokenScreen


class TokenSwap:
    """Mixed into the app: needs `client`, `settings`, `read_only`, `_started_with_token`, `_close_on_exit`."""

    client: Any
    settings: Any
    read_only: bool
    _started_with_token: str | None
    _close_on_exit: bool

    def action_set_token(self) -> None:
        self.push_screen(TokenScreen(), self._token_entered)  # type: ignore[attr-defined]

    def action_restore_token(self) -> None:
        if self._started_with_token:
            self._swap_client(self._started_with_token)

    def _token_entered(self, token: str | None) -> None:
        if token:
            self._swap_client(token)

    @work(group="shell-client", exclusive=True, exit_on_error=False)
    async def _swap_client(self, token: str) -> None:
        from camtui.api import CAMClient

        settings = self.settings.with_changes(api_token=token)
        old = self.client
        client: Any = CAMClient(
            settings.server_url or old.server_url,
            token,
            timeout=settings.timeout_seconds,
            read_budget=settings.read_budget_seconds,
            ca_bundle=settings.ca_bundle,
            verify=settings.verify_tls,
        )
        if self.read_only:
            from camtui.api.read_only import ReadOnlyClient

            client = ReadOnlyClient(client)
        self.client = client
        self.settings = settings
        self.notify(  # type: ignore[attr-defined]
            "Using the new token for this session (camtui init --force saves it).", markup=False
        )
        self.action_retry_now()  # type: ignore[attr-defined]
        if self._close_on_exit:
            await old.aclose()
