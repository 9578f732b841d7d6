"""Compact containers for a large directory: strings joined into one `str`, integers in `array`s.

A 100,000-person directory held as Python objects (a `User` per person, a list of ids per key, a string per
key) costs ~180 MB; the same data packed costs a tenth of that, and a lookup stays a bisection: these types are
sequences, so `bisect` works on them directly."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, overload


class PackedStrings(Sequence[str]):
    """An immutable list of strings stored as one joined string and the offsets between them."""

    __slots__ = ("_offsets", "_text")

    def __init__(self, items: Iterable[str]) -> None:
        parts = list(items)
        offsets = array("I", [0])
        position = 0
        for part in parts:
            position += len(part)
            offsets.append(position)
        self._text = "".join(parts)
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
        return self._text[offsets[i] : offsets[i + 1]]  # IndexError past the end, as a list

    def __iter__(self) -> Iterator[str]:
        text, offsets = self._text, self._offsets
        for j in range(len(offsets) - 1):
            yield text[offsets[j] : offsets[j + 1]]


class Postings(Sequence["array[int]"]):
    """Per key, the ids having it: one flat array of ids and where each key's run starts."""

    __slots__ = ("_ids", "_starts")

    def __init__(self, runs: Iterable[Iterable[int]]) -> None:
        ids = array("I")
        starts = array("I", [0])
        for run in runs:
            ids.extend(run)
            starts.append(len(ids))
        self._ids = ids
        self._starts = starts

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, j: int) -> array[int]: ...
    @overload
    def __getitem__(self, j: slice) -> list[array[int]]: ...
    def __getitem__(self, j: int | slice) -> array[int] | list[array[int]]:
        if isinstance(j, slice):
            return [self[k] for k in range(*j.indices(len(self)))]
        starts = self._starts
        if j < 0:
            j += len(starts) - 1
        return self._ids[starts[j] : starts[j + 1]]


class Pooled(Sequence[str]):
    """A column with few distinct values (departments, positions, common names): each value stored once."""

    __slots__ = ("_codes", "_values")

    def __init__(self, items: Iterable[str]) -> None:
        pool: dict[str, int] = {}
        codes = array("I")
        for item in items:
            code = pool.get(item)
            if code is None:
                code = pool[item] = len(pool)
            codes.append(code)
        self._values: Sequence[str] = PackedStrings(pool)
        """One joined string, not a string object per value: long-lived small objects made during a build
        would pin the memory of everything freed around them."""
        self._codes = codes

    def __len__(self) -> int:
        return len(self._codes)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self._values[c] for c in self._codes[i]]
        return self._values[self._codes[i]]

    def code(self, i: int) -> int:
        """The value's number: equal numbers, equal values."""
        return self._codes[i]


class _PoolBuilder:
    """Collects a pooled column one value at a time."""

    __slots__ = ("codes", "pool")

    def __init__(self) -> None:
        self.pool: dict[str, int] = {}
        self.codes = array("I")

    def add(self, value: str) -> None:
        code = self.pool.get(value)
        if code is None:
            code = self.pool[value] = len(self.pool)
        self.codes.append(code)

    def finish(self) -> Pooled:
        column = Pooled(())
        column._values = PackedStrings(self.pool)
        column._codes = self.codes
        return column


class UserTable(Sequence[Any]):
    """The directory's people by column; `table[i]` builds the `camtui.api.User` (only for what is shown).

    Filled one person at a time (`add`, in index order, then `finish`), so a directory can be streamed from the
    store into it without ever holding 100,000 `User` objects."""

    __slots__ = (
        "_admin",
        "_builders",
        "_cls",
        "_department",
        "_email",
        "_name",
        "_position",
        "_romaji",
        "_uid",
    )

    def __init__(self, user_class: type) -> None:
        self._cls = user_class
        self._builders: (
            tuple[list[str], list[str], _PoolBuilder, _PoolBuilder, _PoolBuilder, _PoolBuilder] | None
        ) = (
            [],
            [],
            _PoolBuilder(),
            _PoolBuilder(),
            _PoolBuilder(),
            _PoolBuilder(),
        )
        self._admin = bytearray()

    def add(
        self, uid: str, email: str, name: str, romaji: str, department: str, position: str, admin: bool
    ) -> None:
        assert self._builders is not None, "finished"
        uids, emails, names, romajis, departments, positions = self._builders
        uids.append(uid)
        emails.append(email)
        names.add(name)
        romajis.add(romaji)
        departments.add(department)
        positions.add(position)
        self._admin.append(1 if admin else 0)

    def finish(self) -> UserTable:
        assert self._builders is not None, "finished"
        uids, emails, names, romajis, departments, positions = self._builders
        self._builders = None
        self._uid = PackedStrings(uids)
        uids.clear()
        self._email = PackedStrings(emails)
        emails.clear()
        self._name = names.finish()
        self._romaji = romajis.finish()
        self._department = departments.finish()
        self._position = positions.finish()
        return self

    def __len__(self) -> int:
        return len(self._admin)

    @overload
    def __getitem__(self, i: int) -> Any: ...
    @overload
    def __getitem__(self, i: slice) -> list[Any]: ...
    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return self._cls(
            self._uid[i],
            self._email[i],
            self._name[i],
            self._romaji[i],
            self._department[i],
            self._position[i],
            bool(self._admin[i]),
        )
