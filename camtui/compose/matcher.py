"""Recipient autocomplete over the user directory: our own index, because a scan per keystroke is too slow at
100,000 users.

Built once from `camtui.api.User`s. A query is normalised (NFKC + casefold, macrons dropped; kana also tried as
romaji) and answered tier by tier, stopping as soon as the capped list is full:

1. exact (e-mail, name or romaji equal to the query),
2. prefix of a whole field (e-mail, name, romaji in either word order, department); whole words first,
3. prefix of a word (e-mail local-part pieces and domain, name, romaji and department words), and, when
   nothing matched yet, several words that each start a word of the same person ("営業 山田"),
4. substring of a word (one `str.find` walk over the distinct words, far fewer than the users),
5. one typo (substitution, insertion, deletion or transposition) against e-mail local parts and romaji,
   enumerated along the sorted keys like a trie walk so only edits that can match are tried; only when
   nothing else matched (a query that matches something was typed right).

Tiers 1–3 are bisections in sorted key lists (O(log n + limit)); 4–5 only run when 1–3 left the list short.
Measured (benchmarks/autocomplete.py): p99 ≈ 0.2 ms per keystroke at 100,000 users.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from dataclasses import replace as with_changes
from typing import Any, Literal

from camtui.compose.kana import collapse_long_vowels, has_kana, to_romaji
from camtui.compose.matcher_index import AT as _AT
from camtui.compose.matcher_index import FIELD_RANK as _FIELD_RANK
from camtui.compose.matcher_index import LOCAL_SPLIT as _LOCAL_SPLIT
from camtui.compose.matcher_index import SCAN_CAP as _SCAN_CAP
from camtui.compose.matcher_index import WORD_SPLIT as _WORD_SPLIT
from camtui.compose.matcher_index import Field, normalize
from camtui.compose.matcher_index import Haystack as _Haystack
from camtui.compose.matcher_index import SortedKeys as _SortedKeys
from camtui.compose.packed import PackedStrings, UserTable
from camtui.compose.recipient_text import (
    EMAIL_RE,
    iter_tokens,
    predict_code,
    replace_token,
    split_recipients,
    token_at,
)

__all__ = [
    "EMAIL_RE",
    "Candidate",
    "Field",
    "Kind",
    "RecipientEntry",
    "RecipientMatcher",
    "Status",
    "iter_tokens",
    "normalize",
    "predict_code",
    "replace_token",
    "split_recipients",
    "token_at",
]

Kind = Literal["exact", "prefix", "word", "substring", "typo"]
Status = Literal["resolved", "unknown", "unchecked", "ambiguous", "invalid"]

_TYPO_MIN = 3
_BOUNDARY = frozenset(" ._+-\x01")


@dataclass(frozen=True, slots=True)
class Candidate:
    user: Any
    """A `camtui.api.User` (for a fallback address: a User with only the e-mail set)."""
    email: str
    kind: Kind
    field: Field
    label: str
    """One line for the dropdown: `山田 太郎 <taro.yamada@example.co.jp> · 営業部`."""


@dataclass(frozen=True, slots=True)
class RecipientEntry:
    token: str
    """The entry as typed, stripped."""
    start: int
    end: int
    """Bounds of the stripped token in the field text."""
    status: Status
    email: str | None
    user: Any | None
    candidates: tuple[Any, ...] = ()
    """Ambiguous or invalid entries: the users it might mean (best first)."""
    duplicate: bool = False
    """The same address appears earlier in the field."""
    predicted_code: str | None = None
    """For "unknown": the error the server will answer ("451" if the domain is the organisation's, else "452")."""


def _user_class() -> type:
    from camtui.store.directory import user_class

    return user_class()


Row = tuple[str, str, str, str, str, str, bool]
"""(uid, email, name, romaji, department, position, admin), as the store's directory holds a person."""


def sort_key(email_lower: str) -> str:
    """The people's order: by e-mail, "@" sorting first so `taro.yamada@…` comes before `taro.yamada2@…`."""
    return email_lower.replace("@", _AT)


def _fallback_row(email: str) -> Row:
    """A configured contact or an address used before: only the e-mail is known."""
    return ("", email, "", "", "", "", False)


class RecipientMatcher:
    """The index. Build once per directory load; `match` per keystroke; `resolve` for the whole field."""

    def __init__(
        self, users: Iterable[Any], *, extra_emails: Iterable[str] = (), authoritative: bool = True
    ) -> None:
        by_email: dict[str, Row] = {}
        for u in users:
            email = (u.email or "").strip()
            if email:
                by_email.setdefault(
                    email.lower(),
                    (
                        u.uid or "",
                        email,
                        u.name or "",
                        u.romaji or "",
                        u.department or "",
                        u.position or "",
                        bool(u.admin),
                    ),
                )
        for raw in extra_emails:
            email = raw.strip()
            if email and email.lower() not in by_email:
                by_email[email.lower()] = _fallback_row(email)
        ordered = sorted(by_email, key=sort_key)
        self._build([by_email.pop(k) for k in ordered], authoritative)

    @classmethod
    def from_sorted_rows(
        cls, rows: Iterable[Row], *, extra_emails: Iterable[str] = (), authoritative: bool = True
    ) -> RecipientMatcher:
        """The index over rows `(uid, email, name, romaji, department, position, admin)` already in `sort_key`
        order of their e-mail and unique (the store's directory query): streamed, so a 100,000-person
        directory is never held as objects. Out-of-order rows are a bug in the caller: ValueError."""
        extra = sorted(
            {e.strip().lower(): _fallback_row(e.strip()) for e in extra_emails if e.strip()}.items()
        )
        fallback = [row for _key, row in sorted(extra, key=lambda kv: sort_key(kv[0]))]
        merged = heapq.merge(rows, fallback, key=lambda row: sort_key(row[1].lower()))

        def unique() -> Iterator[Row]:
            previous = None
            for row in merged:
                key = sort_key(row[1].lower())
                if previous is not None and key <= previous:
                    if key == previous:
                        continue  # a configured contact already in the directory
                    raise ValueError("directory rows are not in e-mail order")
                previous = key
                yield row

        matcher = cls.__new__(cls)
        matcher._build(unique(), authoritative)
        return matcher

    def _build(self, rows: Iterable[Row], authoritative: bool) -> None:
        self.authoritative = authoritative
        exact: dict[str, list[int]] = {}
        full: dict[str, dict[str, list[int]]] = {f: {} for f in _FIELD_RANK}
        words: dict[str, dict[str, list[int]]] = {f: {} for f in _FIELD_RANK}
        typo: dict[str, list[int]] = {}
        ascii_bags: list[str] = []
        other_bags: list[str] = []
        shapes: dict[str, tuple[str, list[str], list[str]]] = {}  # raw text → (normalised, words, variants)

        def shape(raw: str) -> tuple[str, list[str], list[str]]:
            # Names and departments repeat a lot in a large directory: analyse each distinct text once.
            got = shapes.get(raw)
            if got is None:
                text = normalize(raw)
                parts = [w for w in _WORD_SPLIT.split(text) if w]
                variants = [text] if text else []
                if len(parts) > 1:
                    rev = parts[::-1]
                    variants += ["".join(parts), " ".join(rev), "".join(rev)]
                got = shapes[raw] = (text, parts, variants)
            return got

        def add(index: dict[str, list[int]], key: str, i: int) -> None:
            ids = index.get(key)
            if ids is None:
                index[key] = [i]
            elif ids[-1] != i:
                ids.append(i)

        full_email, words_email = full["email"], words["email"]
        full_dept, words_dept = full["department"], words["department"]
        table = UserTable(_user_class())
        emails: list[str] = []
        for i, row in enumerate(rows):
            table.add(*row)
            email = row[1].lower()
            emails.append(email)
            local, _, domain = email.partition("@")
            _name, name_words, name_variants = shape(row[2])
            _romaji, romaji_words, romaji_variants = shape(row[3])
            dept, dept_words, _ = shape(row[4])
            add(full_email, email.replace("@", _AT), i)
            add(typo, local, i)
            for w in _LOCAL_SPLIT.split(local):
                if w:
                    add(words_email, w, i)
                    add(typo, w, i)
            if domain:
                add(words_email, domain, i)
            for fld, variants, parts in (
                ("name", name_variants, name_words),
                ("romaji", romaji_variants, romaji_words),
            ):
                for v in variants:
                    add(full[fld], v, i)
                    add(exact, v.replace(" ", ""), i)
                    if fld == "romaji":
                        add(typo, v, i)
                for w in parts:
                    add(words[fld], w, i)
            if dept:
                add(full_dept, dept, i)
                for w in dept_words:
                    add(words_dept, w, i)
            bag_words = [*_LOCAL_SPLIT.split(local), domain, *name_words, *romaji_words, *dept_words]
            ascii_bags.append(" " + " ".join([w for w in bag_words if w.isascii()]))
            other_bags.append(" " + " ".join([w for w in bag_words if not w.isascii()]))
        self._users = table.finish()
        """Everyone, packed by column; `self._users[i]` builds the User of index i."""
        self.domains: frozenset[str] = frozenset(e.rpartition("@")[2] for e in emails if "@" in e)
        """The organisation's domains (predicts 451 vs 452 for unknown addresses)."""
        self._emails = PackedStrings(emails)
        del emails
        self._exact = _SortedKeys("name", exact)
        del exact
        self._full = [_SortedKeys(f, full.pop(f)) for f in _FIELD_RANK]  # type: ignore[arg-type]
        self._email_keys = self._full[0].keys
        """E-mail keys ("@" as AT), one per person, in the people's order: `get` bisects here."""
        self._words = [_SortedKeys(f, words.pop(f)) for f in _FIELD_RANK]  # type: ignore[arg-type]
        self._typo = _SortedKeys("romaji", typo)
        del typo
        self._ascii_bags = PackedStrings(ascii_bags)
        self._other_bags = PackedStrings(other_bags)
        """Per user: " word word …" (every word of every field; ASCII words and the others apart, so the ASCII
        text takes one byte a character), for multi-word queries."""
        del ascii_bags, other_bags
        distinct: dict[str, tuple[Field, list[int]]] = {}
        for keys in (*self._full[2:], *self._words):  # name and department full texts, then every word
            for key, ids in zip(keys.keys, keys.ids, strict=True):
                known = distinct.get(key)
                if known is None:
                    distinct[key] = (keys.field, ids)
                elif known[1] is not ids:
                    distinct[key] = (known[0], sorted(set(known[1]) | set(ids)))
        self._ascii = _Haystack({k: v for k, v in distinct.items() if k.isascii()})
        self._other = _Haystack({k: v for k, v in distinct.items() if not k.isascii()})

    def __len__(self) -> int:
        return len(self._users)

    def _index_of(self, email: str) -> int | None:
        key = email.replace("@", _AT)
        keys = self._email_keys
        i = bisect_left(keys, key)
        return i if i < len(keys) and keys[i] == key else None

    def get(self, email: str) -> Any | None:
        i = self._index_of(email.strip().lower())
        return None if i is None else self._users[i]

    # -- per keystroke ----------------------------------------------------------------------------------------
    def match(self, query: str, limit: int = 10) -> list[Candidate]:
        """Best `limit` users for what is typed, best first."""
        q = normalize(query)
        if not q or limit <= 0:
            return []
        found: dict[int, tuple[Kind, Field]] = {}
        queries = [q]
        if has_kana(q):
            romaji = to_romaji(q)
            if romaji != q and romaji.isascii():
                queries.append(romaji)
                short = collapse_long_vowels(romaji)  # さとう → satou → sato (romaji fields drop long vowels)
                if short != romaji:
                    queries.append(short)
        for qq in queries:
            self._tier_exact(qq, found, limit)
        for qq in queries:
            self._tier_prefix(qq, self._full, "prefix", found, limit)
        for qq in queries:
            self._tier_prefix(qq, self._words, "word", found, limit)
        if not found and " " in q:
            # Words across fields or in another order ("営業 山田"): only when nothing matched as typed.
            for qq in queries:
                self._tier_all_words(qq, found, limit)
        if len(found) < limit:
            for qq in queries:
                self._tier_substring(qq, found, limit)
        if not found:
            # A typo is the explanation of last resort: a query that matches something was typed right.
            for qq in queries:
                if qq.isascii() and len(qq) >= _TYPO_MIN:
                    self._tier_typo(qq, found, limit)
        return [self._candidate(i, kind, fld) for i, (kind, fld) in found.items()]

    def _tier_exact(self, q: str, found: dict[int, tuple[Kind, Field]], limit: int) -> None:
        i = self._index_of(q)
        if i is not None and len(found) < limit:
            found.setdefault(i, ("exact", "email"))
        for i in self._exact.exact(q.replace(" ", "")):
            if len(found) >= limit:
                return
            fld: Field = "romaji" if q.isascii() else "name"
            found.setdefault(i, ("exact", fld))

    def _tier_prefix(
        self, q: str, lists: list[_SortedKeys], kind: Kind, found: dict[int, tuple[Kind, Field]], limit: int
    ) -> None:
        want = limit - len(found)
        if want <= 0:
            return
        hits: list[tuple[bool, int, int, Field]] = []
        n = len(q)
        for keys in lists:
            for key, uid in keys.scan(q, want, found):
                whole_word = len(key) == n or key[n] in _BOUNDARY
                hits.append((not whole_word, _FIELD_RANK[keys.field], uid, keys.field))
        hits.sort()  # whole words first ("sato" → Sato before Satoshi), then field, then directory order
        for _, _, uid, fld in hits:
            if len(found) >= limit:
                break
            found.setdefault(uid, (kind, fld))

    def _tier_all_words(self, q: str, found: dict[int, tuple[Kind, Field]], limit: int) -> None:
        """Several words ("営業 山田", "taro yam"): each must start some word of the same user."""
        sizes = {t: sum(keys.estimate(t) for keys in self._words) for t in q.split()}
        if not all(sizes.values()):
            return  # some word starts no word at all (a typo): cheap to rule out, costly to scan for
        tokens = sorted(sizes, key=sizes.__getitem__)  # scan for the rarest word, check the others
        head = tokens[0]
        rest_ascii = [" " + t for t in tokens[1:] if t.isascii()]
        rest_other = [" " + t for t in tokens[1:] if not t.isascii()]
        ascii_bags, other_bags = self._ascii_bags, self._other_bags
        budget = _SCAN_CAP
        for keys in self._words:
            for _, uid in keys.scan(head, budget, found):
                budget -= 1
                bag = ascii_bags[uid]
                other = other_bags[uid]
                # An ASCII word may also start a non-ASCII word ("it" → "IT推進部"); the reverse cannot be.
                if all(t in bag or t in other for t in rest_ascii) and all(t in other for t in rest_other):
                    found.setdefault(uid, ("word", keys.field))
                    if len(found) >= limit:
                        return
            if budget <= 0:
                return

    def _tier_substring(self, q: str, found: dict[int, tuple[Kind, Field]], limit: int) -> None:
        needle = q.replace(" ", "")
        hay = self._ascii if needle.isascii() else self._other
        for uid, fld in hay.find(needle, limit - len(found), found):
            found.setdefault(uid, ("substring", fld))

    def _tier_typo(self, q: str, found: dict[int, tuple[Kind, Field]], limit: int) -> None:
        keys = self._typo
        # An edit at position j can only help if q[:j] starts some key: find the longest such j.
        reach = 0
        while reach < len(q) and keys.has_prefix(q[: reach + 1]):
            reach += 1
        variants: list[str] = []
        for j in range(min(reach, len(q) - 1), -1, -1):  # edits late in the word first: closest matches
            head = q[:j]
            nexts = keys.next_chars(head)
            variants.append(head + q[j + 1 :])  # deletion
            if j + 1 < len(q):
                variants.append(head + q[j + 1] + q[j] + q[j + 2 :])  # transposition
            for ch in nexts:
                if ch != q[j]:
                    variants.append(head + ch + q[j + 1 :])  # substitution
                variants.append(head + ch + q[j:])  # insertion
        seen: set[str] = set()
        for v in variants:
            if len(found) >= limit:
                return
            if len(v) < _TYPO_MIN - 1 or v in seen or v == q:
                continue
            seen.add(v)
            for key, uid in keys.scan(v, limit - len(found), found):
                fld: Field = (
                    "email" if "@" in self._emails[uid] and self._emails[uid].startswith(key) else "romaji"
                )
                found.setdefault(uid, ("typo", fld))

    def _candidate(self, uid: int, kind: Kind, fld: Field) -> Candidate:
        user = self._users[uid]
        email = (user.email or "").strip()
        name = (user.name or "").strip()
        label = f"{name} <{email}>" if name else email
        dept = (user.department or "").strip()
        if dept:
            label += f" · {dept}"
        return Candidate(user, email, kind, fld, label)

    # -- the whole field -------------------------------------------------------------------------------------
    def exact_people(self, token: str) -> list[Any]:
        """Users whose e-mail, name or romaji (either word order, spaces ignored) equals `token`."""
        q = normalize(token)
        i = self._index_of(q)
        if i is not None:
            return [self._users[i]]
        ids = list(dict.fromkeys(self._exact.exact(q.replace(" ", ""))))
        if not ids and has_kana(q):
            ids = list(dict.fromkeys(self._exact.exact(to_romaji(q).replace(" ", ""))))
        return [self._users[j] for j in ids]

    def resolve(self, text: str) -> list[RecipientEntry]:
        """Every entry of a comma-separated recipient field, resolved against the directory."""
        out: list[RecipientEntry] = []
        seen: set[str] = set()
        for start, end, token in iter_tokens(text):
            entry = self._resolve_one(token, start, end)
            if entry.email is not None:
                key = entry.email.lower()
                if key in seen:
                    entry = with_changes(entry, duplicate=True)
                seen.add(key)
            out.append(entry)
        return out

    def _resolve_one(self, token: str, start: int, end: int) -> RecipientEntry:
        if EMAIL_RE.match(token):
            user = self.get(token)
            if user is not None:
                return RecipientEntry(token, start, end, "resolved", user.email.strip(), user)
            if not self.authoritative:
                return RecipientEntry(token, start, end, "unchecked", token, None)
            code = predict_code(token, self.domains)
            return RecipientEntry(token, start, end, "unknown", token, None, predicted_code=code)
        people = self.exact_people(token)
        if len(people) == 1:
            return RecipientEntry(token, start, end, "resolved", people[0].email.strip(), people[0])
        if len(people) > 1:
            return RecipientEntry(token, start, end, "ambiguous", None, None, tuple(people))
        guesses = tuple(c.user for c in self.match(token, 5))
        status: Status = "ambiguous" if guesses else "invalid"
        return RecipientEntry(token, start, end, status, None, None, guesses)
