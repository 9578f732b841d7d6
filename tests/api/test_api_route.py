"""The read path is chosen from public configuration: the fast pool unless a proxy from the environment is in
the way; one TLS context shared with httpx; never httpx's private attributes."""

from __future__ import annotations

import contextlib
import ssl
import warnings

import httpx
import pytest

from camtui.api import CAMClient
from camtui.api.route import goes_through_proxy, tls_context


@pytest.mark.parametrize(
    ("env", "url", "trust", "proxied"),
    [
        ({}, "https://cam.example.co.jp/x", True, False),
        ({"HTTPS_PROXY": "http://proxy:3128"}, "https://cam.example.co.jp/x", True, True),
        ({"https_proxy": "http://proxy:3128"}, "https://cam.example.co.jp/x", True, True),
        ({"HTTP_PROXY": "http://proxy:3128"}, "https://cam.example.co.jp/x", True, False),  # other scheme
        ({"ALL_PROXY": "http://proxy:3128"}, "http://cam.example.co.jp/x", True, True),
        (
            {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "example.co.jp"},
            "https://cam.example.co.jp/x",
            True,
            False,
        ),
        ({"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}, "https://cam.example.co.jp/x", True, False),
        (
            {"HTTPS_PROXY": "http://proxy:3128"},
            "https://cam.example.co.jp/x",
            False,
            False,
        ),  # loopback client
    ],
)
def test_proxy_decision_follows_the_environment(env, url, trust, proxied) -> None:
    assert goes_through_proxy(httpx.URL(url), trust, env) is proxied


def test_tls_context_is_built_once_and_only_for_https(tmp_path) -> None:
    assert tls_context("http://127.0.0.1:8080", True, None, True) is False
    context = tls_context("https://cam.example.co.jp", True, None, True)
    assert isinstance(context, ssl.SSLContext) and context.verify_mode == ssl.CERT_REQUIRED
    off = tls_context("https://cam.example.co.jp", False, None, True)
    assert isinstance(off, ssl.SSLContext) and off.verify_mode == ssl.CERT_NONE
    with pytest.raises(ValueError, match="CA bundle not found"):
        tls_context("https://cam.example.co.jp", True, str(tmp_path / "missing.pem"), True)


async def test_reads_take_the_fast_pool_with_the_shared_tls_context(monkeypatch) -> None:
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    monkeypatch.delenv("https_proxy", raising=False)
    monkeypatch.delenv("ALL_PROXY", raising=False)
    monkeypatch.delenv("all_proxy", raising=False)
    async with CAMClient("https://cam.example.co.jp", "token-123456") as client:
        prefix = client._direct_route("getCallStats", "https://cam.example.co.jp/getCallStats")
        assert prefix is not None and prefix.startswith(b"POST /getCallStats HTTP/1.1\r\n")
        assert client._reads is not None and client._reads._ssl is client._tls  # one context for both paths


async def test_reads_go_through_httpx_when_a_proxy_is_set(monkeypatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        async with CAMClient("https://cam.example.co.jp", "token-123456") as client:
            assert client._direct_route("getCallStats", "https://cam.example.co.jp/getCallStats") is None
            assert client._reads is None


async def test_the_fast_path_is_the_one_in_use_against_a_server(sandbox) -> None:
    async with CAMClient(sandbox.url, sandbox.admin_token) as client:
        await client.get_conference_rooms()
        await client.get_conference_rooms()
        assert (
            client._reads is not None and client._reads.opened == 1
        )  # both reads, one kept-alive connection


@pytest.mark.filterwarnings("ignore::UserWarning")  # plain http to a name that is not loopback: not the point
async def test_a_silent_first_address_falls_back_to_the_next_one(sandbox) -> None:
    """A host whose first address drops packets (broken IPv6): the read pool tries the next one alongside
    (happy eyeballs) and the read succeeds within the timeout, as httpx's writes do."""
    import asyncio
    import socket
    from urllib.parse import urlsplit

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(0)
    fillers = []
    for _ in range(4):  # fill the accept queue: a further connect waits for ever, like a dropped SYN
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(silent.getsockname())
        fillers.append(filler)
    await asyncio.sleep(0.05)
    port = urlsplit(sandbox.url).port
    loop = asyncio.get_running_loop()
    real = loop.getaddrinfo

    async def two_addresses(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host != "camtui-dual.test":
            return await real(host, *args, **kwargs)
        stream = socket.SOCK_STREAM
        return [
            (socket.AF_INET, stream, 6, "", silent.getsockname()),
            (socket.AF_INET, stream, 6, "", ("127.0.0.1", port)),
        ]

    loop.getaddrinfo = two_addresses  # type: ignore[method-assign]
    try:
        async with CAMClient(f"http://camtui-dual.test:{port}", sandbox.admin_token, timeout=3) as client:
            started = loop.time()
            rooms = await client.get_conference_rooms()
            assert rooms and loop.time() - started < 2.5
    finally:
        del loop.getaddrinfo
        for filler in fillers:
            filler.close()
        silent.close()
