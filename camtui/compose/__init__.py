"""The engine under the composer (no Textual here): recipient matching, the outbox-backed sender, the batch engine.

`camtui.compose.matcher`, `camtui.compose.sender`, `camtui.compose.batch` (parse / plan / apply; the CLI verb is `camtui.cli.batch`).
"""
