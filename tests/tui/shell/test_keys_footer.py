"""The key bar rebuilds once for a burst of binding changes, not at all when the shown keys stay the same, and
at once when they differ (it still shows the focused widget's keys)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, Input

from camtui.tui.shell.footer import KeysFooter


class Plain(Button):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("x", "noop", "Same keys")]

    def action_noop(self) -> None:
        pass


class Other(Input):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+y", "noop", "Other keys")]

    def action_noop(self) -> None:
        pass


class Host(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Plain("one", id="one")
        yield Plain("two", id="two")
        yield Other(id="other")
        yield KeysFooter()


def shown(app: Host) -> list[str]:
    from textual.widgets._footer import FooterKey

    return [key.description for key in app.query(FooterKey)]


async def test_the_key_bar_follows_focus_and_rebuilds_only_when_its_keys_change(monkeypatch) -> None:
    rebuilds: list[int] = []
    recompose = KeysFooter.recompose

    async def counting(self: KeysFooter) -> None:
        rebuilds.append(1)
        await recompose(self)

    monkeypatch.setattr(KeysFooter, "recompose", counting)
    app = Host()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeysFooter)
        app.query_one("#one").focus()
        await pilot.pause()
        start = len(rebuilds)
        assert "Same keys" in shown(app) and "Quit" in shown(app)

        for _ in range(3):  # a burst: one rebuild at most, and none here (the same keys)
            app.screen.refresh_bindings()
        app.query_one("#two").focus()  # another widget with the same keys
        await pilot.pause()
        await pilot.pause()
        assert len(rebuilds) == start

        app.query_one("#other").focus()
        await pilot.pause()
        await pilot.pause()
        assert len(rebuilds) == start + 1
        assert "Other keys" in shown(app) and "Same keys" not in shown(app)

        for _ in range(3):
            app.screen.refresh_bindings()
        app.query_one("#one").focus()
        await pilot.pause()
        await pilot.pause()
        assert len(rebuilds) == start + 2
        assert "Same keys" in shown(app)
        assert footer.is_attached
