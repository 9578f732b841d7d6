"""`expand_user`: `~` expanded where it can be, the path kept as typed where Python cannot find the home."""

from __future__ import annotations

from pathlib import Path

import pytest

from camtui.common.paths import expand_user


def test_an_unknown_user_keeps_the_path_as_typed() -> None:
    with pytest.raises(RuntimeError):
        Path("~nosuchuser-camtui/x.csv").expanduser()
    assert expand_user("~nosuchuser-camtui/x.csv") == Path("~nosuchuser-camtui/x.csv")


def test_the_home_is_expanded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert expand_user("~/x.csv") == tmp_path / "x.csv"
    assert expand_user(Path("/abs/y")) == Path("/abs/y")
