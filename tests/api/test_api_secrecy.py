"""The API token never shows: not in repr, logs (any logger, DEBUG), exceptions, or tracebacks with locals."""

from __future__ import annotations

import io
import logging
import traceback

import pytest
from rich.console import Console
from rich.traceback import Traceback

from camtui.api import CAMAPIError, CAMClient, CAMError, RetryPolicy

TOKEN = "s3cr3t-admin-token-DO-NOT-LEAK"


def render(exc: BaseException) -> str:
    """Both the plain traceback and Rich's (as Textual prints it), locals included."""
    plain = "".join(traceback.format_exception(exc))
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(
        Traceback.from_exception(type(exc), exc, exc.__traceback__, show_locals=True)
    )
    return plain + out.getvalue()


async def failure_of(coro) -> CAMError:
    try:
        await coro
    except CAMError as exc:
        return exc
    raise AssertionError("expected a CAMError")


@pytest.fixture
def secret_sandbox(sandbox_factory):
    return sandbox_factory(admin_token=TOKEN)


async def test_token_never_in_logs_errors_or_tracebacks(secret_sandbox, caplog, sleeps):
    caplog.set_level(logging.DEBUG)  # every logger: camtui.api, httpx, httpcore, the sandbox
    sandbox = secret_sandbox
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, sleep=sleeps)
    errors: list[CAMError] = []
    async with CAMClient(sandbox.url, TOKEN, retry=policy) as client:
        assert TOKEN not in repr(client) and TOKEN not in str(client)
        await client.get_conference_master()
        errors.append(await failure_of(client.get_call_stats("unknown")))  # 400
        sandbox.set_faults({"error_503": 1.0})
        errors.append(await failure_of(client.get_conference_rooms()))  # 503 after retries (logged)
        sandbox.set_faults({"reset_after": 1.0, "times": 1})
        errors.append(await failure_of(client.send_message("messenger", "x", users=["user1@xxx.com"])))
        sandbox.set_faults({"garbage": 1.0, "times": 1})
        errors.append(await failure_of(client.get_conference_rooms()))
        sandbox.clear_faults()
    sandbox.stop()
    async with CAMClient(sandbox.url, TOKEN, retry=policy) as client:
        errors.append(await failure_of(client.get_conference_rooms()))  # server gone: TransportError
    assert [type(e).__name__ for e in errors] == [
        "CAMAPIError", "CAMAPIError", "OutcomeUnknown", "MalformedResponse", "TransportError"]  # fmt: skip
    assert sleeps.delays, "the retries were logged"
    assert "getConferenceRooms failed" in caplog.text
    assert TOKEN not in caplog.text
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
    for err in errors:
        assert TOKEN not in str(err) and TOKEN not in repr(err)
        assert TOKEN not in render(err)


def test_constructor_failure_traceback_has_no_token():
    try:
        CAMClient("not a url", TOKEN)
    except ValueError as exc:
        text = render(exc)
    assert "server URL" in text
    assert TOKEN not in text


async def test_server_echoing_the_token_is_redacted(sandbox_factory):
    # A server that quotes the token back (some do, in "invalid token" messages) must not leak it through us.
    # Here the sandbox quotes an unknown recipient, which we make equal to the (lower-case) token's text.
    token = "lowercase-secret-token"
    sandbox = sandbox_factory(admin_token=token)
    async with CAMClient(sandbox.url, token) as client:
        with pytest.raises(CAMAPIError) as info:
            await client.send_message("messenger", "x", users=[f"{token}@nowhere.org"])
    assert info.value.code == "452"
    assert "***@nowhere.org" in info.value.message
    assert token not in str(info.value) and token not in repr(info.value.errors)
