"""Recipients shared by sendMessage and sendMessages: e-mail lists, unknown-user codes (451/452), chat rooms."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

from camtui.sandbox.demo import ORG_DOMAINS
from camtui.sandbox.errors import ApiError, ApiErrors, bad_request
from camtui.sandbox.methods.context import MAX_ERRORS

EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+$")


def parse_users(value: object, field: str) -> list[str]:
    """A comma-joined e-mail list (the spec's form) or a JSON list of e-mails → lower-cased, de-duplicated."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        parts = value
    else:
        raise bad_request(f"{field} はカンマ区切りのメールアドレスでなければなりません", field=field)
    seen: dict[str, None] = {}
    for part in parts:
        email = part.strip().lower()
        if email:
            seen.setdefault(email, None)
    return list(seen)


def unknown_user_error(conn: sqlite3.Connection, email: str, field: str) -> ApiError:
    """451 when the address is in one of the organisation's domains (the person could self-register), else 452."""
    domain = email.rpartition("@")[2] if EMAIL_RE.match(email) else ""
    own = bool(domain) and (
        domain in ORG_DOMAINS
        or conn.execute("SELECT 1 FROM users WHERE domain = ? LIMIT 1", (domain,)).fetchone() is not None
    )
    return ApiError("451" if own else "452", email, field=field)


def known_emails(conn: sqlite3.Connection, emails: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(emails), 500):
        chunk = emails[i : i + 500]
        marks = ",".join("?" * len(chunk))
        found.update(r[0] for r in conn.execute(f"SELECT email FROM users WHERE email IN ({marks})", chunk))
    return found


def check_users(conn: sqlite3.Connection, emails: Sequence[str], field: str, **extra: object) -> None:
    known = known_emails(conn, emails)
    errors = [unknown_user_error(conn, e, field) for e in emails if e not in known]
    for error in errors:
        error.extra.update(extra)
    if errors:
        raise ApiErrors(errors[:MAX_ERRORS])


def chat_room_exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM chat_rooms WHERE name = ?", (name,)).fetchone() is not None
