"""The batch engine (composer and `camtui send-batch`): load a sendMessages file, validate it all, plan, then send
it in chunks with a journal so that no item is ever sent twice.

- Load: the spec's format (`messages=[…]`, trailing commas), UTF-8 with or without BOM. Any other encoding is
  refused with a message naming it (Shift_JIS is the usual suspect on Japanese Windows).
- Plan: every item is checked before anything is sent — shape (what the server would answer 400 to), recipients
  against the directory (451/452 predicted), rooms against the known list (405), duplicates. The plan says what
  will be sent, what is skipped because the journal already has it, the problems, and a time estimate.
- Apply: chunks via `sendMessages`. Each chunk is journalled `sending` before its request and `sent` / `failed`
  / `unknown` after. The server refuses a chunk as a whole when an item is bad: those items are marked failed
  and the rest of the chunk is sent again without them. `OutcomeUnknown` or ^C marks the chunk `unknown`;
  unknown items are only sent again when the plan was made with `force_unknown=True`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from camtui.api import codes, lenient_json
from camtui.api.errors import CAMAPIError, OutcomeUnknown, TransportError
from camtui.api.models import MESSENGER
from camtui.common.legacy_encoding import guess_japanese_encoding
from camtui.compose.matcher import EMAIL_RE, RecipientMatcher, predict_code
from camtui.store import ItemOutcome, SentInput, Store
from camtui.store.batch_journal import BatchJournalRepo
from camtui.store.db import transaction

SERVER_MAX_ITEMS = 1000
"""The sandbox (and, we assume, the server) refuses larger sendMessages batches."""
MAX_CHUNK_BYTES = 4 * 1024 * 1024
"""Stay well under the 5 MB request body limit."""
DEFAULT_CHUNK = 200
KNOWN_KEYS = frozenset({"send", "message", "property", "error"})
"""`error` is the reason camtui writes into a failed-items file; loading that file again ignores it."""
RATE_KEY = "batch.items_per_second"

Severity = Literal["error", "warning"]


class BatchLoadError(Exception):
    """The file cannot be read as a batch at all (one line: which file, what is wrong, what to do)."""


class BatchRefused(Exception):
    """`apply_batch` was given a plan with errors."""


# -- the file ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BatchEntry:
    index: int
    """0-based position in the file (what the server's `index` refers to)."""
    message: str | None
    send: str | None
    """None: the messenger (the spec's default when `send` is absent)."""
    users: tuple[str, ...]
    raw: Any
    """The item as it was in the file (written back verbatim into the failed-items file)."""
    problems: tuple[str, ...] = ()
    """Shape problems the server would answer 400 to."""
    notes: tuple[str, ...] = ()
    """Harmless oddities (unknown keys that the server ignores)."""

    @property
    def destination(self) -> str:
        return self.send if self.send else MESSENGER

    @property
    def item_hash(self) -> str:
        """Identity of the item's content (destination, text, recipient set), independent of its position."""
        users = sorted({u.lower() for u in self.users})
        blob = json.dumps([self.destination, self.message, users], ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]

    def to_batch_item(self) -> Any:
        from camtui.api.models import BatchItem

        return BatchItem(message=self.message or "", send=self.send, users=self.users)


@dataclass(frozen=True, slots=True)
class BatchFile:
    path: str
    fingerprint: str
    """sha256 of the file's bytes: the journal key."""
    items: tuple[BatchEntry, ...]


def load_batch_file(path: str | Path) -> BatchFile:
    """Read and parse a batch file; BatchLoadError (one clear line) if it is not one."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise BatchLoadError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise BatchLoadError(f"{p}: is a directory, not a batch file") from None
    except OSError as exc:
        raise BatchLoadError(f"{p}: cannot read it: {exc.strerror or exc}") from None
    text = decode_utf8(data, str(p))
    return parse_batch_text(text, path=str(p.resolve()), fingerprint=hashlib.sha256(data).hexdigest())


def decode_utf8(data: bytes, name: str = "<input>") -> str:
    """UTF-8 (BOM allowed) or a BatchLoadError that names the encoding the file seems to be in."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BatchLoadError(
            f"{name}: the file is UTF-16; save it as UTF-8 (the API requires UTF-8 JSON files)"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        guess = guess_japanese_encoding(data)
        where = f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
        if guess:
            raise BatchLoadError(
                f"{name}: the file is not UTF-8 but looks like {guess} ({where}); "
                "save it as UTF-8 (the API requires UTF-8 JSON files)"
            ) from None
        raise BatchLoadError(
            f"{name}: the file is not valid UTF-8 ({where}); save it as UTF-8 (the API requires UTF-8)"
        ) from None


def parse_batch_text(text: str, *, path: str = "<text>", fingerprint: str | None = None) -> BatchFile:
    """Parse the spec's format: `messages=[…]` (prefix optional), trailing commas allowed."""
    if fingerprint is None:
        fingerprint = hashlib.sha256(text.encode("utf-8")).hexdigest()
    body = lenient_json.split_field_prefix(text, "messages")
    if not body.strip():
        raise BatchLoadError(f"{path}: the file is empty")
    try:
        data = lenient_json.loads(body)
    except json.JSONDecodeError as exc:
        pos = len(text) - len(body) + exc.pos  # where it is in the file, not in the part after `messages=`
        line = text.count("\n", 0, pos) + 1
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        raise BatchLoadError(f"{path}: not valid JSON: {exc.msg} (line {line}, column {column})") from None
    if isinstance(data, dict) and isinstance(data.get("messages"), list):
        data = data["messages"]
    if not isinstance(data, list):
        raise BatchLoadError(
            f"{path}: expected a JSON array of messages (messages=[{{...}}, ...]), got {_json_type(data)}"
        )
    if not data:
        raise BatchLoadError(f"{path}: the batch has no messages")
    return BatchFile(path, fingerprint, tuple(_entry(i, raw) for i, raw in enumerate(data)))


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )


