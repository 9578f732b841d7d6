"""The one cell-cutting helper: never splits a character, always the width asked for."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from camtui.tui.shell.cells import cut, fit

SAMPLES = ["情報システム部", "経理部", "マーケティング", "ｶﾞｯｺｳ", "e\u0301cole", "👍🏽 ok", "plain text", ""]


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("width", range(0, 16))
def test_cut_keeps_whole_characters_and_width(text: str, width: int) -> None:
    out = cut(text, width)
    assert cell_len(out) <= width
    body = out.removesuffix("…")
    # every character kept is a prefix of the original: nothing blanked in the middle
    assert text.startswith(body.rstrip(" ")) or body.strip() == ""
    if cell_len(text) <= width:
        assert out == text


def test_wide_text_is_cut_at_a_character_boundary() -> None:
    assert cut("情報システム部", 7) == "情報シ…"
    assert cut("経理部", 5) == "経理…"
    assert fit("経理部", 6) == "経理部"
    assert fit("マーケティング", 7) == "マーケ…"
    assert fit("マーケティング", 8) == "マーケ… "


@given(st.text(), st.integers(0, 40), st.sampled_from(["left", "right", "center"]))
def test_fit_is_exactly_the_width(text: str, width: int, align: str) -> None:
    assert cell_len(fit(text, width, align)) == width
