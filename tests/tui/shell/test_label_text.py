"""`set_text`: the same text changes nothing; a label that keeps its box is repainted without a layout of the
screen; one that may change size is laid out."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Static

from camtui.tui.shell.label_text import pad_to_step, set_text, shown_text


class Labels(App[None]):
    CSS = """
    #fixed { height: 1; }
    #auto { width: auto; }
    #nowrap { text-wrap: nowrap; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="fixed", markup=False)
        yield Static("", id="auto", markup=False)
        yield Static("", id="nowrap", markup=False)
        yield Static("", id="wrapping", markup=False)


async def test_only_a_label_that_may_change_size_lays_the_screen_out() -> None:
    app = Labels()
    async with app.run_test(size=(60, 12)) as pilot:
        layouts: dict[str, list[bool]] = {}
        for widget in app.query(Static):
            set_text(widget, "first")
            record = layouts.setdefault(widget.id or "", [])
            real = widget.update

            def recording(content="", *, layout: bool = True, _real=real, _record=record):  # type: ignore[no-untyped-def]
                _record.append(layout)
                return _real(content, layout=layout)

            widget.update = recording  # type: ignore[method-assign]
        await pilot.pause()

        for widget in app.query(Static):
            assert set_text(widget, "first") is False  # the same text: nothing at all
            assert set_text(widget, "other") is True  # same width
            set_text(widget, "a longer text than before")  # another width
            set_text(widget, "two\nlines")
        await pilot.pause()
        assert layouts["fixed"] == [False, False, False]  # `height: 1`, full width: a fixed box
        assert layouts["auto"] == [False, True, True]
        assert layouts["nowrap"] == [False, True, True]
        assert layouts["wrapping"] == [True, True, True]  # may wrap to another height: always laid out
        assert shown_text(app.query_one("#fixed", Static)) == "two\nlines"
        assert str(app.query_one("#fixed", Static).render()) == "two\nlines"


def test_padding_keeps_the_width_in_steps() -> None:
    assert pad_to_step("9 s ago", 8) == " 9 s ago"
    assert len(pad_to_step("10 s ago", 8)) == 8
    assert pad_to_step("会議", 8) == "    会議"  # wide characters count as two cells
