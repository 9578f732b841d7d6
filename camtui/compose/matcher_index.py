"""The matcher's index structures: sorted key lists scanned by bisection, and one text of distinct words for
substring search. Kept apart from the ranking (`matcher.py`) because they know nothing of tiers or users, only of
keys and the ids having them."""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from typing import Any, Literal

from camtui.compose.packed import PackedStrings, Postings

Field = Literal["email", "name", "romaji", "department"]

FIELD_RANK: dict[str, int] = {"email": 0, "romaji": 1, "name": 2, "department": 3}
FIELDS: tuple[Field, ...] = ("email", "romaji", "name", "department")
"""FIELD_RANK's fields by rank."""
_MACRONS = str.maketrans("āīūēōâîûêôĀĪŪĒŌÂÎÛÊÔ", "aiueoaiueoaiueoaiueo")
WORD_SPLIT = re.compile(r"[\s・/／()（）\[\]【】「」,、]+")
LOCAL_SPLIT = re.compile(r"[._+\-]+")
AT = "\x01"
"""Stands for "@" inside e-mail keys so that `taro.yamada@…` sorts before `taro.yamada2@…`."""
SCAN_CAP = 4000


def normalize(text: str) -> str:
    """What we compare: NFKC (full-width → ASCII, half-width kana → kana), casefold, macrons dropped, one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().translate(_MACRONS).split())


class SortedKeys:
    """Sorted distinct keys, each with the users having it: prefix scans by bisection. Packed (one string, id
    arrays): at 100,000 users the lists of strings and lists of ids this replaces cost ~100 MB."""

    __slots__ = ("field", "ids", "keys")

    def __init__(self, field: Field, index: dict[str, list[int]]) -> None:
        self.field = field
        ordered = sorted(index)
        self.keys = PackedStrings(ordered)
        self.ids = Postings(index[k] for k in ordered)

    def exact(self, key: str) -> Any:
        """The ids having exactly `key` (empty when none)."""
        keys = self.keys
        i = bisect_left(keys, key)
        if i < len(keys) and keys[i] == key:
            return self.ids[i]
        return ()

    def has_prefix(self, prefix: str) -> bool:
        prefix = prefix.replace("@", AT)
        i = bisect_left(self.keys, prefix)
        return i < len(self.keys) and self.keys[i].startswith(prefix)

    def estimate(self, prefix: str, cap: int = 200) -> int:
        """How many (key, user) pairs start with `prefix`, looking at most at `cap` keys (beyond: "a lot")."""
        prefix = prefix.replace("@", AT)
        keys, ids = self.keys, self.ids
        i = bisect_left(keys, prefix)
        total = 0
        for j in range(i, min(i + cap, len(keys))):
            if not keys[j].startswith(prefix):
                return total
            total += len(ids[j])
        return total if i + cap >= len(keys) else total + 1_000_000

    def scan(self, prefix: str, want: int, skip: set[int] | dict[int, Any]) -> list[tuple[str, int]]:
        """Up to `want` (key, id) whose key starts with `prefix` and whose id is not in `skip`, in key order."""
        keys, ids = self.keys, self.ids
        prefix = prefix.replace("@", AT)
        i = bisect_left(keys, prefix)
        n = len(keys)
        out: list[tuple[str, int]] = []
        taken: set[int] = set()
        looked = 0
        while i < n and len(out) < want and looked < SCAN_CAP:
            key = keys[i]
            if not key.startswith(prefix):
                break
            for uid in ids[i]:
                looked += 1
                if uid not in skip and uid not in taken:
                    taken.add(uid)
                    out.append((key, uid))
                    if len(out) >= want:
                        break
            i += 1
        return out

    def next_chars(self, prefix: str) -> list[str]:
        """The distinct characters that follow `prefix` in the keys (a trie level, by repeated bisection)."""
        keys = self.keys
        n = len(keys)
        depth = len(prefix)
        out: list[str] = []
        i = bisect_left(keys, prefix)
        while i < n:
            key = keys[i]
            if not key.startswith(prefix):
                break
            if len(key) == depth:
                i += 1
                continue
            ch = key[depth]
            out.append(ch)
            i = bisect_left(keys, prefix + chr(ord(ch) + 1), i)
        return out


class Haystack:
    """Every distinct word in one string, so a substring search is one C-level `find` walk over a small text
    (distinct words are far fewer than users); each hit maps back to the users having that word."""

    __slots__ = ("fields", "ids", "starts", "text")

    def __init__(self, words: dict[str, tuple[Field, Any]]) -> None:
        keys = sorted(words)
        starts = array("I")
        pos = 0
        for key in keys:
            starts.append(pos)
            pos += len(key) + 1
        self.starts = starts
        self.text = "\x00".join(keys)
        self.fields = bytes(FIELD_RANK[words[k][0]] for k in keys)
        self.ids = Postings(words[k][1] for k in keys)

    def find(self, needle: str, want: int, skip: dict[int, Any]) -> list[tuple[int, Field]]:
        text, starts = self.text, self.starts
        out: list[tuple[int, Field]] = []
        taken: set[int] = set()
        pos = 0
        while len(out) < want:
            hit = text.find(needle, pos)
            if hit < 0:
                break
            w = bisect_right(starts, hit) - 1
            for uid in self.ids[w]:
                if uid not in skip and uid not in taken:
                    taken.add(uid)
                    out.append((uid, FIELDS[self.fields[w]]))
                    if len(out) >= want:
                        break
            pos = starts[w + 1] if w + 1 < len(starts) else len(text)
        return out
