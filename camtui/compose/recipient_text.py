"""The recipient field as text: splitting it into entries, the entry under the cursor, replacing it, and the
spec's rule for what the server answers to an unregistered address. Pure string work, no directory."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SEPARATORS = ",、，;；\n"
_SEP_RE = re.compile(f"[{re.escape(_SEPARATORS)}]")
EMAIL_RE = re.compile(r"^[^@\s,;<>\"]+@[^@\s,;<>\"]+\.[^@\s,;<>\".]+$")


def predict_code(email: str, org_domains: Iterable[str]) -> str:
    """The spec's rule for an unregistered address: 451 if the organisation's domain (may self-register), else 452."""
    domain = email.strip().rpartition("@")[2].lower()
    return "451" if domain in set(org_domains) else "452"


def iter_tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, token) for each non-blank entry; bounds are of the stripped token."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    for part in [*_SEP_RE.split(text)]:
        stripped = part.strip()
        if stripped:
            lead = len(part) - len(part.lstrip())
            out.append((pos + lead, pos + lead + len(stripped), stripped))
        pos += len(part) + 1
    return out


def split_recipients(text: str) -> list[str]:
    """The entries of a recipient field: separators `,` `、` `，` `;` `；` and newlines; blanks dropped."""
    return [t for _, _, t in iter_tokens(text)]


def token_at(text: str, cursor: int) -> tuple[int, int, str]:
    """Bounds (between separators) and stripped text of the entry under the cursor: what autocomplete looks up."""
    cursor = max(0, min(cursor, len(text)))
    start = cursor
    while start > 0 and text[start - 1] not in _SEPARATORS:
        start -= 1
    end = cursor
    while end < len(text) and text[end] not in _SEPARATORS:
        end += 1
    return start, end, text[start:end].strip()


def replace_token(text: str, cursor: int, email: str) -> tuple[str, int]:
    """Put `email` in place of the entry under the cursor, followed by ", "; returns (text, cursor after it)."""
    start, end, _ = token_at(text, cursor)
    before = text[:start].rstrip(" \t")
    after = text[end:]
    rest = after.lstrip(" \t")
    if rest[:1] and rest[0] in _SEPARATORS:
        rest = rest[1:].lstrip(" \t")
    lead = " " if before and before[-1] in _SEPARATORS and before[-1] != "\n" else ""
    head = before + lead + email + ", "
    return head + rest, len(head)
