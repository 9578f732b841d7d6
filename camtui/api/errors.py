"""The three ways an API call can fail, so callers can react to each differently.

- `CAMAPIError`: the server answered, and the answer is an error (or not something we can read).
- `TransportError`: the server was not reached, or did not answer, for a call that is safe to repeat.
- `OutcomeUnknown`: a write may or may not have been processed; it must not be sent again blindly.

`str(exc)` is always one line and never contains the API token (the client redacts it from server text).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from camtui.api import codes


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class CAMError(Exception):
    """Base class of every error `camtui.api` raises on purpose."""


class CAMAPIError(CAMError):
    """The server answered with an error: a 520 envelope, an HTTP status other than 200, or an unreadable body."""

    def __init__(
        self,
        code: str | int,
        message: str = "",
        *,
        http_status: int = 200,
        meaning: str | None = None,
        method: str | None = None,
        index: int | None = None,
        line: int | None = None,
        field: str | None = None,
        errors: Sequence[Mapping[str, Any]] = (),
        retry_after: float | None = None,
    ) -> None:
        row = codes.lookup(code)
        self.code: str = row.code
        self.message: str = _one_line(message)
        """The server's own message (Japanese for the spec's codes)."""
        self.meaning: str = meaning or row.meaning
        """English meaning of the code (from `camtui.api.codes`)."""
        self.hint: str = row.hint
        self.http_status = http_status
        self.retryable: bool = row.retryable or http_status in (491, 503)
        self.method = method
        self.index = index
        """sendMessages: 0-based index of the item the error is about."""
        self.line = line
        """updateUsersCSV: 1-based CSV line (header = 1) the error is about."""
        self.field = field
        self.errors: tuple[Mapping[str, Any], ...] = tuple(errors)
        """Every entry of the envelope's `errors` array (the first one is summarised above)."""
        self.retry_after = retry_after
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.code} {self.meaning}"
        if self.message:
            text += f": {self.message}"
        where = []
        if self.index is not None:
            where.append(f"item {self.index}")
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field:
            where.append(f"field {self.field}")
        if where:
            text += f" ({', '.join(where)})"
        if self.method:
            text += f" [{self.method}, HTTP {self.http_status}]"
        return text

    def __reduce__(self) -> Any:
        # Rebuilt from the attributes, not the constructor: subclasses take other arguments.
        return (_rebuild_api_error, (type(self), self.__dict__.copy()))


def _rebuild_api_error(cls: type[CAMAPIError], state: dict[str, Any]) -> CAMAPIError:
    err = cls.__new__(cls)
    err.__dict__.update(state)
    Exception.__init__(err, str(err))
    return err


class MalformedResponse(CAMAPIError):
    """The server answered, but not with anything we can read (code "500", meaning "Malformed response").

    Raised for reads; a write that gets such an answer raises `OutcomeUnknown` instead, because the server
    may well have done the work before its answer went wrong.
    """

    def __init__(self, message: str, *, http_status: int = 200, method: str | None = None) -> None:
        super().__init__("500", message, http_status=http_status, meaning="Malformed response", method=method)


class TransportError(CAMError):
    """The server could not be reached or gave no answer (after the retries that were safe)."""

    def __init__(self, detail: str, *, method: str | None = None, url: str | None = None) -> None:
        self.detail = _one_line(detail)
        self.method = method
        self.url = url
        super().__init__(str(self))

    def __str__(self) -> str:
        where = (
            f"{self.method} at {self.url}" if self.method and self.url else (self.url or self.method or "")
        )
        return f"network error{f' ({where})' if where else ''}: {self.detail}"

    def __reduce__(self) -> Any:
        return (type(self), (self.detail,), {"method": self.method, "url": self.url})


class OutcomeUnknown(CAMError):
    """A write may or may not have been processed: the connection failed after the request left.

    The client never resends in that case; the caller must check (sent log, chat room) before trying again.
    """

    def __init__(self, method: str, detail: str, *, url: str | None = None) -> None:
        self.method = method
        self.detail = _one_line(detail)
        self.url = url
        super().__init__(str(self))

    def __str__(self) -> str:
        return (
            f"outcome unknown for {self.method}: {self.detail}; the server may or may not have processed it "
            "(not resent: check before trying again)"
        )

    def __reduce__(self) -> Any:
        return (type(self), (self.method, self.detail), {"url": self.url})