def _entry(index: int, raw: Any) -> BatchEntry:
    problems: list[str] = []
    notes: list[str] = []
    if not isinstance(raw, dict):
        return BatchEntry(index, None, None, (), raw, (f"is {_json_type(raw)}, not an object",))
    message = raw.get("message")
    if message is None:
        problems.append("has no message")
        message = None
    elif not isinstance(message, str):
        problems.append(f"message is {_json_type(message)}, not a string")
        message = None
    elif not message.strip():
        problems.append("message is blank")
    send = raw.get("send")
    if send is not None and (not isinstance(send, str) or not send.strip()):
        problems.append("send must be a destination name (messenger or a chat room)")
        send = None
    users: tuple[str, ...] = ()
    prop = raw.get("property")
    if prop is not None and not isinstance(prop, dict):
        problems.append(f"property is {_json_type(prop)}, not an object")
    elif isinstance(prop, dict):
        value = prop.get("users")
        if isinstance(value, str):
            users = tuple(u.strip() for u in value.split(",") if u.strip())
        elif isinstance(value, list) and all(isinstance(u, str) for u in value):
            users = tuple(u.strip() for u in value if u.strip())
        elif value is not None:
            problems.append("property.users must be comma-separated e-mail addresses")
    unknown = sorted(k for k in raw if k not in KNOWN_KEYS)
    if unknown:
        notes.append(f"ignored key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} (not sent)")
    return BatchEntry(index, message, send, users, raw, tuple(problems), tuple(notes))


# -- the plan ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Problem:
    index: int | None
    """The item (0-based), or None for the whole batch."""
    severity: Severity
    text: str
    code: str | None = None
    """The API error the server would answer ("400", "405", "451", "452"), when predictable."""

    def line(self) -> str:
        where = f"item {self.index + 1}" if self.index is not None else "batch"
        code = f" [{self.code}]" if self.code else ""
        return f"{self.severity}: {where}{code}: {self.text}"


