"""The spec's error codes: one table shared by the sandbox (what it answers) and the client (what it explains).

The spec's table leaves the Japanese message blank for 405, 406, 491, 500 and 503; the texts below for those
are ours, chosen to read like the vendor's others.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR_STATUS = 520
"""The `status` value of an HTTP 200 body that carries errors."""


@dataclass(frozen=True, slots=True)
class ErrorCode:
    code: str
    meaning: str
    """English meaning (from the spec's 意味 column)."""
    message: str
    """The Japanese message the server sends."""
    retryable: bool = False
    hint: str = ""
    """What the user can do about it."""


ERROR_CODES: dict[str, ErrorCode] = {
    c.code: c
    for c in (
        ErrorCode(
            "400",
            "Invalid request from the client",
            "このリクエストは無効です。",
            hint="Check the arguments; the server's message says which one.",
        ),
        ErrorCode(
            "405",
            "Group (chat room) does not exist",
            "グループが存在しません。",
            hint="Check the chat room name or id.",
        ),
        ErrorCode(
            "406",
            "Group cannot be changed",
            "グループを変更できません。",
            hint="This change to the chat room is not allowed.",
        ),
        ErrorCode(
            "451",
            "User is not registered (users may self-register)",
            "ユーザが登録されていません。先にユーザ登録してください。",
            hint="Ask the person to register first, or fix the e-mail address.",
        ),
        ErrorCode(
            "452",
            "User is not registered",
            "ユーザが登録されていません。",
            hint="Fix the e-mail address or register the user.",
        ),
        ErrorCode(
            "490",
            "Too many login attempts (locked out)",
            "パスワード試行回数の上限に達しためログインできません。しばらく時間をおいてから再度お試しください。",
            hint="Wait a few minutes (the server locks the address out), then fix the API token.",
        ),
        ErrorCode(
            "491",
            "Too many requests",
            "リクエスト回数が多すぎます。しばらく時間をおいてから再度お試しください。",
            retryable=True,
            hint="Slow down; camtui backs off automatically.",
        ),
        ErrorCode(
            "500",
            "Unexpected server error",
            "予期せぬサーバエラーが発生しました。",
            hint="The server failed; try again later.",
        ),
        ErrorCode(
            "503",
            "Service unavailable",
            "サービスが利用できません。",
            retryable=True,
            hint="The server is busy or in maintenance; camtui retries.",
        ),
        ErrorCode(
            "800",
            "Administrator-only function",
            "この機能は管理者しか利用できません。",
            hint="Use an administrator's API token.",
        ),
        ErrorCode("802", "API-only function", "この操作はAPIのみで利用可能です。"),
        ErrorCode(
            "805",
            "Invalid API token",
            "APIトークンが正しくありません。",
            hint="Check the API token (config api_token / CAMTUI_API_TOKEN).",
        ),
    )
}


def lookup(code: str | int) -> ErrorCode:
    """The table row for `code`; an unknown code gets a generic row rather than a KeyError."""
    key = str(code).strip()
    found = ERROR_CODES.get(key)
    if found is not None:
        return found
    return ErrorCode(key, f"Unknown error code {key}", "")


def error_body(code: str, message: str | None = None, **extra: object) -> dict[str, object]:
    """The spec's error envelope: `{"status":520,"errors":[{"code":…,"message":…}]}`."""
    item: dict[str, object] = {
        "code": code,
        "message": message if message is not None else lookup(code).message,
    }
    item.update(extra)
    return {"status": ERROR_STATUS, "errors": [item]}
