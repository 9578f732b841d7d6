"""The recipient index as a file, memory-mapped: a 100,000-person directory costs the app almost no memory.

Built in memory (`RecipientMatcher`) the index takes ~42 MB of Python heap, and building it leaves ~100 MB more
that the allocator cannot give back (long-lived arrays pin the arenas of everything freed around them). Written to
a file and mapped read-only, the same index takes only the pages a keystroke touches (a bisection reads a few),
and those are clean file pages the kernel may drop and read again. Strings are stored as UTF-8 with byte offsets;
UTF-8 order is code-point order, so bisection and prefix tests give the same answers as on `str`.

Layout: magic, the header's length, the header (JSON: stamp, domains, where each section is), then the sections,
each 8-byte aligned: UTF-8 texts, `uint32` arrays (native byte order) and byte columns."""

from __future__ import annotations

import json
import mmap
import os
import struct
import sys
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, overload

from camtui.compose.matcher import RecipientMatcher
from camtui.compose.matcher_index import FIELDS, Field, Haystack, SortedKeys
from camtui.compose.packed import PackedStrings, Pooled, Postings, UserTable

MAGIC = b"CAMTUIX1"
_ORDER = sys.byteorder


class MappedStrings(Sequence[str]):
    """`PackedStrings` over a mapped file: UTF-8 text and the byte offsets between its items."""

    __slots__ = ("_buf", "_offsets")

    def __init__(self, buf: memoryview, offsets: memoryview) -> None:
        self._buf = buf
        self._offsets = offsets

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        offsets = self._offsets
        if i < 0:
            i += len(offsets) - 1
        return str(self._buf[offsets[i] : offsets[i + 1]], "utf-8")  # IndexError past the end

    def __iter__(self) -> Iterator[str]:
        for j in range(len(self)):
            yield self[j]


class MappedHaystack(Haystack):
    """`Haystack` whose text is UTF-8 in the mapped file: `find` is the mmap's own C search."""

    __slots__ = ("_base", "_end", "_map")

    def find(self, needle: str, want: int, skip: dict[int, Any]) -> list[tuple[int, Field]]:
        mapped, base, end, starts = self._map, self._base, self._end, self.starts
        target = needle.encode("utf-8")
        out: list[tuple[int, Field]] = []
        taken: set[int] = set()
        pos = base
        while len(out) < want:
            hit = mapped.find(target, pos, end)
            if hit < 0:
                break
            w = _bisect_right(starts, hit - base) - 1
            for uid in self.ids[w]:
                if uid not in skip and uid not in taken:
                    taken.add(uid)
                    out.append((uid, FIELDS[self.fields[w]]))
                    if len(out) >= want:
                        break
            pos = base + starts[w + 1] if w + 1 < len(starts) else end
        return out


def _bisect_right(seq: Any, x: int) -> int:
    from bisect import bisect_right

    return bisect_right(seq, x)


# ----- writing ------------------------------------------------------------------------------------------------


class _Writer:
    def __init__(self) -> None:
        self.sections: dict[str, list[int]] = {}
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, name: str, data: bytes) -> None:
        self.sections[name] = [self.size, len(data)]
        self.chunks.append(data)
        self.size += len(data)
        pad = -self.size % 8
        if pad:
            self.chunks.append(b"\0" * pad)
            self.size += pad

    def strings(self, name: str, items: Sequence[str]) -> None:
        if isinstance(items, PackedStrings) and items._text.isascii():
            self.add(name + ".text", items._text.encode("ascii"))
            self.add(name + ".off", items._offsets.tobytes())
            return
        offsets = array("I", [0])
        parts = []
        position = 0
        for item in items:
            data = item.encode("utf-8")
            parts.append(data)
            position += len(data)
            offsets.append(position)
        self.add(name + ".text", b"".join(parts))
        self.add(name + ".off", offsets.tobytes())

    def postings(self, name: str, runs: Postings) -> None:
        self.add(name + ".ids", runs._ids.tobytes())
        self.add(name + ".starts", runs._starts.tobytes())

    def pooled(self, name: str, column: Pooled) -> None:
        self.add(name + ".codes", column._codes.tobytes())
        self.strings(name + ".values", column._values)

    def keys(self, name: str, keys: SortedKeys) -> None:
        self.strings(name + ".keys", keys.keys)
        self.postings(name + ".ids", keys.ids)

    def haystack(self, name: str, hay: Haystack) -> None:
        text, starts = hay.text, hay.starts
        words = [
            text[starts[i] : (starts[i + 1] - 1 if i + 1 < len(starts) else len(text))]
            for i in range(len(starts))
        ]
        byte_starts = array("I")
        position = 0
        for word in words:
            byte_starts.append(position)
            position += len(word.encode("utf-8")) + 1
        self.add(name + ".text", "\x00".join(words).encode("utf-8"))
        self.add(name + ".starts", byte_starts.tobytes())
        self.add(name + ".fields", bytes(hay.fields))
        self.postings(name + ".ids", hay.ids)


