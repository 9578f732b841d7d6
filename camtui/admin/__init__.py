"""The admin engine (no Textual here): the users CSV diff with per-row verdicts, the rollback file, the check
after an update, CSV decoding (UTF-8 / BOM / Shift_JIS), spreadsheet-safe exports, and the chat room form.

The admin screen (`camtui.tui.admin`) and the CLI verbs (`camtui users diff|update`) both drive this package, so
what the screen shows and what the command line prints cannot drift apart."""
