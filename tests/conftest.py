"""Shared fixtures: a real sandbox server on 127.0.0.1 (uvicorn in a background thread, port chosen by the OS)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from camtui.sandbox import world_cache
from camtui.sandbox.runner import RunningSandbox, start_sandbox

SMALL = {"seed": 7, "rooms": 12, "users": 300, "simulation": False}
"""The size every test sandbox has unless a test asks for more: fast to start, still realistic."""


@pytest.fixture(autouse=True, scope="session")
def _sandbox_worlds_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Large demo worlds are cached (camtui.sandbox.world_cache): in tests, never in the user's data dir."""
    import os

    before = os.environ.get(world_cache.ENV)
    os.environ[world_cache.ENV] = str(tmp_path_factory.mktemp("sandbox-worlds"))
    yield
    if before is None:
        os.environ.pop(world_cache.ENV, None)
    else:
        os.environ[world_cache.ENV] = before


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[RunningSandbox]:
    """A fresh small sandbox for this test (its own database under tmp_path), stopped afterwards."""
    running = start_sandbox(db_path=tmp_path / "sandbox.db", **SMALL)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def sandbox_factory(tmp_path: Path) -> Iterator[Callable[..., RunningSandbox]]:
    """`sandbox_factory(**start_sandbox keywords)`: more sandboxes (small defaults, own databases); all stopped
    at teardown."""
    started: list[RunningSandbox] = []

    def factory(**kwargs: Any) -> RunningSandbox:
        options = {**SMALL, "db_path": tmp_path / f"sandbox-{len(started)}.db", **kwargs}
        running = start_sandbox(**options)
        started.append(running)
        return running

    try:
        yield factory
    finally:
        for running in started:
            running.stop()
