"""The recipient index of a store's directory, built in a child process and mapped from its file.

Why a child: parsing a 100,000-person export and building its index makes millions of short-lived Python objects;
in the app's process they would leave ~100 MB the allocator never gives back, and the build would hold the GIL
the UI needs for seconds. The child parses the export, writes the store's directory (one transaction, as
`DirectoryRepo.replace`), builds the index and writes it to a file next to the store (`index_file`); the app maps
that file. It holds the export's bytes only until the child has read them.

The file is stamped with the directory's version (new at every `replace`), its row count, the export's hash and
the extra addresses it merged in: a cached file is used at once only while it matches the store, and a fresh
export equal to the cached one changes nothing but the export's time. An in-memory store (tests) builds in the
process instead.

    python -m camtui.compose.index_build STORE INDEX     (stdin: one JSON line, then the export's bytes if any)
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from camtui.compose.matcher import RecipientMatcher


class IndexBuildError(Exception):
    """The child could not build the index (its last error line)."""


def index_path(store: Any) -> Path | None:
    """Where the index of `store`'s directory is kept (None for an in-memory store)."""
    path = str(getattr(store, "path", ":memory:"))
    if path == ":memory:":
        return None
    p = Path(path)
    return p.with_name(p.name + ".directory-index")


def _extras_hash(extras: list[str]) -> str:
    return hashlib.sha256("\n".join(e.strip().lower() for e in extras).encode("utf-8")).hexdigest()


def _stamp(directory: Any, extras: list[str], export_hash: str | None) -> dict[str, Any]:
    return {
        "version": directory.version(),
        "rows": len(directory),
        "extras": _extras_hash(extras),
        "export": export_hash,
    }


def _matches(stamp: dict[str, Any] | None, directory: Any, extras: list[str]) -> bool:
    return (
        stamp is not None
        and stamp.get("version") == directory.version()
        and stamp.get("rows") == len(directory)
        and stamp.get("extras") == _extras_hash(extras)
    )


def cached_matcher(store: Any, extras: list[str]) -> RecipientMatcher | None:
    """The index of the store's cached directory (None when there is none): the file if it still matches,
    else built again from the store. Blocking: call it in a thread."""
    from camtui.compose.index_file import open_index, read_stamp

    if not len(store.directory):
        return None
    path = index_path(store)
    if path is None:
        return RecipientMatcher.from_sorted_rows(store.directory.rows(), extra_emails=extras)
    if _matches(read_stamp(path), store.directory, extras):
        matcher = open_index(path)
        if matcher is not None:
            return matcher
    return _run_child(store, path, extras, [], None)


def matcher_from_export(
    store: Any, export: list[bytes], extras: list[str], fetched_at: datetime | None = None
) -> RecipientMatcher:
    """Store a fresh export and return the index over it. `export` holds the CSV's bytes as sent, alone in a
    list that is emptied once they are handed to the child (100,000 people: ~10 MB the app then no longer
    holds while the child parses and indexes for seconds). An export equal to
    the one the current index was built from only updates the export's time. Blocking: call it in a thread.
    Raises `camtui.api.MalformedResponse` for a CSV that cannot be read (the cached directory stays)."""
    from camtui.compose.index_file import open_index, read_stamp

    raw = export.pop()
    path = index_path(store)
    if path is None:
        from camtui.api import wire
        from camtui.api.errors import MalformedResponse

        try:
            users = wire.parse_users_export(raw.decode("utf-8", errors="replace")).users
        except wire.MalformedBody as exc:
            raise MalformedResponse(f"unexpected response body: {exc}", method="exportUsers") from None
        store.directory.replace(users, fetched_at)
        del users
        return RecipientMatcher.from_sorted_rows(store.directory.rows(), extra_emails=extras)
    export_hash = hashlib.sha256(raw).hexdigest()
    stamp = read_stamp(path)
    if _matches(stamp, store.directory, extras) and stamp is not None and stamp.get("export") == export_hash:
        matcher = open_index(path)
        if matcher is not None:
            store.directory.mark_fetched(fetched_at)
            return matcher
    holder = [raw]
    del raw
    return _run_child(store, path, extras, holder, fetched_at or store.clock())


def _run_child(
    store: Any, path: Path, extras: list[str], export: list[bytes], fetched_at: datetime | None
) -> RecipientMatcher:
    from camtui.compose.index_file import open_index
    from camtui.store.db import to_ms

    head = {"extras": extras, "fetched_ms": None if fetched_at is None else to_ms(fetched_at)}
    package_root = str(Path(__file__).resolve().parent.parent.parent)  # this checkout's camtui, not another
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    )
    child = subprocess.Popen(
        [sys.executable, "-m", "camtui.compose.index_build", str(store.path), str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert child.stdin is not None
    try:  # the header, then the export as it came: no second copy of it is made here
        child.stdin.write(json.dumps(head).encode("utf-8") + b"\n")
        if export:
            child.stdin.write(export.pop())
        child.stdin.close()
    except BrokenPipeError:
        pass  # the child died early: its stderr says why
    export.clear()
    from camtui.common.memory import release_free_memory

    release_free_memory()  # the export's bytes go back to the system while the child works
    assert child.stderr is not None
    err = child.stderr.read()
    child.stderr.close()
    done = subprocess.CompletedProcess(child.args, child.wait(), b"", err)
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        message = lines[-1] if lines else f"exit status {done.returncode}"
        if done.returncode == _MALFORMED:
            from camtui.api.errors import MalformedResponse

            raise MalformedResponse(f"unexpected response body: {message}", method="exportUsers")
        raise IndexBuildError(f"building the directory's index failed: {message}")
    matcher = open_index(path)
    if matcher is None:
        raise IndexBuildError(f"building the directory's index failed: {path} is not readable")
    return matcher


_MALFORMED = 3


def _child(store_path: str, out: Path) -> int:
    from camtui.api import wire
    from camtui.compose.index_file import write_index
    from camtui.store.db import connect, from_ms_required
    from camtui.store.directory import DirectoryRepo

    stdin = sys.stdin.buffer
    head = json.loads(stdin.readline().decode("utf-8"))
    raw = stdin.read()
    extras: list[str] = list(head["extras"])
    conn = connect(store_path)
    directory = DirectoryRepo(conn)
    export_hash = None
    if head["fetched_ms"] is not None:
        export_hash = hashlib.sha256(raw).hexdigest()
        try:
            users = wire.parse_users_export(raw.decode("utf-8", errors="replace")).users
        except wire.MalformedBody as exc:
            print(exc, file=sys.stderr)
            return _MALFORMED
        del raw
        directory.replace(users, from_ms_required(head["fetched_ms"]))
        del users
    matcher = RecipientMatcher.from_sorted_rows(directory.rows(), extra_emails=extras)
    write_index(matcher, out, _stamp(directory, extras, export_hash))
    conn.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(_child(sys.argv[1], Path(sys.argv[2])))
