"""The engine under the composer (no Textual here): recipient matching, the outbox-backed sender, the batch engine.

`camtui.compose.matcher`, `camtui.compose.sender`, `camtui.compose.batch` (+ `batch_cli` for `camtui send-batch`).
"""
