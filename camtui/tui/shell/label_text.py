"""Changing a one-line label's text without laying out the whole screen again.

`Static.update` lays the screen out by default (~25 ms at 160×48); a status line whose clock digits change on
every poll does not need that: the same text is no change at all, and a line of the same width on a label that
cannot wrap (auto width, or `text-wrap: nowrap`) is a repaint of that label alone."""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Static


def set_text(widget: Static, text: str) -> bool:
    """Show `text` in `widget` if it differs from what this helper last put there (markup as the widget is set
    up); lays the screen out only when the label may change size. Returns whether anything changed."""
    old = getattr(widget, "_camtui_text", None)
    if old == text:
        return False
    one_line = old is not None and "\n" not in text and "\n" not in old
    same_box = one_line and cell_len(old) == cell_len(text) and _cannot_wrap(widget)
    widget._camtui_text = text  # type: ignore[attr-defined]
    widget.update(text, layout=not same_box)
    return True


def _cannot_wrap(widget: Static) -> bool:
    styles = widget.styles
    return styles.text_wrap == "nowrap" or (styles.width is not None and styles.width.is_auto)
