"""A call's links and IDs: what the admin pastes (ID or share URL), the share URL, the spec's auto-login link and
its masked preview, the short ID the table shows. Pure, no Textual."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode, urlsplit

_SID_RE = re.compile(r"^[A-Za-z0-9_\-]{4,128}$")


def parse_call_ref(text: str) -> tuple[str, str]:
    """An ID or a pasted share URL (`…/share/{sid}`, query allowed) → `(sid, share_url or "")`.

    Raises `ValueError` with a one-line message for anything else.
    """
    raw = text.strip().strip("\"'<>").strip()
    if not raw:
        raise ValueError("Type a call ID or paste its share URL.")
    if "://" in raw:
        parts = urlsplit(raw)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"Not a call URL: {raw[:60]}")
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) < 2 or segments[-2] != "share":
            raise ValueError("A call URL looks like https://host/share/{call ID}.")
        sid = segments[-1]
        if not _SID_RE.match(sid):
            raise ValueError(f"The URL's call ID {sid[:40]!r} is not valid.")
        share = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        return sid, share
    if not _SID_RE.match(raw):
        raise ValueError("A call ID is 4–128 letters, digits, '-' or '_' (or paste the share URL).")
    return raw, ""


def share_url_for(server_url: str, sid: str) -> str:
    """The share URL the server hands out for `sid` (README: `{serverURL}/share/{sid}`)."""
    return f"{server_url.rstrip('/')}/share/{quote(sid, safe='')}"


def auto_login_url(share_url: str, user_name: str, password: str = "") -> str:
    """The spec's auto-login link: the share URL with `userName` (and `password`, if any) appended, URL-encoded."""
    params = {"userName": user_name}
    if password:
        params["password"] = password
    query = urlencode(params, quote_via=quote)
    sep = "&" if "?" in share_url else "?"
    return f"{share_url}{sep}{query}"


PASSWORD_MASK = "••••••"
"""How a hidden password is shown (the same dots as a masked field), whatever its length."""


def login_url_preview(share_url: str, user_name: str, password: str, *, reveal: bool) -> str:
    """The auto-login URL as shown under a masked password field: the password stays dots until revealed."""
    if reveal or not password:
        return auto_login_url(share_url, user_name, password)
    return f"{auto_login_url(share_url, user_name)}&password={PASSWORD_MASK}"


def short_id(sid: str, width: int = 8) -> str:
    return sid if len(sid) <= width else sid[: width - 1] + "…"
