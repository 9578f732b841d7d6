"""Fixtures shared by the compose-engine tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from camtui.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A fresh on-disk store (a file, as in real use: WAL and fsync included), closed after the test."""
    s = Store.open(tmp_path / "store.db")
    yield s
    s.close()
