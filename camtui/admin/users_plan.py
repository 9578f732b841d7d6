"""The diff of a users CSV against the current directory, with a verdict for every problem, before anything is sent.

The rules follow what updateUsersCSV does with a file (the sandbox implements the spec's behaviour): rows are
keyed by e-mail (case-insensitive); an empty cell keeps the current value of an existing user; a new user
needs a name; `uid`, when given for an existing user, must be that user's. A row is then one of: create,
change (field by field old → new), identical, or invalid (it has an error verdict).

Verdicts are "error" (the server would refuse the file, or it would take away the caller's own admin rights:
nothing is sent while one exists) or "warning" (legal but dangerous or not undoable: an admin flag change, a
field that goes from empty to a value, which the rollback file cannot empty again)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from camtui.admin.csv_text import looks_neutralised
from camtui.api.models import User
from camtui.api.wire import USERS_CSV_COLUMNS

EMAIL_RE = re.compile(r"^[^@\s,;\"<>]+@[^@\s,;\"<>]+\.[^@\s,;\"<>]+$")
"""The address shape updateUsersCSV accepts."""
MAX_CELL = 200
TRUE = frozenset({"true", "1", "yes", "y", "on", "管理者"})
FALSE = frozenset({"false", "0", "no", "n", "off"})
FIELDS = ("name", "romaji", "department", "position", "admin")
"""The fields a row can change (e-mail is the key; uid is never changed)."""

Kind = Literal["create", "change", "same", "invalid"]
Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Verdict:
    line: int
    column: str
    """The CSV column it concerns ("" for the whole row)."""
    code: str
    """bad_email, duplicate_email, unknown_column, empty_required, admin_change, own_admin, bad_value,
    uid_mismatch, cell_count, too_long, bad_csv, not_reversible, neutralised_cell, no_rows."""
    reason: str
    severity: Severity

    def text(self) -> str:
        where = f"line {self.line}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class RowDiff:
    line: int
    email: str
    kind: Kind
    changes: tuple[FieldChange, ...] = ()
    old: User | None = None
    """The user as the directory has it now (None for a create or an unknown row)."""
    new: User | None = None
    """The user as it will be after the update (uid "" for a create without one: the server assigns it)."""


@dataclass(slots=True)
class UsersPlan:
    header: list[str]
    rows: list[RowDiff] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    caller: str = ""
    """The token owner's e-mail ([admin] me / --me), lowercased; "" when camtui does not know it."""
    caller_in_directory: bool = False

    def count(self, kind: Kind) -> int:
        return sum(1 for r in self.rows if r.kind == kind)

    @property
    def errors(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.severity == "error"]

    @property
    def warnings(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.severity == "warning"]

    @property
    def sendable(self) -> bool:
        """Nothing blocks the file and something would change."""
        return not self.errors and any(r.kind in ("create", "change") for r in self.rows)

    def own_admin_unchecked(self) -> str | None:
        """Why "a row changes your own admin rights" could not be checked, or None when it was (or no row
        changes anyone's admin flag, so none can change yours). The API cannot say whose token it is."""
        lines = [v.line for v in self.verdicts if v.code == "admin_change"]
        if not lines:
            return None
        rows = (
            f"the admin flag change on line {lines[0]} is"
            if len(lines) == 1
            else (f"one of the {len(lines)} admin flag changes is")
        )
        if not self.caller:
            why = "camtui does not know whose token this is (set [admin] me in the config, or --me)"
        elif not self.caller_in_directory:
            why = f"{self.caller} ([admin] me) is not in the directory"
        else:
            return None
        return f"NOT CHECKED: whether {rows} your own account — {why}"

    def verdicts_for(self, line: int) -> list[Verdict]:
        return [v for v in self.verdicts if v.line == line]

    def summary(self) -> str:
        return (
            f"{self.count('create')} to create, {self.count('change')} to change, "
            f"{self.count('same')} identical; {len(self.errors)} errors, {len(self.warnings)} warnings"
        )

    def to_json(self) -> dict[str, object]:
        return {
            "create": self.count("create"),
            "change": self.count("change"),
            "identical": self.count("same"),
            "invalid": self.count("invalid"),
            "rows": [
                {
                    "line": r.line,
                    "email": r.email,
                    "kind": r.kind,
                    "changes": [{"field": c.field, "old": c.old, "new": c.new} for c in r.changes],
                }
                for r in self.rows
                if r.kind != "same"
            ],
            "ownAdminChecked": self.own_admin_unchecked() is None,
            "verdicts": [
                {
                    "line": v.line,
                    "column": v.column,
                    "code": v.code,
                    "severity": v.severity,
                    "reason": v.reason,
                }
                for v in self.verdicts
            ],
        }


def field_text(user: User, name: str) -> str:
    value = getattr(user, name)
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def parse_admin(value: str) -> bool | None:
    """None: empty (keep); raises ValueError for what the server would refuse."""
    low = value.strip().lower()
    if low == "":
        return None
    if low in TRUE:
        return True
    if low in FALSE:
        return False
    raise ValueError(value)


