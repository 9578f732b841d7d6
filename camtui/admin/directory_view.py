"""What the admin screen's directory table shows, decided without Textual: column layout, sort, filter, the age
of the cached export, and the text of one row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

COLUMNS: tuple[tuple[str, str, int], ...] = (
    # (field, header, width)
    ("email", "E-mail", 30),
    ("name", "Name", 16),
    ("romaji", "Romaji", 18),
    ("department", "Department", 16),
    ("position", "Position", 12),
    ("admin", "Admin", 5),
    ("uid", "uid", 22),
)
SORT_KEYS = tuple(c[0] for c in COLUMNS)
FILTER_LIMIT = 5000
"""At most this many matches of a filter are shown (the status line says when the list is cut there)."""


def cell(text: str, width: int) -> str:
    """`text` cut or padded to `width` terminal cells (wide CJK characters count two)."""
    from unicodedata import east_asian_width

    widths = [2 if east_asian_width(ch) in ("W", "F") else 1 for ch in text]
    if sum(widths) <= width:
        return text + " " * (width - sum(widths))
    out, used = [], 0
    for ch, w in zip(text, widths, strict=True):
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" + " " * (width - used - 1)


def column_at(x: int) -> str | None:
    """The column under cell `x` of a header or row line (columns are separated by one space)."""
    start = 0
    for name, _title, width in COLUMNS:
        if start <= x < start + width + 1:
            return name
        start += width + 1
    return None


def header_text(sort_key: str, reverse: bool) -> str:
    """The column titles; the sorted column marked ▲ (ascending) or ▼; none marked for "" (best match)."""
    parts = []
    for name, title, width in COLUMNS:
        mark = (" ▼" if reverse else " ▲") if name == sort_key else ""
        parts.append(cell(title + mark, width))
    return " ".join(parts)


def row_text(user: Any) -> str:
    values = {
        "email": user.email,
        "name": user.name,
        "romaji": user.romaji,
        "department": user.department,
        "position": user.position,
        "admin": "yes" if user.admin else "",
        "uid": user.uid,
    }
    return " ".join(cell(values[name], width) for name, _title, width in COLUMNS)


def sort_users(users: Sequence[Any], key: str, reverse: bool = False) -> list[Any]:
    """Sorted by `key` (case-insensitive), ties by e-mail, so the order is stable between exports.

    The sort key is one string ("value NUL e-mail"), not a tuple: timsort's comparisons run in C without
    letting go of the GIL, and comparing tuples of strings is several times slower than comparing strings,
    so with 100,000 users a tuple key held the screen's main thread for over a second."""
    if key == "admin":
        keys = [("0\0" if u.admin else "1\0") + u.email.lower() for u in users]
    else:
        keys = [f"{str(getattr(u, key)).lower()}\0{u.email.lower()}" for u in users]
    order = sorted(range(len(keys)), key=keys.__getitem__, reverse=reverse)
    return [users[i] for i in order]


def next_sort_key(key: str) -> str:
    return SORT_KEYS[(SORT_KEYS.index(key) + 1) % len(SORT_KEYS)] if key in SORT_KEYS else SORT_KEYS[0]


def age_text(fetched: datetime | None, now: datetime, tz: Any) -> str:
    """ "exported 14:02, 3 min ago" (local time); "never exported" without a cache."""
    if fetched is None:
        return "never exported"
    seconds = max(0, int((now - fetched).total_seconds()))
    if seconds < 60:
        ago = "just now"
    elif seconds < 3600:
        ago = f"{seconds // 60} min ago"
    elif seconds < 86400:
        ago = f"{seconds // 3600} h ago"
    else:
        ago = f"{seconds // 86400} days ago"
    local = fetched.astimezone(tz)
    when = local.strftime("%H:%M") if seconds < 86400 else local.strftime("%Y-%m-%d %H:%M")
    return f"exported {when}, {ago}"


def filter_users(users: Sequence[Any], query: str, matcher: Any) -> list[Any]:
    """The users the composer's matcher finds for `query` (e-mail, name, romaji, kana, department), best
    first; all users for an empty query."""
    if not query.strip():
        return list(users)
    return [c.user for c in matcher.match(query, limit=FILTER_LIMIT)]
