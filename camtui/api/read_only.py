"""A client that cannot write: for the wall display (`camtui web --read-only`).

The read-only dashboard is started with this in place of `CAMClient`, in the app process itself, so a page
tampered with in the browser (keys forced over the websocket) still cannot send a message, create a call or
change users or chat rooms: the request is refused here, before anything leaves the machine."""

from __future__ import annotations

from typing import Any

from camtui.api.errors import CAMError

WRITE_METHODS = frozenset(
    {"send_message", "send_messages", "create_quick_call", "update_users_csv", "update_chat_room"}
)


class ReadOnlyError(CAMError):
    """A write was asked of a read-only dashboard."""

    def __init__(self, method: str) -> None:
        super().__init__(f"this dashboard is read-only: {method} is switched off")
        self.method = method


class ReadOnlyClient:
    """Every read of the wrapped client, unchanged; every write refused with `ReadOnlyError`."""

    read_only = True

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        if name in WRITE_METHODS:

            async def refused(*_args: Any, **_kwargs: Any) -> Any:
                raise ReadOnlyError(name)

            return refused
        return getattr(self._client, name)

    async def __aenter__(self) -> ReadOnlyClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aclose()
