"""Reading the page's terminal: helpers for the browser tests (imported, not fixtures)."""

from __future__ import annotations

import time

SCREEN_TEXT = """() => {
  const t = window.camtuiTerminal;
  if (!t) return "";
  const b = t.buffer.active;
  const out = [];
  for (let i = 0; i < t.rows; i++) { const l = b.getLine(b.viewportY + i); out.push(l ? l.translateToString(true) : ""); }
  return out.join("\\n");
}"""


def screen_text(page: object) -> str:
    """What the terminal in the page shows now, as text (read from xterm's buffer, not from pixels)."""
    return page.evaluate(SCREEN_TEXT)  # type: ignore[attr-defined]


def wait_for_text(page: object, needle: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = screen_text(page)
        if needle in text:
            return text
        page.wait_for_timeout(100)  # type: ignore[attr-defined]
    raise AssertionError(f"{needle!r} not on screen within {timeout} s; screen:\n{text}")
