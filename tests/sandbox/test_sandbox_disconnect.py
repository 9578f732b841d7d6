"""A client that hangs up before its body arrives is a disconnect: no traceback, no 500, counted as such."""

from __future__ import annotations

import logging
import socket
import time
from urllib.parse import urlsplit

import pytest


def hang_up_mid_body(url: str, path: str, token: str, *, chunked: bool = False) -> None:
    """Send the headers and part of the body over a raw socket, then close it."""
    port = urlsplit(url).port
    assert port is not None
    length = "Transfer-Encoding: chunked" if chunked else "Content-Length: 5000"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nx-cam-apiToken: {token}\r\n"
        f"Content-Type: application/x-www-form-urlencoded\r\n{length}\r\n\r\n"
    )
    partial = '10\r\nmessage={"panelN\r\n' if chunked else 'message={"panelName":'
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall((head + partial).encode())


def wait_for(predicate, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


@pytest.mark.parametrize(
    ("path", "chunked"),
    [("/sendMessage", False), ("/sendMessages", True), ("/_sandbox/faults", False)],
)
def test_client_gone_before_the_body_is_quiet_and_counted(sandbox, caplog, path, chunked):
    caplog.set_level(logging.DEBUG)
    hang_up_mid_body(sandbox.url, path, sandbox.admin_token, chunked=chunked)
    assert wait_for(lambda: sandbox.stats()["disconnects"] == 1)
    stats = sandbox.stats()
    assert "500" not in stats["byCode"]
    assert stats["faultPlan"] == {}  # the half-sent plan changed nothing
    assert sandbox.delivered_messages() == []
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert noisy == [], [r.getMessage() for r in noisy]


def test_the_server_keeps_answering_after_disconnects(sandbox, api):
    for _ in range(5):
        hang_up_mid_body(sandbox.url, "/sendMessage", sandbox.user_token)
    assert wait_for(lambda: sandbox.stats()["disconnects"] == 5)
    assert api.send("messenger", "まだ動いています", "user1@xxx.com").json()["status"] == 200
    assert sandbox.stats()["byCode"] == {"200": 1}
