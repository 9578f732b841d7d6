"""API errors the sandbox raises inside handlers, turned into the spec's envelope in one place."""

from __future__ import annotations

from camtui.api import codes


class ApiError(Exception):
    """An error answered as `{"status":520,"errors":[...]}` (HTTP 200 unless `http_status` says otherwise).

    `detail` is appended to the spec's Japanese message in parentheses so the caller learns which argument
    was wrong; the spec's message itself is kept verbatim at the start.
    """

    def __init__(
        self,
        code: str,
        detail: str = "",
        *,
        http_status: int = 200,
        headers: dict[str, str] | None = None,
        **extra: object,
    ) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.http_status = http_status
        self.headers = headers or {}
        self.extra = extra

    def body(self) -> dict[str, object]:
        message = codes.lookup(self.code).message
        if self.detail:
            message = f"{message} ({self.detail})" if message else self.detail
        return codes.error_body(self.code, message, **self.extra)


def bad_request(detail: str, **extra: object) -> ApiError:
    """400: the spec's "invalid request", with the reason."""
    return ApiError("400", detail, **extra)


class ApiErrors(ApiError):
    """Several errors answered together (every bad sendMessages item, every bad CSV line)."""

    def __init__(self, errors: list[ApiError]) -> None:
        first = errors[0]
        super().__init__(first.code, first.detail, http_status=first.http_status, **first.extra)
        self.errors = errors

    def body(self) -> dict[str, object]:
        items = [item for error in self.errors for item in error.body()["errors"]]  # type: ignore[union-attr]
        return {"status": codes.ERROR_STATUS, "errors": items}
