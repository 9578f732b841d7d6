"""The way back from a users update, and the check that the update did what the plan said.

The rollback file holds the current values of every row that will change, in the export's format (all columns,
UTF-8 with BOM), so uploading it through updateUsersCSV undoes the change. Two things it cannot undo, because
the API has neither a delete nor a way to empty a cell (an empty cell means "keep"): users the update creates,
and fields that go from empty to a value. The plan says both before anything is sent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from camtui.admin.csv_text import BOM, csv_text
from camtui.admin.users_plan import FIELDS, UsersPlan, field_text
from camtui.api.models import User
from camtui.api.wire import USERS_CSV_COLUMNS


def user_row(user: User) -> list[str]:
    return [field_text(user, c) for c in USERS_CSV_COLUMNS]


def rollback_text(plan: UsersPlan) -> str | None:
    """The rollback CSV of `plan` (None when no existing user changes: there is nothing to restore)."""
    olds = [r.old for r in plan.rows if r.kind == "change" and r.old is not None]
    if not olds:
        return None
    return BOM + csv_text([list(USERS_CSV_COLUMNS), *(user_row(u) for u in olds)])


def rollback_path(data_dir: Path, when: datetime) -> Path:
    """A new file per update, named by time, so an older way back is never overwritten."""
    stamp = when.strftime("%Y%m%d-%H%M%S")
    path = data_dir / "rollback" / f"users-rollback-{stamp}.csv"
    n = 1
    while path.exists():
        n += 1
        path = data_dir / "rollback" / f"users-rollback-{stamp}-{n}.csv"
    return path


def write_rollback(plan: UsersPlan, data_dir: Path, when: datetime) -> Path | None:
    """Write the rollback file before the update is sent; its path, or None when there is nothing to restore."""
    text = rollback_text(plan)
    if text is None:
        return None
    path = rollback_path(data_dir, when)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    tmp.write_text(text, encoding="utf-8", newline="")
    tmp.replace(path)
    return path


@dataclass(frozen=True, slots=True)
class Mismatch:
    line: int
    email: str
    field: str
    """A field name, or "" when the user is missing from the export altogether."""
    expected: str
    actual: str

    def text(self) -> str:
        if not self.field:
            return f"line {self.line}: {self.email} is not in the directory after the update"
        return (
            f"line {self.line}: {self.email} {self.field} is {self.actual!r}, the plan said {self.expected!r}"
        )


def verify_after(plan: UsersPlan, exported: Iterable[User]) -> list[Mismatch]:
    """Every planned create/change row whose user, re-exported after the update, differs from the plan."""
    now = {u.email.strip().lower(): u for u in exported}
    out: list[Mismatch] = []
    for row in plan.rows:
        if row.kind not in ("create", "change") or row.new is None:
            continue
        got = now.get(row.new.email.lower())
        if got is None:
            out.append(Mismatch(row.line, row.email, "", "", ""))
            continue
        checked = FIELDS if row.new.uid == "" else ("uid", *FIELDS)
        for name in checked:
            want, have = field_text(row.new, name), field_text(got, name)
            if want != have:
                out.append(Mismatch(row.line, row.email, name, want, have))
    return out
