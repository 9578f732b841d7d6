"""Recipients: a comma-separated e-mail field with a directory dropdown, and the line that shows, before
anything is sent, how each entry resolved (name and department) or that it is unknown.

Only the entry under the cursor is completed; accepting a suggestion replaces that entry with the e-mail
address and adds the ", " separator, so a list is built by typing a few letters and pressing Enter each time.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from camtui.compose.matcher import RecipientEntry, replace_token, token_at
from camtui.compose.send_plan import BLOCKING, send_list
from camtui.tui.composer.dropdown import SuggestField, Suggestion

__all__ = [
    "BLOCKING",
    "DestinationField",
    "RecipientCheck",
    "RecipientsField",
    "check_line",
    "entry_chip",
    "send_list",
    "summarise",
]


class RecipientsField(SuggestField):
    """The recipient input: completes the entry under the cursor, inserts e-mail addresses."""

    def fragment(self, text: str, cursor: int) -> str:
        start, _end, _token = token_at(text, cursor)
        return text[start:cursor].strip()

    def insert(self, text: str, cursor: int, suggestion: Suggestion) -> tuple[str, int]:
        return replace_token(text, cursor, suggestion.value)


class DestinationField(SuggestField):
    """`messenger` or a chat room name; completes from rooms used before and the configured ones."""

    suggest_on_empty = True


def entry_chip(e: RecipientEntry) -> list[tuple[str, str]]:
    """How one entry reads in the check line."""
    dup = [("  (twice)", "$text-muted")] if e.duplicate else []
    if e.status == "resolved":
        user = e.user
        name = (getattr(user, "name", "") or "").strip() or (e.email or e.token)
        dept = (getattr(user, "department", "") or "").strip()
        return [("✓ ", "$text-success"), (name, "bold"), (f" ({dept})" if dept else "", "$text-muted"), *dup]
    if e.status == "unknown":
        code = f" → {e.predicted_code}" if e.predicted_code else ""
        return [(f"✗ {e.token} unknown{code}", "$text-error"), *dup]
    if e.status == "unchecked":
        return [(f"? {e.token}", "$text-warning"), *dup]
    if e.status == "ambiguous":
        n = len(e.candidates)
        return [(f"⁇ {e.token}: {n} people, pick one", "$text-warning")]
    return [(f"! {e.token} not found", "$text-error")]


def check_line(entries: Sequence[RecipientEntry], *, mentions: bool, limit: int = 12) -> Content:
    """The one-glance line under the recipients: ✓ name (department), ✗ unknown, ? not checked, ! not found."""
    if not entries:
        hint = "no mentions: the whole room gets it" if mentions else "no recipients yet"
        return Content.assemble((hint, "$text-muted"))
    parts: list[tuple[str, str]] = []
    if mentions:
        parts.append(("mentions: ", "$text-muted"))
    for i, e in enumerate(entries[:limit]):
        if i:
            parts.append(("  ", ""))
        parts.extend(entry_chip(e))
    if len(entries) > limit:
        parts.append((f"  … +{len(entries) - limit}", "$text-muted"))
    parts.append((f"   [{summarise(entries)}]", "$text-muted"))
    return Content.assemble(*parts)


def summarise(entries: Sequence[RecipientEntry]) -> str:
    """ "3 ok, 1 unknown" style counts."""
    order = (
        ("resolved", "ok"),
        ("unknown", "unknown"),
        ("unchecked", "not checked"),
        ("ambiguous", "ambiguous"),
        ("invalid", "not found"),
    )
    bits = []
    for status, word in order:
        n = sum(1 for e in entries if e.status == status)
        if n:
            bits.append(f"{n} {word}")
    return ", ".join(bits)


class RecipientCheck(Static):
    """Shows `check_line` for the current entries."""

    def show(self, entries: Sequence[RecipientEntry], *, mentions: bool) -> None:
        content = check_line(entries, mentions=mentions)
        # One row unless the line needs two: a re-layout only when that changes, a repaint otherwise.
        width = max(1, self.content_size.width or 80)
        rows = 1 if content.cell_length <= width else 2
        if self.styles.height is None or self.styles.height.value != rows:
            self.styles.height = rows
        self.update(content, layout=False)