def write_index(matcher: RecipientMatcher, path: Path, stamp: dict[str, Any]) -> None:
    """Write `matcher` to `path` (0600: it is the directory), atomically: a mapped file is never rewritten in
    place (the new one replaces the name; a reader keeps the old inode)."""
    w = _Writer()
    users = matcher._users
    w.strings("users.uid", users._uid)
    w.strings("users.email", users._email)
    for column in ("name", "romaji", "department", "position"):
        w.pooled(f"users.{column}", getattr(users, f"_{column}"))
    w.add("users.admin", bytes(users._admin))
    w.strings("emails", matcher._emails)
    w.keys("exact", matcher._exact)
    for keys in matcher._full:
        w.keys(f"full.{keys.field}", keys)
    for keys in matcher._words:
        w.keys(f"words.{keys.field}", keys)
    w.keys("typo", matcher._typo)
    w.strings("bags.ascii", matcher._ascii_bags)
    w.strings("bags.other", matcher._other_bags)
    w.haystack("hay.ascii", matcher._ascii)
    w.haystack("hay.other", matcher._other)
    header = json.dumps(
        {
            "stamp": stamp,
            "byteorder": _ORDER,
            "authoritative": matcher.authoritative,
            "domains": sorted(matcher.domains),
            "full": [k.field for k in matcher._full],
            "words": [k.field for k in matcher._words],
            "fields": {"exact": matcher._exact.field, "typo": matcher._typo.field},
            "sections": w.sections,
        }
    ).encode("utf-8")
    lead = MAGIC + struct.pack("<Q", len(header)) + header
    lead += b"\0" * (-len(lead) % 8)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(lead)
            for chunk in w.chunks:
                out.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# ----- reading ------------------------------------------------------------------------------------------------


def read_stamp(path: Path) -> dict[str, Any] | None:
    """The stamp the index was written with (what directory it indexes); None if there is no usable file."""
    header = _header(path)
    return None if header is None else header[0].get("stamp")


def _header(path: Path) -> tuple[dict[str, Any], int] | None:
    try:
        with open(path, "rb") as f:
            lead = f.read(16)
            if len(lead) < 16 or lead[:8] != MAGIC:
                return None
            (length,) = struct.unpack("<Q", lead[8:])
            header = json.loads(f.read(length).decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(header, dict) or header.get("byteorder") != _ORDER:
        return None
    start = 16 + length
    return header, start + (-start % 8)


def open_index(path: Path) -> RecipientMatcher | None:
    """The matcher over the mapped file at `path`; None if it is missing or not an index of this format."""
    got = _header(path)
    if got is None:
        return None
    header, base = got
    try:
        with open(path, "rb") as f:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):
        return None
    view = memoryview(mapped)
    sections: dict[str, list[int]] = header["sections"]

    def raw(name: str) -> memoryview:
        offset, length = sections[name]
        return view[base + offset : base + offset + length]

    def ints(name: str) -> memoryview:
        return raw(name).cast("I")

    def strings(name: str) -> MappedStrings:
        return MappedStrings(raw(name + ".text"), ints(name + ".off"))

    def postings(name: str) -> Postings:
        runs = Postings(())
        runs._ids, runs._starts = ints(name + ".ids"), ints(name + ".starts")  # type: ignore[assignment]
        return runs

    def pooled(name: str) -> Pooled:
        column = Pooled(())
        column._codes = ints(name + ".codes")  # type: ignore[assignment]
        column._values = strings(name + ".values")
        return column

    def keys(name: str, field: Field) -> SortedKeys:
        out = SortedKeys.__new__(SortedKeys)
        out.field, out.keys, out.ids = field, strings(name + ".keys"), postings(name + ".ids")  # type: ignore[assignment]
        return out

    def haystack(name: str) -> MappedHaystack:
        hay = MappedHaystack.__new__(MappedHaystack)
        offset, length = sections[name + ".text"]
        hay._map, hay._base, hay._end = mapped, base + offset, base + offset + length
        hay.text = ""
        hay.starts = ints(name + ".starts")  # type: ignore[assignment]
        hay.fields = raw(name + ".fields")  # type: ignore[assignment]
        hay.ids = postings(name + ".ids")
        return hay

    from camtui.compose.matcher import _user_class

    users = UserTable(_user_class())
    users._builders = None
    users._uid, users._email = strings("users.uid"), strings("users.email")  # type: ignore[assignment]
    users._name, users._romaji = pooled("users.name"), pooled("users.romaji")
    users._department, users._position = pooled("users.department"), pooled("users.position")
    users._admin = raw("users.admin")  # type: ignore[assignment]
    m = RecipientMatcher.__new__(RecipientMatcher)
    m.authoritative = bool(header["authoritative"])
    m._users = users
    m.domains = frozenset(header["domains"])
    m._emails = strings("emails")  # type: ignore[assignment]
    m._exact = keys("exact", header["fields"]["exact"])
    m._full = [keys(f"full.{f}", f) for f in header["full"]]
    m._email_keys = m._full[0].keys
    m._words = [keys(f"words.{f}", f) for f in header["words"]]
    m._typo = keys("typo", header["fields"]["typo"])
    m._ascii_bags = strings("bags.ascii")  # type: ignore[assignment]
    m._other_bags = strings("bags.other")  # type: ignore[assignment]
    m._ascii = haystack("hay.ascii")
    m._other = haystack("hay.other")
    m._mapped = mapped  # type: ignore[attr-defined]
    return m


def release_pages(matcher: RecipientMatcher) -> bool:
    """Unmap the pages the keystrokes touched (a substring search reads the whole word list): the process's
    memory goes back to what it was before typing, the pages stay in the system's file cache (the next keystroke
    maps them again without reading the disk). True if the matcher is a mapped one."""
    mapped = getattr(matcher, "_mapped", None)
    if mapped is None or not hasattr(mmap, "MADV_DONTNEED"):
        return False
    mapped.madvise(mmap.MADV_DONTNEED)
    return True
