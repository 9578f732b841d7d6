"""The diff as lines for the admin screen: one line per row (create / change with old → new / identical /
invalid) and under it one line per verdict; the problems' positions for n / N; the only-changes filter."""

from __future__ import annotations

from dataclasses import dataclass

from camtui.admin.users_plan import RowDiff, UsersPlan, Verdict


@dataclass(frozen=True, slots=True)
class DiffItem:
    kind: str
    """"create", "change", "same", "invalid" for a row; "error" / "warning" for a verdict under it."""
    text: str
    line: int
    marks: tuple[tuple[int, int, str], ...] = ()
    """(start, end, "old" | "new") character ranges of `text`: a change's old and new values, highlighted."""


def counts_text(plan: UsersPlan) -> str:
    return (
        f"create {plan.count('create')} · change {plan.count('change')} · identical {plan.count('same')} · "
        f"invalid {plan.count('invalid')} · {len(plan.errors)} errors · {len(plan.warnings)} warnings"
    )


def diff_items(plan: UsersPlan, only_changes: bool = False) -> list[DiffItem]:
    items: list[DiffItem] = []
    header_verdicts = [v for v in plan.verdicts if v.line == 1]
    for v in header_verdicts:
        items.append(DiffItem(v.severity, f"  ! {v.text()}", 1))
    verdicts: dict[int, list[Verdict]] = {}
    for v in plan.verdicts:
        if v.line != 1:
            verdicts.setdefault(v.line, []).append(v)
    for row in plan.rows:
        found = verdicts.get(row.line, [])
        if only_changes and row.kind == "same" and not found:
            continue
        if row.kind == "create" and row.new is not None:
            u = row.new
            known = " · ".join(v for v in (u.name, u.romaji, u.department, u.position) if v)
            text = f"+ {row.line:>6}  {u.email}  new: {known}" + (" · admin" if u.admin else "")
        elif row.kind == "change":
            items.append(_change_item(row))
            items.extend(DiffItem(v.severity, f"      ! {v.text()}", v.line) for v in found)
            continue
        elif row.kind == "same":
            text = f"= {row.line:>6}  {row.email}  identical"
        else:
            text = f"✗ {row.line:>6}  {row.email or '(no e-mail)'}  not sent"
        items.append(DiffItem(row.kind, text, row.line))
        items.extend(DiffItem(v.severity, f"      ! {v.text()}", v.line) for v in found)
    return items


def _change_item(row: RowDiff) -> DiffItem:
    """ "~ line email  field: old → new; …" with the old and new values marked for highlighting."""
    text = f"~ {row.line:>6}  {row.email}  "
    marks: list[tuple[int, int, str]] = []
    for i, c in enumerate(row.changes):
        text += ("; " if i else "") + f"{c.field}: "
        marks.append((len(text), len(text) + len(c.old), "old"))
        text += c.old + " → "
        marks.append((len(text), len(text) + len(c.new), "new"))
        text += c.new
    return DiffItem("change", text, row.line, tuple(m for m in marks if m[1] > m[0]))


def next_problem(items: list[DiffItem], index: int, direction: int = 1) -> int | None:
    """The index of the next (direction 1) or previous (-1) verdict line after `index`, wrapping; None if none."""
    n = len(items)
    for step in range(1, n + 1):
        i = (index + direction * step) % n
        if items[i].kind in ("error", "warning"):
            return i
    return None