@dataclass(frozen=True)
class BatchPlan:
    file: BatchFile
    problems: tuple[Problem, ...]
    to_send: tuple[int, ...]
    """Indices that will be sent, in file order."""
    chunks: tuple[tuple[int, ...], ...]
    skipped: dict[int, str]
    """Indices not sent, and why ("already sent", "outcome unknown", "invalid", …)."""
    estimate_seconds: float
    chunk_size: int
    counts: dict[str, int] = field(default_factory=dict)
    force_unknown: bool = False
    """Planned with `force_unknown`: items whose outcome is unknown are sent again."""

    @property
    def ok(self) -> bool:
        """No errors: it may be applied."""
        return not any(p.severity == "error" for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def refused(self) -> list[int]:
        """Items the plan would send but that its checks refused (errors): the run cannot start with them."""
        sending = set(self.to_send)
        return sorted({p.index for p in self.problems if p.severity == "error" and p.index in sending})

    def headline(self) -> str:
        """`5 items in f.json: 1 to send, 4 refused (1 recipient)`, or for a clean plan `4 items in f.json: 4 to
        send in 1 request (8 recipients), about 1 s`. Refused items are never counted as "to send"."""
        c = self.counts
        refused = set(self.refused)
        sendable = [i for i in self.to_send if i not in refused]
        recipients = sum(len({u.lower() for u in self.file.items[i].users}) for i in sendable)
        where = f"{_plural(c['items'], 'item')} in {Path(self.file.path).name}"
        if refused:
            return f"{where}: {len(sendable)} to send, {len(refused)} refused ({_plural(recipients, 'recipient')})"
        return (
            f"{where}: {len(sendable)} to send in {_plural(c['chunks'], 'request')} "
            f"({_plural(recipients, 'recipient')}), about {_duration(self.estimate_seconds)}"
        )

    def lines(self, max_problems: int = 20) -> list[str]:
        """The plan as text (CLI output, the composer's plan view)."""
        c = self.counts
        out = [self.headline()]
        skipped = [
            (label, c[key])
            for key, label in (
                ("already_sent", "already sent"),
                ("unknown_before", "outcome unknown earlier (not resent)"),
                ("failed_before", "failed before"),
                ("invalid", "invalid"),
            )
            if c.get(key)
        ]
        if skipped:
            out.append("skipped: " + ", ".join(f"{n} {label}" for label, n in skipped))
        out.append(f"{_plural(c['errors'], 'error')}, {_plural(c['warnings'], 'warning')}")
        shown = sorted(
            self.problems, key=lambda p: (p.severity != "error", p.index if p.index is not None else -1)
        )
        out.extend(p.line() for p in shown[:max_problems])
        if len(shown) > max_problems:
            out.append(f"… and {len(shown) - max_problems} more")
        return out


def plan_batch(
    bf: BatchFile,
    *,
    users: RecipientMatcher | Iterable[Any] | None = None,
    org_domains: Collection[str] | None = None,
    known_rooms: Collection[str] | None = None,
    rooms_authoritative: bool = False,
    journal: BatchJournalRepo | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    force_unknown: bool = False,
    retry_failed: bool = True,
    skip_invalid: bool = False,
    allow_duplicates: bool = False,
    carry_over: bool = True,
    items_per_second: float | None = None,
) -> BatchPlan:
    """Check every item and decide what will be sent. Nothing is sent and nothing is written."""
    chunk_size = max(1, min(chunk_size, SERVER_MAX_ITEMS))
    matcher = _matcher(users)
    domains = set(org_domains or ()) | (set(matcher.domains) if matcher is not None else set())
    rooms = set(known_rooms) if known_rooms is not None else None
    problems: list[Problem] = []
    invalid: set[int] = set()

    def problem(index: int | None, severity: Severity, text: str, code: str | None = None) -> None:
        problems.append(Problem(index, severity, text, code))
        if severity == "error" and index is not None:
            invalid.add(index)

    if matcher is None or not matcher.authoritative:
        problem(
            None,
            "warning",
            "recipients not checked against the directory (no user list: needs an "
            "administrator token); unknown addresses will be refused by the server (451/452)",
        )
    seen_items: dict[str, int] = {}
    recipients_of: dict[int, int] = {}
    for e in bf.items:
        for text in e.problems:
            problem(e.index, "error", text, "400")
        for text in e.notes:
            problem(e.index, "warning", text)
        if e.destination == MESSENGER and not e.users and not e.problems:
            problem(e.index, "error", "a messenger item needs recipients (property.users)", "400")
        if e.destination != MESSENGER and rooms is not None and e.destination not in rooms:
            if rooms_authoritative:
                problem(e.index, "error", f"chat room {e.destination!r} does not exist", "405")
            else:
                problem(
                    e.index,
                    "warning",
                    f"chat room {e.destination!r} was never used before; the server answers 405 if it does not exist",
                    "405",
                )
        lowered: set[str] = set()
        for email in e.users:
            key = email.lower()
            if key in lowered:
                problem(e.index, "warning", f"{email} is listed twice (sent once)")
                continue
            lowered.add(key)
            if not EMAIL_RE.match(email):
                problem(e.index, "error", f"{email!r} is not an e-mail address", "452")
            elif matcher is not None and matcher.authoritative and matcher.get(email) is None:
                code = predict_code(email, domains)
                problem(e.index, "error", f"{email} is not a registered user", code)
        recipients_of[e.index] = len(lowered)
        if not e.problems:
            h = e.item_hash
            first = seen_items.get(h)
            if first is None:
                seen_items[h] = e.index
            elif allow_duplicates:
                problem(e.index, "warning", f"same message, destination and recipients as item {first + 1}")
            else:
                problem(
                    e.index,
                    "error",
                    f"duplicate of item {first + 1} (same message, destination and recipients)",
                )

    skipped: dict[int, str] = {}
    counts = dict.fromkeys(("already_sent", "unknown_before", "failed_before", "invalid"), 0)
    done = journal.outcomes(bf.fingerprint) if journal is not None else {}
    elsewhere = (
        journal.delivered_elsewhere(bf.path, bf.fingerprint) if journal is not None and carry_over else {}
    )
    to_send: list[int] = []
    for e in bf.items:
        prior = done.get(e.index)
        if prior is None and elsewhere and not e.problems:
            carried = elsewhere.get(e.item_hash)
            if carried is not None:
                run, outcome = carried
                state = "sent" if outcome.state == "sent" else "unknown"
                prior = ItemOutcome(e.index, state, outcome.message_id)  # type: ignore[arg-type]
                problem(
                    e.index,
                    "warning",
                    f"{'sent' if state == 'sent' else 'possibly sent'} by an earlier "
                    f"version of this file ({run.updated_at:%Y-%m-%d %H:%M} UTC): skipped",
                )
        if prior is not None and prior.state == "sent":
            skipped[e.index] = "already sent"
            counts["already_sent"] += 1
            continue
        if prior is not None and prior.state in ("unknown", "sending") and not force_unknown:
            skipped[e.index] = "outcome unknown (may have been delivered): not resent"
            counts["unknown_before"] += 1
            continue
        if prior is not None and prior.state == "failed":
            counts["failed_before"] += 1
            if not retry_failed:
                skipped[e.index] = f"failed before: {prior.reason or prior.code}"
                continue
        if e.index in invalid and skip_invalid:
            skipped[e.index] = "invalid"
            counts["invalid"] += 1
            continue
        to_send.append(e.index)
    # Item problems only matter for what would be sent (an item sent before needs no fixing now); the
    # problems of items skipped as invalid stay visible as warnings.
    sending = set(to_send)
    kept: list[Problem] = []
    for p in problems:
        if p.index is None or p.index in sending or p.severity == "warning":
            kept.append(p)
        elif skipped.get(p.index) == "invalid":
            kept.append(Problem(p.index, "warning", p.text + " (not sent)", p.code))
    problems = kept
    chunks = _chunks([bf.items[i] for i in to_send], chunk_size)
    rate = items_per_second or 400.0
    estimate = len(to_send) / rate + 0.02 * len(chunks)
    counts.update(
        items=len(bf.items),
        to_send=len(to_send),
        chunks=len(chunks),
        recipients=sum(recipients_of.get(i, 0) for i in to_send),
        errors=sum(1 for p in problems if p.severity == "error"),
        warnings=sum(1 for p in problems if p.severity == "warning"),
    )
    return BatchPlan(
        bf, tuple(problems), tuple(to_send), chunks, skipped, estimate, chunk_size, counts, force_unknown
    )


def known_rooms_for(store: Store, chat_rooms: Iterable[str] = ()) -> set[str]:
    """The chat rooms a batch is checked against: every room used before (the directory notes each one a send
    reached) and the configured `chat_rooms`. Always a set, possibly empty: an empty set still means "check",
    so a room nobody ever used is a 405 warning (there is no API to list chat rooms)."""
    return {*store.directory.used_rooms(), *(r for r in chat_rooms if r)}


def plan_for_store(
    bf: BatchFile,
    store: Store,
    *,
    users: RecipientMatcher | Iterable[Any] | None = None,
    chat_rooms: Iterable[str] = (),
    **options: Any,
) -> BatchPlan:
    """`plan_batch` with everything the local store knows: rooms (`known_rooms_for`), organisation domains, the
    journal and the measured send rate. The composer's batch dialog and `camtui send-batch` both plan through
    this, so one file gives one plan. `options`: the remaining `plan_batch` keywords (chunk_size, force_unknown…)."""
    options.setdefault("items_per_second", store.ui_state.get(RATE_KEY))
    return plan_batch(
        bf,
        users=users,
        org_domains=store.directory.domains(),
        known_rooms=known_rooms_for(store, chat_rooms),
        rooms_authoritative=False,
        journal=store.batch_journal,
        **options,
    )


def _matcher(users: RecipientMatcher | Iterable[Any] | None) -> RecipientMatcher | None:
    if users is None:
        return None
    if isinstance(users, RecipientMatcher):
        return users
    listed = list(users)
    return RecipientMatcher(listed) if listed else None


def _chunks(entries: Sequence[BatchEntry], size: int) -> tuple[tuple[int, ...], ...]:
    """Consecutive groups of at most `size` items and MAX_CHUNK_BYTES of JSON."""
    out: list[tuple[int, ...]] = []
    current: list[int] = []
    weight = 0
    for e in entries:
        cost = len(json.dumps(e.raw, ensure_ascii=False).encode("utf-8")) * 3 + 16  # worst case: %-encoded
        if current and (len(current) >= size or weight + cost > MAX_CHUNK_BYTES):
            out.append(tuple(current))
            current, weight = [], 0
        current.append(e.index)
        weight += cost
    if current:
        out.append(tuple(current))
    return tuple(out)


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "1 s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def _plural(n: int, noun: str) -> str:
    """The count with its noun: 1 item, 2 items, 0 items."""
    return f"{n} {noun}{'s' if n != 1 else ''}"


# -- applying it -------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BatchProgress:
    done: int
    """Items with an outcome so far in this run."""
    total: int
    sent: int
    failed: int
    unknown: int
    chunk: int
    chunks: int


@dataclass(frozen=True)
class BatchSummary:
    total: int
    """Items in the file."""
    sent: int
    failed: int
    unknown: int
    skipped: int
    not_attempted: int
    """Items left for a later run (the run stopped early)."""
    elapsed: float
    failed_path: Path | None
    stopped: str | None = None
    """Why the run stopped before the end (auth error, network down, interrupted), or None."""
    failures: tuple[tuple[int, str], ...] = ()
    unknowns: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.unknown == 0 and self.stopped is None and self.not_attempted == 0

    def lines(self, max_items: int = 20) -> list[str]:
        rate = f" in {self.elapsed:.1f} s" if self.elapsed else ""
        out = [
            f"sent {self.sent}, failed {self.failed}, outcome unknown {self.unknown}, skipped {self.skipped}"
            + (f", not attempted {self.not_attempted}" if self.not_attempted else "")
            + rate
        ]
        if self.stopped:
            out.append(f"stopped: {self.stopped}; run the same file again to resume")
        for index, reason in self.failures[:max_items]:
            out.append(f"failed: item {index + 1}: {reason}")
        if len(self.failures) > max_items:
            out.append(f"… and {len(self.failures) - max_items} more failures")
        if self.unknowns:
            shown = ", ".join(str(i + 1) for i in self.unknowns[:max_items])
            more = " …" if len(self.unknowns) > max_items else ""
            out.append(
                f"outcome unknown (may have been delivered, not resent): items {shown}{more}; "
                "check the room or the recipients before forcing a resend"
            )
        if self.failed_path is not None:
            out.append(f"failed items written to {self.failed_path} (fix them and send that file)")
        return out


ProgressCallback = Callable[[BatchProgress], Any]


async def apply_batch(
    client: Any,
    store: Store,
    plan: BatchPlan,
    *,
    on_progress: ProgressCallback | None = None,
    failed_path: str | Path | None = None,
    write_failed: bool = True,
) -> BatchSummary:
    """Send what the plan says, chunk by chunk, journalling every item. Raises BatchRefused if the plan has
    errors; BatchBusyError if another process is sending the same file. Cancellation (^C) re-raises after
    the in-flight chunk is journalled as unknown."""
    if not plan.ok:
        raise BatchRefused(f"the batch has {len(plan.errors)} error(s); nothing was sent")
    bf = plan.file
    journal = store.batch_journal
    journal.begin(bf.fingerprint, bf.path, len(bf.items))
    started = time.monotonic()
    entries = bf.items
    sent = failed = unknown = 0
    failures: dict[int, str] = {}
    stopped: str | None = None
    # The journal may have moved on since the plan was made (the same plan applied twice, another run of the
    # file in between): what it says went out, or may have, is never sent again from a stale plan.
    now_known = journal.outcomes(bf.fingerprint)
    blocked = {"sent", "sending"} | (set() if plan.force_unknown else {"unknown"})
    queue = [
        kept
        for kept in (
            [i for i in c if i not in now_known or now_known[i].state not in blocked] for c in plan.chunks
        )
        if kept
    ]
    total_chunks = len(queue)
    done_chunks = 0
    attempted: set[int] = set()
    finished_cleanly = False
    try:
        while queue:
            chunk = queue.pop(0)
            attempted.update(chunk)
            journal.mark_sending(bf.fingerprint, [(i, entries[i].item_hash) for i in chunk])
            try:
                result = await client.send_messages([entries[i].to_batch_item() for i in chunk])
            except (CAMAPIError, TransportError) as exc:
                bad = _item_errors(exc, chunk) if isinstance(exc, CAMAPIError) else {}
                if not bad:
                    # About the request as a whole (auth, network down): none of the chunk counts as attempted.
                    journal.clear(bf.fingerprint, chunk)
                    attempted.difference_update(chunk)
                    stopped = str(exc)
                    break
                journal.record(
                    bf.fingerprint,
                    [
                        ItemOutcome(i, "failed", None, code, reason, entries[i].item_hash)
                        for i, (code, reason) in bad.items()
                    ],
                )
                failed += len(bad)
                failures.update({i: f"{code} {reason}" for i, (code, reason) in bad.items()})
                rest = [i for i in chunk if i not in bad]
                journal.clear(bf.fingerprint, rest)
                attempted.difference_update(rest)
                if rest:
                    queue.insert(0, rest)  # the server refused the chunk as a whole: send the good ones
                    continue
            except OutcomeUnknown as exc:
                journal.record(
                    bf.fingerprint,
                    [ItemOutcome(i, "unknown", None, None, str(exc), entries[i].item_hash) for i in chunk],
                )
                unknown += len(chunk)
            else:
                ids = list(result.message_ids)
                ids += [None] * (len(chunk) - len(ids))
                _record_sent(store, bf.fingerprint, [entries[i] for i in chunk], ids)
                sent += len(chunk)
            done_chunks += 1
            if on_progress is not None:
                progress = BatchProgress(
                    sent + failed + unknown,
                    len(plan.to_send),
                    sent,
                    failed,
                    unknown,
                    done_chunks,
                    total_chunks,
                )
                maybe = on_progress(progress)
                if asyncio.iscoroutine(maybe):
                    await maybe
        finished_cleanly = stopped is None
    except (asyncio.CancelledError, KeyboardInterrupt):
        # The chunk in flight may or may not have landed: the journal says so, and a rerun will not resend it.
        journal.settle_in_flight(bf.fingerprint, "interrupted while its chunk was being sent")
        journal.release(bf.fingerprint)
        raise
    elapsed = time.monotonic() - started
    if sent and elapsed > 0:
        store.ui_state.set(RATE_KEY, round(sent / elapsed, 1))
    outcomes = journal.outcomes(bf.fingerprint)
    complete = (
        finished_cleanly
        and all(o.state == "sent" for o in outcomes.values())
        and len(outcomes) == len(entries)
    )
    journal.release(bf.fingerprint, finished=complete)
    unknowns = tuple(sorted(i for i in attempted if outcomes.get(i) and outcomes[i].state == "unknown"))
    path = None
    if write_failed and failures:
        path = write_failed_items(bf, sorted(failures), failures, failed_path)
    not_attempted = len([i for i in plan.to_send if i not in attempted and i not in failures])
    return BatchSummary(
        total=len(entries),
        sent=sent,
        failed=failed,
        unknown=unknown,
        skipped=len(plan.skipped),
        not_attempted=not_attempted,
        elapsed=elapsed,
        failed_path=path,
        stopped=stopped,
        failures=tuple(sorted(failures.items())),
        unknowns=unknowns,
    )


def _item_errors(exc: CAMAPIError, chunk: Sequence[int]) -> dict[int, tuple[str, str]]:
    """The chunk's items the server named in its errors (its `index` is the position within the chunk)."""
    found: dict[int, tuple[str, str]] = {}
    entries = list(exc.errors) or (
        [{"code": exc.code, "message": exc.message, "index": exc.index}] if exc.index is not None else []
    )
    for err in entries:
        raw = err.get("index")
        try:
            pos = int(raw) if raw is not None else None
        except (TypeError, ValueError):
            pos = None
        if pos is None or not 0 <= pos < len(chunk):
            continue
        code = str(err.get("code", exc.code))
        message = str(err.get("message", "")).strip()
        reason = codes.lookup(code).meaning + (f": {message}" if message else "")
        found.setdefault(chunk[pos], (code, reason))
    return found


def _record_sent(
    store: Store, fingerprint: str, entries: Sequence[BatchEntry], ids: Sequence[str | None]
) -> None:
    """Journal, sent log and directory in one transaction."""
    with transaction(store.conn, store.lock):
        store.batch_journal.record(
            fingerprint,
            [
                ItemOutcome(e.index, "sent", mid, None, None, e.item_hash)
                for e, mid in zip(entries, ids, strict=True)
            ],
        )
        store.sent_log.add_many(
            [
                SentInput(e.destination, e.message or "", False, e.users, mid or "")
                for e, mid in zip(entries, ids, strict=True)
            ],
            source="batch",
        )
        used = [u for e in entries for u in e.users]
        if used:
            store.directory.note_used(used)
        for room in {e.destination for e in entries if e.destination != MESSENGER}:
            store.directory.note_room(room)


def write_failed_items(
    bf: BatchFile, indices: Sequence[int], reasons: dict[int, str], path: str | Path | None = None
) -> Path:
    """The failed items, verbatim plus an `error` field, in the same format: fix them and send that file."""
    if path is None:
        src = Path(bf.path)
        path = src.with_name(f"{src.stem}.failed{src.suffix or '.json'}")
    out = Path(path)
    lines = ["messages=["]
    for i in indices:
        raw = bf.items[i].raw
        item = dict(raw) if isinstance(raw, dict) else {"item": raw}
        item["error"] = reasons.get(i, "")
        lines.append(" " + json.dumps(item, ensure_ascii=False) + ",")
    lines.append("]")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out
