"""Typing into an open recipient list repaints the field and the list without laying the screen out: the box
keeps its size (one-line field of width 1fr, as many suggestions as before). Opening or shrinking the list still
lays out, since its row grows or shrinks."""

from __future__ import annotations

from pathlib import Path

from test_composer_support import make_composer_app, ready, type_text, until
from textual.content import Content
from textual.widget import Widget

from camtui.api import CAMClient
from camtui.sandbox.runner import RunningSandbox
from camtui.store import Store
from camtui.tui.composer.dropdown import SuggestionDropdown


async def test_keys_in_an_open_list_lay_nothing_out(
    sandbox: RunningSandbox, tmp_path: Path, monkeypatch
) -> None:
    layouts: list[str] = []
    refresh = Widget.refresh

    def recording(self: Widget, *regions, layout: bool = False, **kwargs):  # type: ignore[no-untyped-def]
        if layout:
            layouts.append(f"{type(self).__name__}#{self.id}")
        return refresh(self, *regions, layout=layout, **kwargs)

    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        app = make_composer_app(client, Store.open(tmp_path / "c.db"))
        async with app.run_test(size=(140, 40)) as pilot:
            pane = await ready(pilot)
            dropdown = pane.recipients.query_one(SuggestionDropdown)
            pane.recipients.input.focus()
            await type_text(pilot, "y")
            await until(pilot, lambda: len(dropdown.suggestions) == 8, "a full list")
            await pilot.pause(0.1)
            shown = [s.value for s in dropdown.suggestions]
            monkeypatch.setattr(Widget, "refresh", recording)
            await type_text(pilot, "u")  # still eight people, other ones (yoko.… → yui.…)
            await until(pilot, lambda: [s.value for s in dropdown.suggestions] != shown, "new suggestions")
            await pilot.pause(0.1)
            assert len(dropdown.suggestions) == 8
            assert layouts == []
            for index, suggestion in enumerate(dropdown.suggestions):  # the new people are what is drawn
                drawn = str(dropdown.get_option_at_index(index).prompt).rstrip("…")
                label = suggestion.label
                assert drawn and (label.plain if isinstance(label, Content) else str(label)).startswith(drawn)

            await type_text(
                pilot, "i.ki"
            )  # fewer people match (yui.kimura): the list shrinks, its row with it
            await until(pilot, lambda: len(dropdown.suggestions) < 8, "a shorter list")
            await pilot.pause(0.1)
            assert layouts, "a list that changes height lays the screen out"
