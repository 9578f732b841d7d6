"""The users update as one safe sequence: fresh export → plan → rollback file → updateUsersCSV → re-export →
verify. The CLI and the admin screen call these steps; the screen puts its confirmation between plan and apply.

Progress is reported through a plain callback (a step name), so a worker can relay it to the screen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from camtui.admin.rollback import Mismatch, verify_after, write_rollback
from camtui.admin.users_plan import UsersPlan, plan_users_update
from camtui.api.models import User
from camtui.common.paths import expand_user

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def data_dir_of(store_path: str | Path | None) -> Path:
    """Where rollback files go: next to the local database (the user data dir for an in-memory store)."""
    if store_path is None or str(store_path) == ":memory:":
        from platformdirs import user_data_dir

        return Path(user_data_dir("camtui"))
    return expand_user(store_path).parent


async def fresh_directory(
    client: Any, directory: Any | None = None, progress: Progress = _quiet
) -> list[User]:
    """exportUsers now (the plan must compare against what the server has, not an old cache); the store's
    directory cache is refreshed with it when one is given."""
    import asyncio

    from camtui.api import MalformedResponse
    from camtui.api.wire import MalformedBody, parse_users_csv

    progress("exporting the directory")
    raw = await client.export_users_csv()
    progress(f"reading the export ({len(raw) / 1e6:.1f} MB)")
    # Parsed (100,000 people: about a second) and stored in a thread, so a screen's main thread stays free.
    try:
        users = list(await asyncio.to_thread(lambda: parse_users_csv(raw.decode("utf-8-sig"))))
    except MalformedBody as exc:  # a cell over csv's field limit, no email column: the client's typed error
        raise MalformedResponse(f"unexpected response body: {exc}", method="exportUsers") from None
    if directory is not None:
        progress(f"storing {len(users):,} users")
        await asyncio.to_thread(directory.replace, users)
    return users


async def plan_against_server(
    client: Any,
    text: str,
    caller_email: str | None = None,
    directory: Any | None = None,
    progress: Progress = _quiet,
) -> UsersPlan:
    users = await fresh_directory(client, directory, progress)
    progress("comparing")
    return plan_users_update(text, users, caller_email)


@dataclass(frozen=True, slots=True)
class ApplyResult:
    created: int
    updated: int
    rollback: Path | None
    """The file that undoes the update (None: no existing user changed)."""
    mismatches: list[Mismatch]
    """Rows the re-export does not show as planned (empty: verified)."""


class SendFailed(Exception):
    """updateUsersCSV failed after the rollback file was written: refused (nothing changed) or, for an
    `OutcomeUnknown`, maybe applied — then the rollback file is the way back and a re-export tells."""

    def __init__(self, rollback: Path | None, cause: Exception) -> None:
        from camtui.api.errors import OutcomeUnknown

        self.rollback = rollback
        self.unknown = isinstance(cause, OutcomeUnknown)
        where = f"; rollback file: {rollback}" if rollback else ""
        if self.unknown:
            text = f"outcome unknown ({cause}): the update may have been applied — re-export and diff again{where}"
        else:
            text = f"not applied: {cause}{where} (not needed: nothing changed)"
        super().__init__(text)


class PlanBlocked(ValueError):
    """The plan has errors (or nothing to do): nothing is sent."""


async def apply_plan(
    client: Any,
    plan: UsersPlan,
    csv_bytes: bytes,
    data_dir: Path,
    when: datetime,
    *,
    filename: str = "updateUsers.csv",
    directory: Any | None = None,
    progress: Progress = _quiet,
) -> ApplyResult:
    """Write the rollback file, send the CSV (UTF-8), re-export and verify. The rollback file exists before the
    request leaves, so even an update whose answer is lost can be undone."""
    if plan.errors:
        raise PlanBlocked(f"{len(plan.errors)} errors in the file: nothing sent")
    if not plan.sendable:
        raise PlanBlocked("nothing would change: nothing sent")
    progress("writing the rollback file")
    rollback = write_rollback(plan, data_dir, when)
    progress(f"rollback file written: {rollback}; sending the update" if rollback else "sending the update")
    try:
        result = await client.update_users_csv(csv_bytes, filename=filename)
    except Exception as exc:
        raise SendFailed(rollback, exc) from exc
    progress("verifying")
    after = await fresh_directory(client, directory, _quiet)
    return ApplyResult(result.created, result.updated, rollback, verify_after(plan, after))
