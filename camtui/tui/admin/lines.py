"""A virtual list of text lines with a cursor: only the visible lines are drawn, so 100,000 users scroll as fast
as 10 (the calls table's Line API approach). Both the directory table and the diff view are one of these."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip


class LineList(ScrollView, can_focus=True):
    """`items` drawn by `text_of(item)`, a header line on top; `style_of(item)` names a component class."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "", show=False),
        Binding("down,j", "cursor(1)", "", show=False),
        Binding("pageup", "page(-1)", "", show=False),
        Binding("pagedown", "page(1)", "", show=False),
        Binding("home", "jump(0)", "", show=False),
        Binding("end", "jump(-1)", "", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "line-list--header",
        "line-list--cursor",
        "line-list--create",
        "line-list--change",
        "line-list--error",
        "line-list--warning",
        "line-list--old",
        "line-list--new",
    }

    class Moved(Message):
        def __init__(self, lines: LineList, index: int) -> None:
            super().__init__()
            self.lines = lines
            self.index = index

        @property
        def control(self) -> LineList:
            return self.lines

    class HeaderClicked(Message):
        """A click on the header line, at `x` cells from the start of the (horizontally scrolled) text."""

        def __init__(self, lines: LineList, x: int) -> None:
            super().__init__()
            self.lines = lines
            self.x = x

        @property
        def control(self) -> LineList:
            return self.lines

    def __init__(
        self,
        text_of: Callable[[Any], str],
        *,
        header: str = "",
        style_of: Callable[[Any], str | None] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self._text_of = text_of
        self._style_of = style_of or (lambda _item: None)
        self.header = header
        self.items: Sequence[Any] = ()
        self.cursor = 0

    def set_items(self, items: Sequence[Any], header: str | None = None) -> None:
        if header is not None:
            self.header = header
        self.items = items
        self.cursor = min(self.cursor, max(0, len(items) - 1))
        width = max((len(self._text_of(i)) for i in items[:200]), default=0)
        self.virtual_size = Size(max(width, len(self.header)) + 2, len(items) + 1)
        self.refresh()

    @property
    def current(self) -> Any | None:
        return self.items[self.cursor] if 0 <= self.cursor < len(self.items) else None

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        if y == 0:
            style = self.get_component_rich_style("line-list--header")
            return (
                Strip([Segment(self.header, style)])
                .crop(scroll_x, scroll_x + width)
                .extend_cell_length(width, style)
            )
        index = scroll_y + y - 1
        if index >= len(self.items):
            return Strip.blank(width, self.rich_style)
        item = self.items[index]
        style: Style = self.rich_style
        kind = self._style_of(item)
        if kind:
            style = style + self.get_component_rich_style(f"line-list--{kind}")
        if index == self.cursor and self.has_focus:
            style = style + self.get_component_rich_style("line-list--cursor")
        text = self._text_of(item)
        segments, at = [], 0
        for start, end, mark in getattr(item, "marks", ()):  # highlighted ranges (a diff's old → new values)
            segments.append(Segment(text[at:start], style))
            segments.append(
                Segment(text[start:end], style + self.get_component_rich_style(f"line-list--{mark}"))
            )
            at = end
        segments.append(Segment(text[at:], style))
        strip = Strip([seg for seg in segments if seg.text])
        return strip.crop(scroll_x, scroll_x + width).extend_cell_length(width, style)

    def move_to(self, index: int) -> None:
        if not self.items:
            return
        self.cursor = max(0, min(len(self.items) - 1, index))
        top = self.scroll_offset.y
        rows = max(1, self.size.height - 1)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False)
        self.refresh()
        self.post_message(self.Moved(self, self.cursor))

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor + direction * max(1, self.size.height - 2))

    def action_jump(self, where: int) -> None:
        self.move_to(0 if where == 0 else len(self.items) - 1)

    def on_click(self, event: events.Click) -> None:
        """The header line sorts (the owner decides how); a line below moves the cursor to it."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        scroll_x, scroll_y = self.scroll_offset
        if offset.y == 0:
            self.post_message(self.HeaderClicked(self, scroll_x + offset.x))
        elif scroll_y + offset.y - 1 < len(self.items):
            self.move_to(scroll_y + offset.y - 1)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
