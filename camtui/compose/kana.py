"""Kana → romaji (Hepburn), so a recipient typed as やまだ or ヤマダ finds the user whose romaji is "Yamada"."""

from __future__ import annotations

_BASE = {
    "あ": "a", "い": "i", "う": "u", "え": "e", "お": "o",
    "か": "ka", "き": "ki", "く": "ku", "け": "ke", "こ": "ko",
    "さ": "sa", "し": "shi", "す": "su", "せ": "se", "そ": "so",
    "た": "ta", "ち": "chi", "つ": "tsu", "て": "te", "と": "to",
    "な": "na", "に": "ni", "ぬ": "nu", "ね": "ne", "の": "no",
    "は": "ha", "ひ": "hi", "ふ": "fu", "へ": "he", "ほ": "ho",
    "ま": "ma", "み": "mi", "む": "mu", "め": "me", "も": "mo",
    "や": "ya", "ゆ": "yu", "よ": "yo",
    "ら": "ra", "り": "ri", "る": "ru", "れ": "re", "ろ": "ro",
    "わ": "wa", "ゐ": "i", "ゑ": "e", "を": "o", "ん": "n",
    "が": "ga", "ぎ": "gi", "ぐ": "gu", "げ": "ge", "ご": "go",
    "ざ": "za", "じ": "ji", "ず": "zu", "ぜ": "ze", "ぞ": "zo",
    "だ": "da", "ぢ": "ji", "づ": "zu", "で": "de", "ど": "do",
    "ば": "ba", "び": "bi", "ぶ": "bu", "べ": "be", "ぼ": "bo",
    "ぱ": "pa", "ぴ": "pi", "ぷ": "pu", "ぺ": "pe", "ぽ": "po",
    "ゔ": "vu",
    "ぁ": "a", "ぃ": "i", "ぅ": "u", "ぇ": "e", "ぉ": "o", "ゎ": "wa",
}  # fmt: skip
_SMALL_Y = {"ゃ": "a", "ゅ": "u", "ょ": "o"}


def _hiragana(ch: str) -> str:
    """Katakana → hiragana (same sound); other characters unchanged."""
    code = ord(ch)
    if 0x30A1 <= code <= 0x30F6:
        return chr(code - 0x60)
    return ch


def has_kana(text: str) -> bool:
    return any(0x3041 <= ord(c) <= 0x30FA or c == "ー" for c in text)


def to_romaji(text: str) -> str:
    """Romanise kana; anything that is not kana is kept as is (so mixed input degrades gracefully)."""
    chars = [_hiragana(c) for c in text]
    out: list[str] = []
    i = 0
    double_next = False
    while i < len(chars):
        ch = chars[i]
        if ch == "っ":
            double_next = True
            i += 1
            continue
        if ch == "ー":
            if out and out[-1] and out[-1][-1] in "aiueo":
                out.append(out[-1][-1])
            i += 1
            continue
        syllable = _BASE.get(ch)
        if syllable is None:
            out.append(ch)
            double_next = False
            i += 1
            continue
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        if nxt in _SMALL_Y and syllable.endswith("i") and len(syllable) >= 2:
            stem = syllable[:-1]
            glide = "" if stem in ("sh", "ch", "j") else "y"
            syllable = stem + glide + _SMALL_Y[nxt]
            i += 1
        if double_next and syllable[0] not in "aiueon":
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
        double_next = False
        out.append(syllable)
        i += 1
    return "".join(out)


def collapse_long_vowels(romaji: str) -> str:
    """Hepburn without long vowels, as names are usually spelled in romaji: satou → sato, yuuko → yuko."""
    out = romaji
    for long, short in (("ou", "o"), ("oo", "o"), ("uu", "u"), ("aa", "a"), ("ii", "i"), ("ee", "e")):
        out = out.replace(long, short)
    return out
