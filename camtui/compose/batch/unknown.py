"""The unknown-items file: `FILE.unknown.json` beside `FILE.failed.json`.

Items whose outcome is unknown (their request may or may not have landed) are listed in the batch format, each
with its `index` (0-based position in FILE, what the server's `index` means) and the `outcome` the journal
holds. The user checks them (did they arrive?), deletes the ones that did, and sends the rest with
`camtui send-batch FILE.unknown.json --force-unknown`: the items are matched back to FILE's journal by index
and content, so FILE's run is completed and a later `--resume` of FILE never sends them again.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from camtui.compose.batch.parse import BatchFile
from camtui.store import ItemOutcome

UNKNOWN_STATES = ("unknown", "sending")
"""Journal states that mean "may or may not have been delivered" (`sending`: a run that died mid-request)."""

_UNKNOWN_NAME = re.compile(r"\A(?P<stem>.+)\.unknown(?P<suffix>\.[^.]*)?\Z")


def unknown_path(source: str | Path) -> Path:
    """`dir/f.json` → `dir/f.unknown.json` (named like the failed-items file, `f.failed.json`)."""
    src = Path(source)
    return src.with_name(f"{src.stem}.unknown{src.suffix or '.json'}")


def original_path(unknown: str | Path) -> Path | None:
    """`dir/f.unknown.json` → `dir/f.json`; None for a name that is not an unknown-items file's."""
    p = Path(unknown)
    m = _UNKNOWN_NAME.match(p.name)
    if m is None:
        return None
    return p.with_name(m.group("stem") + (m.group("suffix") or ""))


def is_unknown_list(bf: BatchFile) -> bool:
    """The file is one camtui wrote (or the user trimmed): its name says so and every item has its index."""
    return original_path(bf.path) is not None and all(
        isinstance(e.raw, dict) and type(e.raw.get("index")) is int for e in bf.items
    )


def unknown_list_problem(bf: BatchFile) -> str | None:
    """Why a file named like an unknown-items file, with camtui's `index` / `outcome` marks, cannot be read as
    one: an item whose index was edited into something other than a whole number (`"3"`, `3.0`, `null`).
    Without this check such a file read as an ordinary batch, and its items (maybe delivered already) were
    sent again without `--force-unknown`. None: not such a file, or a good one."""
    source = original_path(bf.path)
    if source is None or not any(
        isinstance(e.raw, dict) and ("index" in e.raw or "outcome" in e.raw) for e in bf.items
    ):
        return None
    for entry in bf.items:
        index = entry.raw.get("index") if isinstance(entry.raw, dict) else None
        if type(index) is not int:
            shown = json.dumps(index, ensure_ascii=False)
            shown = shown if len(shown) <= 24 else shown[:23] + "…"
            return (
                f"{Path(bf.path).name}: item {entry.index + 1} has index {shown}, not a whole number: the file "
                f"lists items of {source.name} whose outcome is unknown, each with its 0-based position there; "
                "nothing was sent"
            )
    return None


def unknown_indices(outcomes: Mapping[int, ItemOutcome]) -> list[int]:
    return sorted(i for i, o in outcomes.items() if o.state in UNKNOWN_STATES)


def write_unknown_items(
    bf: BatchFile, outcomes: Mapping[int, ItemOutcome], path: str | Path | None = None
) -> Path | None:
    """Write every item of `bf` the journal holds as unknown (verbatim, plus `index` and `outcome`); None, and
    nothing written, when there are none."""
    indices = unknown_indices(outcomes)
    if not indices:
        return None
    out = Path(path) if path is not None else unknown_path(bf.path)
    lines = ["messages=["]
    for i in indices:
        raw = bf.items[i].raw
        item = dict(raw) if isinstance(raw, dict) else {"item": raw}
        item.pop("error", None)
        item["index"] = i
        item["outcome"] = f"unknown: {outcomes[i].reason or 'its request may or may not have landed'}"
        lines.append(" " + json.dumps(item, ensure_ascii=False) + ",")
    lines.append("]")
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(out)  # a ^C or a crash never leaves half a list
    return out


@dataclass(frozen=True, slots=True)
class UnknownSubset:
    """What an unknown-items file asks for, matched against the original file and its journal."""

    chosen: tuple[int, ...]
    """Indices in the original file to send again (still unknown in its journal)."""
    settled: tuple[tuple[int, str], ...]
    """Listed items the journal has an outcome for now (sent, failed): not sent, with the reason."""
    problems: tuple[str, ...]
    """Listed items that do not match the original file (edited, wrong index): nothing is sent while any."""


def match_unknown_subset(
    listed: BatchFile, original: BatchFile, outcomes: Mapping[int, ItemOutcome]
) -> UnknownSubset:
    """Map the items of an unknown-items file back to `original` by index, checking their content is the
    same item (a shifted index or an edited text must not resend a different message)."""
    chosen: list[int] = []
    settled: list[tuple[int, str]] = []
    problems: list[str] = []
    seen: set[int] = set()
    for entry in listed.items:
        index = entry.raw["index"]
        where = f"item {entry.index + 1} (index {index})"
        if not 0 <= index < len(original.items):
            problems.append(f"{where}: {Path(original.path).name} has only {len(original.items)} items")
            continue
        if index in seen:
            problems.append(f"{where}: listed twice")
            continue
        seen.add(index)
        if original.items[index].item_hash != entry.item_hash:
            problems.append(
                f"{where}: differs from item {index + 1} of {Path(original.path).name} "
                "(destination, text or recipients changed); only the listed items can be resent as they are"
            )
            continue
        prior = outcomes.get(index)
        if prior is None or prior.state not in UNKNOWN_STATES:
            state = prior.state if prior is not None else "never attempted"
            settled.append((index, f"not unknown any more ({state})"))
            continue
        chosen.append(index)
    return UnknownSubset(tuple(chosen), tuple(settled), tuple(problems))
