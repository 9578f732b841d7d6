"""What a failure looks like to the user: one toast (code, meaning, server message) and a connection state.

Kept apart from the app so the error log, the status line and tests can use it without importing the shell."""

from __future__ import annotations

from dataclasses import dataclass

from camtui.tui.shell.user_facing import UserFacingError

AUTH_CODES = frozenset({"805", "490"})
BACKOFF_CODES = frozenset({"491", "503"})


@dataclass(frozen=True, slots=True)
class ErrorReport:
    """What one failure looks like to the user, and what it does to the connection state."""

    source: str
    title: str
    message: str
    severity: str
    state: str | None
    """New connection state ("offline", "retrying", "auth failed") or None (no change)."""
    key: tuple[str, ...]
    """Identity for de-duplication."""


def describe_error(exc: BaseException, source: str) -> ErrorReport:
    """Turn any exception into a toast (code, English meaning, server message) and a connection state."""
    from camtui.api.errors import CAMAPIError, OutcomeUnknown, TransportError

    if isinstance(exc, CAMAPIError):
        state = "auth failed" if exc.code in AUTH_CODES else "retrying" if exc.code in BACKOFF_CODES else None
        lines = [exc.message or "(the server sent no message)"]
        if exc.hint:
            lines.append(exc.hint)
        if exc.code in AUTH_CODES:
            lines.append("Polling stopped: fix the token (ctrl+p → Set API token…) or press ctrl+r to retry.")
        severity = "warning" if state == "retrying" else "error"
        return ErrorReport(
            source,
            f"{source}: {exc.code} {exc.meaning}",
            "\n".join(lines),
            severity,
            state,
            (source, "api", exc.code, exc.message),
        )
    if isinstance(exc, TransportError):
        return ErrorReport(
            source,
            f"{source}: server not reachable",
            f"{exc.detail}\ncamtui keeps retrying; data shown is stale until it answers.",
            "error",
            "offline",
            (source, "transport"),
        )
    if isinstance(exc, OutcomeUnknown):
        return ErrorReport(
            source,
            f"{source}: outcome unknown ({exc.method})",
            f"{exc.detail}\nThe request may or may not have reached the server; it was not resent.",
            "warning",
            "offline",
            (source, "unknown", exc.method, exc.detail),
        )
    if isinstance(exc, UserFacingError):
        return ErrorReport(
            source, f"{source}: {exc.title}", exc.text, exc.severity, exc.state, (source, "said", exc.title)
        )
    text = str(exc) or type(exc).__name__
    return ErrorReport(
        source,
        f"{source}: {type(exc).__name__}",
        text,
        "error",
        None,
        (source, "bug", type(exc).__name__, text),
    )
