"""Planning a batch: every item is checked before anything is sent — shape (what the server would answer 400
to), recipients against the directory (451/452 predicted), rooms against the known list (405), duplicates — and
the journal says what was already sent. The plan says what will be sent, in which chunks, what is skipped and
why, and a time estimate. Nothing is sent and nothing is written."""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from camtui.api.models import MESSENGER
from camtui.compose.batch.parse import BatchEntry, BatchFile
from camtui.compose.matcher import EMAIL_RE, RecipientMatcher, predict_code
from camtui.compose.send_plan import known_rooms, refused_rooms
from camtui.store import ItemOutcome, Store
from camtui.store.batch_journal import BatchJournalRepo

SERVER_MAX_ITEMS = 1000
"""The sandbox (and, we assume, the server) refuses larger sendMessages batches."""
MAX_CHUNK_BYTES = 4 * 1024 * 1024
"""Stay well under the 5 MB request body limit."""
DEFAULT_CHUNK = 200
RATE_KEY = "batch.items_per_second"

Severity = Literal["error", "warning"]


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
                ("not_chosen", "not chosen"),
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
    refused_rooms: Collection[str] = (),
    journal: BatchJournalRepo | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    force_unknown: bool = False,
    retry_failed: bool = True,
    skip_invalid: bool = False,
    allow_duplicates: bool = False,
    carry_over: bool = True,
    items_per_second: float | None = None,
    only: Collection[int] | None = None,
) -> BatchPlan:
    """Check every item and decide what will be sent. Nothing is sent and nothing is written. `only`: send
    just these indices (a chosen subset, e.g. from an unknown-items file); the others are "not chosen"."""
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
        if e.destination != MESSENGER and e.destination in refused_rooms:
            problem(
                e.index,
                "warning",
                f"chat room {e.destination!r}: the server answered 405 (no such room) to a send there before",
                "405",
            )
        elif e.destination != MESSENGER and rooms is not None and e.destination not in rooms:
            if rooms_authoritative:
                problem(e.index, "error", f"chat room {e.destination!r} does not exist", "405")
            else:  # not a prediction: the API lists no rooms, so camtui cannot tell
                problem(
                    e.index,
                    "warning",
                    f"chat room {e.destination!r} was not used from here before: camtui cannot tell whether it "
                    "exists (if it does not, the server refuses it: 405)",
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
    counts = dict.fromkeys(("already_sent", "unknown_before", "failed_before", "invalid", "not_chosen"), 0)
    chosen = set(only) if only is not None else None
    done = journal.outcomes(bf.fingerprint) if journal is not None else {}
    elsewhere = (
        journal.delivered_elsewhere(bf.path, bf.fingerprint) if journal is not None and carry_over else {}
    )
    to_send: list[int] = []
    for e in bf.items:
        if chosen is not None and e.index not in chosen:
            skipped[e.index] = "not chosen"
            counts["not_chosen"] += 1
            continue
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
        if chosen is not None and p.index is not None and p.index not in chosen:
            continue  # a subset is about its items only
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
    """The chat rooms a batch is checked against, as the composer knows them (`send_plan.known_rooms`): every
    room a send reached (the directory notes each one), the configured `chat_rooms` and the rooms the admin
    screen recorded. Always a set, possibly empty: an empty set still means "check", so a room nobody used from
    here is a warning that says so (there is no API to list chat rooms)."""
    return known_rooms(store.directory.used_rooms(), chat_rooms, store.chat_rooms.names())


def refused_rooms_for(store: Store) -> set[str]:
    """Rooms the server answered 405 for (failed outbox entries): the one case a 405 is known, not guessed."""
    return refused_rooms(store.outbox.list())


def measured_rate(store: Store) -> float | None:
    """The send rate the last batch measured (items a second), or None when the store holds none usable (a
    damaged row: text, NaN, a negative number): the estimate then uses the default rate."""
    rate = store.ui_state.get(RATE_KEY, kind=(int, float))
    if isinstance(rate, bool) or rate is None or not math.isfinite(rate) or rate <= 0:
        return None
    return float(rate)


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
    options.setdefault("items_per_second", measured_rate(store))
    return plan_batch(
        bf,
        users=users,
        org_domains=store.directory.domains(),
        known_rooms=known_rooms_for(store, chat_rooms),
        refused_rooms=refused_rooms_for(store),
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
