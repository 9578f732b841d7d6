"""Helpers for the sandbox's own tests: a thin HTTP caller that speaks the wire format by hand."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from camtui.sandbox.runner import RunningSandbox


class Api:
    """Raw HTTP against one sandbox: `post(method, token="user"|"admin"|<literal>, data=…)`."""

    def __init__(self, sandbox: RunningSandbox) -> None:
        self.sandbox = sandbox
        self.http = httpx.Client(base_url=sandbox.url, trust_env=False, timeout=15)

    def headers(self, token: str | None) -> dict[str, str]:
        if token is None:
            return {}
        value = {"user": self.sandbox.user_token, "admin": self.sandbox.admin_token}.get(token, token)
        return {"x-cam-apiToken": value}

    def post(self, method: str, token: str | None = "user", **kwargs: Any) -> httpx.Response:
        return self.http.post(
            f"/{method}", headers={**self.headers(token), **kwargs.pop("headers", {})}, **kwargs
        )

    def get(self, method: str, token: str | None = "user", **kwargs: Any) -> httpx.Response:
        return self.http.get(f"/{method}", headers=self.headers(token), **kwargs)

    def ok(self, method: str, token: str = "user", **kwargs: Any) -> dict[str, Any]:
        reply = self.post(method, token, **kwargs)
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["status"] == 200, body
        return body

    def error(self, method: str, code: str, token: str = "user", http: int = 200, **kwargs: Any) -> dict:
        """Assert the spec's error envelope with `code` as the first error; returns the first error item."""
        reply = self.post(method, token, **kwargs)
        assert reply.status_code == http, reply.text
        body = reply.json()
        assert body["status"] == 520, body
        assert body["errors"][0]["code"] == code, body
        assert isinstance(body["errors"][0]["message"], str) and body["errors"][0]["message"]
        return body["errors"][0]

    def send(
        self, panel: str, text: str, users: str = "", seal: bool = False, token: str = "user"
    ) -> httpx.Response:
        message = {"panelName": panel, "message": text, "isOpened": seal, "generalPurposes": {"users": users}}
        return self.post("sendMessage", token, data={"message": json.dumps(message, ensure_ascii=False)})

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def api(sandbox: RunningSandbox) -> Iterator[Api]:
    caller = Api(sandbox)
    try:
        yield caller
    finally:
        caller.close()


@pytest.fixture
def make_api() -> Iterator[Callable[[RunningSandbox], Api]]:
    """`make_api(sandbox)` → an Api for another sandbox (closed at teardown)."""
    made: list[Api] = []

    def factory(sandbox: RunningSandbox) -> Api:
        made.append(Api(sandbox))
        return made[-1]

    try:
        yield factory
    finally:
        for caller in made:
            caller.close()
