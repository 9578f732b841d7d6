"""The batch engine (composer and `camtui send-batch`): load a sendMessages file, validate it all, plan, then send
it in chunks with a journal so that no item is ever sent twice.

- Load: the spec's format (`messages=[…]`, trailing commas), UTF-8 with or without BOM. Any other encoding is
  refused with a message naming it (Shift_JIS is the usual suspect on Japanese Windows).
- Plan: every item is checked before anything is sent — shape (what the server would answer 400 to), recipients
  against the directory (451/452 predicted), rooms against the known list (405), duplicates. The plan says what
  will be sent, what is skipped because the journal already has it, the problems, and a time estimate.
- Apply: chunks via `sendMessages`. Each chunk is journalled `sending` before its request and `sent` / `failed`
  / `unknown` after. The server refuses a chunk as a whole when an item is bad: those items are marked failed
  and the rest of the chunk is sent again without them. `OutcomeUnknown` or an abort (second ^C) marks the chunk
  `unknown`; a `StopRequest` (first ^C, `q`) lets the chunk in flight finish and sends no new one. Unknown items
  are listed in `FILE.unknown.json` and only sent again when the plan was made with `force_unknown=True`.
"""

from camtui.compose.batch.apply import (
    BatchProgress,
    BatchRefused,
    BatchSummary,
    ProgressCallback,
    apply_batch,
    write_failed_items,
)
from camtui.compose.batch.parse import (
    KNOWN_KEYS,
    BatchEntry,
    BatchFile,
    BatchLoadError,
    decode_utf8,
    load_batch_file,
    parse_batch_text,
)
from camtui.compose.batch.plan import (
    DEFAULT_CHUNK,
    MAX_CHUNK_BYTES,
    RATE_KEY,
    SERVER_MAX_ITEMS,
    BatchPlan,
    Problem,
    Severity,
    known_rooms_for,
    plan_batch,
    plan_for_store,
    refused_rooms_for,
)
from camtui.compose.batch.stop import IN_FLIGHT_NOTICE, StopRequest
from camtui.compose.batch.unknown import (
    UnknownSubset,
    is_unknown_list,
    match_unknown_subset,
    original_path,
    unknown_list_problem,
    unknown_path,
    write_unknown_items,
)

__all__ = [
    "DEFAULT_CHUNK",
    "IN_FLIGHT_NOTICE",
    "KNOWN_KEYS",
    "MAX_CHUNK_BYTES",
    "RATE_KEY",
    "SERVER_MAX_ITEMS",
    "BatchEntry",
    "BatchFile",
    "BatchLoadError",
    "BatchPlan",
    "BatchProgress",
    "BatchRefused",
    "BatchSummary",
    "Problem",
    "ProgressCallback",
    "Severity",
    "StopRequest",
    "UnknownSubset",
    "apply_batch",
    "decode_utf8",
    "is_unknown_list",
    "known_rooms_for",
    "load_batch_file",
    "match_unknown_subset",
    "original_path",
    "parse_batch_text",
    "plan_batch",
    "plan_for_store",
    "refused_rooms_for",
    "unknown_list_problem",
    "unknown_path",
    "write_failed_items",
    "write_unknown_items",
]
