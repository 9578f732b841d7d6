"""Cutting text to terminal cells: the one helper every widget uses, so wide text is never garbled.

Kanji, kana and most emoji take two cells; combining marks take none. A cut never splits a character: when the
last double-width character does not fit, a space takes its half cell. Cut text ends with an ellipsis so the
reader knows there is more."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual.content import Content

ELLIPSIS = "…"


def cut(text: str, width: int, ellipsis: str = ELLIPSIS) -> str:
    """`text` in at most `width` cells: unchanged if it fits, else cut at a character boundary + ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    if width <= cell_len(ellipsis):
        return set_cell_size(text, width)
    return set_cell_size(text, width - cell_len(ellipsis)).rstrip(" ") + ellipsis


def fit(text: str, width: int, align: str = "left", ellipsis: str = ELLIPSIS) -> str:
    """`text` in exactly `width` cells: cut as `cut` does, then padded (left, right or centre aligned)."""
    if width <= 0:
        return ""
    short = cut(text, width, ellipsis)
    pad = width - cell_len(short)
    if align == "right":
        return " " * pad + short
    if align == "center":
        return " " * (pad // 2) + short + " " * (pad - pad // 2)
    return short + " " * pad


def cut_content(content: Content | str, width: int, ellipsis: str = ELLIPSIS) -> Content:
    """Styled text in at most `width` cells, cut as `cut` cuts plain text (the styles of what stays are kept)."""
    if isinstance(content, str):
        content = Content(content)
    if width <= 0:
        return Content("")
    if content.cell_length <= width:
        return content
    plain = content.plain
    short = cut(plain, width, ellipsis)
    kept = 0  # the characters kept as they were (with their styles); the rest is padding or the ellipsis
    while kept < len(short) and short[kept] == plain[kept]:
        kept += 1
    return content[:kept] + Content(short[kept:])
