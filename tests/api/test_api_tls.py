"""TLS: verified by default; a private CA works through `ca_bundle` (on-premise servers often use one).

The sandbox app is served over HTTPS on loopback with a throw-away CA made by the `openssl` command.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from camtui.api import CAMClient, RetryPolicy, TransportError

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


def make_certs(folder: Path) -> tuple[Path, Path, Path]:
    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    run(
        "req",
        "-x509",
        *ec,
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=camtui test CA",
    )
    run("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")  # fmt: skip
    return folder / "ca.pem", folder / "server.pem", folder / "server.key"


@pytest.fixture
def https_sandbox(tmp_path) -> Iterator[tuple[str, str, Path]]:
    import uvicorn

    from camtui.sandbox.app import build_app
    from camtui.sandbox.runner import build_state

    ca, cert, key = make_certs(tmp_path)
    state = build_state(db_path=tmp_path / "tls.db", seed=7, rooms=3, users=20, simulation=False,
                        admin_token=None, user_token=None, faults=None, rate_limit=None, now=None)  # fmt: skip
    config = uvicorn.Config(build_app(state), host="127.0.0.1", port=0, log_config=None, log_level="warning",
                            ssl_certfile=str(cert), ssl_keyfile=str(key), lifespan="on", ws="none")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline and thread.is_alive():
        time.sleep(0.01)
    assert server.started, "HTTPS sandbox did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"https://127.0.0.1:{port}", state.user_token, ca
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        state.conn.close()


async def test_unknown_ca_is_refused_without_retrying(https_sandbox, sleeps):
    url, token, _ = https_sandbox
    async with CAMClient(url, token, retry=RetryPolicy(sleep=sleeps)) as client:
        with pytest.raises(TransportError) as info:
            await client.get_conference_rooms()
    assert "TLS certificate verification failed" in str(info.value)
    assert "ca_bundle" in str(info.value)
    assert sleeps.delays == []  # retrying cannot fix a certificate


async def test_private_ca_bundle_is_trusted(https_sandbox):
    url, token, ca = https_sandbox
    async with CAMClient(url, token, ca_bundle=str(ca)) as client:
        assert len(await client.get_conference_rooms()) == 3


async def test_verification_can_be_turned_off(https_sandbox):
    url, token, _ = https_sandbox
    async with CAMClient(url, token, verify=False) as client:
        assert len(await client.get_conference_rooms()) == 3
