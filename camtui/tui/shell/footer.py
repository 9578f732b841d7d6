"""The key bar: Textual's Footer, rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    """Textual recomposes its Footer on every bindings change, mounting every key again (~15 ms each): three
    in a row at start-up (auto focus, screen resume, a focus set after a refresh) and one per focus move, most
    showing the same keys. Here one rebuild waits at a time, and it is skipped when the shown keys are those
    already on screen. Textual 8.2.8's Footer (pinned): `bindings_changed` and `_bindings_ready` are its own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rebuild_pending = False
        self._shown: tuple[object, ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        self._rebuild_pending = False
        if not self.is_attached:
            return
        shown = self._shown_keys()
        if shown == self._shown:
            return
        self._shown = shown
        await self.recompose()

    def _shown_keys(self) -> tuple[object, ...]:
        """What compose would draw from: each shown binding, its key as displayed, enabled and tooltip."""
        display = self.app.get_key_display
        return tuple(
            (binding.action, binding.key, display(binding), binding.description, binding.group, enabled, tip)
            for (_node, binding, enabled, tip) in self.screen.active_bindings.values()
            if binding.show
        )
