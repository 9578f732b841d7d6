"""Naming the encoding of a file that is not UTF-8: Excel on Japanese Windows saves CSV as Shift_JIS by default,
and "save it as UTF-8" helps only when the user learns what the file is now."""

from __future__ import annotations

_GUESSES = (("cp932", "Shift_JIS (cp932)"), ("euc_jp", "EUC-JP"), ("iso2022_jp", "ISO-2022-JP"))


def guess_japanese_encoding(data: bytes) -> str | None:
    """The Japanese legacy encoding `data` decodes cleanly in, to Japanese text only; None if none does."""
    for codec, label in _GUESSES:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        wide = [ch for ch in text if ord(ch) > 0x7F]
        if wide and all(_japanese(ch) for ch in wide):
            return label
    return None


def _japanese(ch: str) -> bool:
    """Kana, kanji, Japanese punctuation, full-width and half-width forms: what such a file would hold."""
    return "\u3000" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"
