"""Changing a one-line label's text without laying out the whole screen again.

`Static.update` lays the screen out by default (~25 ms at 160×48); a status line whose clock digits change on
every poll does not need that: the same text is no change at all, and a line of the same width on a label that
cannot wrap (auto width, or `text-wrap: nowrap`), or any text in a box of fixed size (`height: 1` and a width
that does not follow the text), is a repaint of that label alone."""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Static


def set_text(widget: Static, text: str) -> bool:
    """Show `text` in `widget` if it differs from what this helper last put there (markup as the widget is set
    up); lays the screen out only when the label may change size. Returns whether anything changed."""
    old = shown_text(widget)
    if old == text:
        return False
    widget._camtui_text = text  # type: ignore[attr-defined]
    widget.update(text, layout=old is None or not _same_box(widget, old, text))
    return True


def shown_text(widget: Static) -> str | None:
    """What `set_text` last put in `widget` (None: never)."""
    return getattr(widget, "_camtui_text", None)


def pad_to_step(text: str, step: int) -> str:
    """`text` padded on the left to a multiple of `step` cells: a right-aligned label whose digits grow ("9 s
    ago" → "10 s ago") keeps its width, so `set_text` repaints it without a layout."""
    return " " * (-cell_len(text) % step) + text


def _same_box(widget: Static, old: str, text: str) -> bool:
    styles = widget.styles
    height, width = styles.height, styles.width
    if height is not None and height.is_cells and not (width is not None and width.is_auto):
        return True  # a fixed height (`height: 1`) and a width that does not follow the text: a fixed box
    one_line = "\n" not in text and "\n" not in old
    return one_line and cell_len(old) == cell_len(text) and _cannot_wrap(widget)


def _cannot_wrap(widget: Static) -> bool:
    styles = widget.styles
    return styles.text_wrap == "nowrap" or (styles.width is not None and styles.width.is_auto)