def plan_users_update(text: str, directory: Iterable[User], caller_email: str | None = None) -> UsersPlan:
    """The diff of `text` (a users CSV, BOM already removed) against `directory` (the current users)."""
    current = {u.email.strip().lower(): u for u in directory}
    me = (caller_email or "").strip().lower()
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        first = next(reader, None)
    except csv.Error as exc:
        return UsersPlan([], verdicts=[Verdict(1, "", "bad_csv", f"not a CSV: {exc}", "error")])
    if first is None or not any(c.strip() for c in first):
        return UsersPlan(
            [],
            verdicts=[
                Verdict(
                    1, "", "no_rows", "empty file; the first line must be the header (uid,email,...)", "error"
                )
            ],
        )
    header = [c.strip().lstrip("\ufeff").lower() for c in first]
    plan = UsersPlan(header, caller=me, caller_in_directory=me in current)
    _check_header(plan, header)
    if plan.errors:  # the server refuses such a file at its header: the rows are not looked at
        return plan
    seen: dict[str, int] = {}
    line_end = reader.line_num
    while True:
        line = line_end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            plan.verdicts.append(Verdict(line, "", "bad_csv", f"not a CSV from here on: {exc}", "error"))
            break
        line_end = reader.line_num
        if any(c.strip() for c in row):
            plan.rows.append(_row(plan, header, row, line, current, seen, me))
    if not plan.rows and not plan.errors:
        plan.verdicts.append(Verdict(1, "", "no_rows", "no user rows after the header", "error"))
    plan.verdicts.sort(key=lambda v: v.line)
    return plan


def _check_header(plan: UsersPlan, header: list[str]) -> None:
    known = set(USERS_CSV_COLUMNS)
    columns = ", ".join(sorted(known))
    for name in header:
        if name not in known:
            plan.verdicts.append(
                Verdict(
                    1,
                    name,
                    "unknown_column",
                    f"unknown column {name!r} (columns: {columns})",
                    "error",
                )
            )
    if len(set(header)) != len(header):
        plan.verdicts.append(Verdict(1, "", "bad_csv", "a column name appears twice", "error"))
    if "email" not in header:
        plan.verdicts.append(
            Verdict(1, "email", "empty_required", "the header has no 'email' column", "error")
        )


def _row(
    plan: UsersPlan,
    header: list[str],
    row: list[str],
    line: int,
    current: dict[str, User],
    seen: dict[str, int],
    me: str,
) -> RowDiff:
    out = plan.verdicts
    before = len(out)

    def bad(column: str, code: str, reason: str, severity: Severity = "error") -> None:
        out.append(Verdict(line, column, code, reason, severity))

    if len(row) != len(header):
        bad("", "cell_count", f"{len(row)} cells, the header has {len(header)}")
        return RowDiff(line, "", "invalid")
    cells = {h: c.strip() for h, c in zip(header, row, strict=True)}
    email = cells.get("email", "")
    key = email.lower()
    if "email" in header:
        if not email:
            bad("email", "empty_required", "email is empty")
        elif not EMAIL_RE.match(email) or len(email) > MAX_CELL:
            bad("email", "bad_email", f"not an e-mail address: {email[:80]!r}")
        elif key in seen:
            bad("email", "duplicate_email", f"{email} is also on line {seen[key]}")
        else:
            seen[key] = line
    for name, value in cells.items():
        if len(value) > MAX_CELL:
            bad(name, "too_long", f"longer than {MAX_CELL} characters")
        elif looks_neutralised(value):
            bad(
                name,
                "neutralised_cell",
                f"starts with ' from a spreadsheet export; it will be stored: {value[:40]!r}",
                "warning",
            )
    admin: bool | None = None
    if "admin" in cells:
        try:
            admin = parse_admin(cells["admin"])
        except ValueError:
            bad("admin", "bad_value", f"admin must be true or false, got {cells['admin'][:20]!r}")
    old = current.get(key)
    uid = cells.get("uid", "")
    if old is not None and uid and uid != old.uid:
        bad("uid", "uid_mismatch", f"uid {uid} is not the uid of {old.email} ({old.uid})")
    if old is None and key in seen and seen[key] == line and not cells.get("name"):
        bad("name", "empty_required", "a new user needs a name")
    if len(out) > before and any(v.severity == "error" for v in out[before:]):
        return RowDiff(line, email, "invalid", old=old)
    values = {n: cells[n] for n in FIELDS[:-1] if cells.get(n)}
    if old is None:
        new = User(
            uid,
            key,
            values.get("name", ""),
            values.get("romaji", ""),
            values.get("department", ""),
            values.get("position", ""),
            bool(admin),
        )
        if admin and key == me:
            bad("admin", "own_admin", "this row is your own account", "warning")
        elif admin:
            bad("admin", "admin_change", "new user is an administrator", "warning")
        return RowDiff(line, email, "create", new=new)
    new = User(
        old.uid,
        old.email,
        values.get("name", old.name),
        values.get("romaji", old.romaji),
        values.get("department", old.department),
        values.get("position", old.position),
        old.admin if admin is None else admin,
    )
    changes = tuple(
        FieldChange(n, field_text(old, n), field_text(new, n))
        for n in FIELDS
        if field_text(old, n) != field_text(new, n)
    )
    for change in changes:
        if change.field == "admin":
            if key == me:
                bad("admin", "own_admin", f"changes your own admin rights ({change.old} → {change.new})")
            else:
                bad("admin", "admin_change", f"admin {change.old} → {change.new}", "warning")
        elif change.old == "":
            bad(
                change.field,
                "not_reversible",
                "empty now: the rollback file cannot empty it again",
                "warning",
            )
    return RowDiff(line, email, "change" if changes else "same", changes, old, new)
