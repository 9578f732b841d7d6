"""The keys of actions that appear in more than one place, declared once.

An action offered in several panes or dialogs (copy a link, show a password, change the poll interval) has one
key everywhere (the rooms grid's zoom and agenda keys are declared here too, so a keymap file can move them): each class lists the shared `Binding` object below in its BINDINGS. Each has an `id`, so a keymap
file (`keymap.toml` next to `config.toml`: `copy-share = "c"`) rebinds it everywhere at once, and the help and the
dialogs' hint lines read the key from here (through the keymap), never from a copy typed into a string.

The keys are ctrl+ combinations where a dialog has a text field (a letter would be typed into it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from textual.binding import Binding

from camtui.common import safe_toml

COPY_SHARE = Binding("ctrl+y", "copy('share')", "Copy share URL", id="copy-share")
COPY_LOGIN = Binding("ctrl+l", "copy('login')", "Copy auto-login URL", id="copy-login")
REVEAL = Binding("ctrl+o", "toggle_reveal", "Show/hide passwords", id="reveal-password")
POLL_SLOWER = Binding(
    "plus,equals_sign", "interval(1)", "Poll less often", show=False, key_display="+", id="poll-slower"
)
POLL_FASTER = Binding(
    "minus", "interval(-1)", "Poll more often", show=False, key_display="-", id="poll-faster"
)
SUCCESSOR = Binding("N", "successor", "Successor call", show=False, id="successor-call")
ZOOM_IN = Binding(
    "greater_than_sign",
    "zoom(1)",
    "Zoom in: fewer hours, wider slots",
    show=False,
    key_display=">",
    id="zoom-in",
)
ZOOM_OUT = Binding(
    "less_than_sign", "zoom(-1)", "Zoom out: more hours", show=False, key_display="<", id="zoom-out"
)
"""The rooms grid's zoom (+ and - are the poll interval's)."""
AGENDA_ROOM = Binding(
    "a", "agenda('room')", "Agenda of this room (a list, never cut)", show=False, id="agenda-room"
)
AGENDA_ALL = Binding("A", "agenda('all')", "Agenda of all rooms shown", show=False, id="agenda-all")
OPEN_ALERTS = Binding("5,alt+5", "open_alerts", "Alerts view", show=False, id="open-alerts")
"""On the main screen it opens the Alerts view; on the view it goes back."""
LINK_ROOM = Binding("l", "link_room", "Link to a room…", show=False, id="link-room")
"""Calls pane: link the call to a meeting room (or unlink it), for the ghost / squatter rules."""

SHARED: tuple[Binding, ...] = (
    COPY_SHARE,
    COPY_LOGIN,
    REVEAL,
    POLL_SLOWER,
    POLL_FASTER,
    SUCCESSOR,
    ZOOM_IN,
    ZOOM_OUT,
    AGENDA_ROOM,
    AGENDA_ALL,
    OPEN_ALERTS,
    LINK_ROOM,
)
"""Every shared binding: what a keymap file may name."""
SHARED_IDS = frozenset(b.id for b in SHARED if b.id)

KEYMAP_FILE = "keymap.toml"


@dataclass(frozen=True)
class _KeyName:
    """Stands where Textual's sequence table holds a `Keys` member: the parser reads only `.value`."""

    value: str


def read_alt_digits_as_alt() -> None:
    """alt+1…alt+4 reach the shell from a text field (panes, admin screen) in xterm, tmux, GNOME Terminal.

    Those terminals send ESC 1 … ESC 4 for alt+1 … alt+4; Textual 8 maps exactly those sequences to WezTerm's
    macOS Option characters ¡ ™ £ ¢, so the keys typed a symbol into the field instead of moving focus. Mapped
    to key names here, they arrive as alt+1 … alt+4 with no character, so a text field does not take them and
    the shell's bindings run."""
    from textual import _ansi_sequences

    for digit in "1234":
        _ansi_sequences.ANSI_SEQUENCES_KEYS[f"\x1b{digit}"] = (_KeyName(f"alt+{digit}"),)  # type: ignore[assignment]


read_alt_digits_as_alt()


class HasKeymap(Protocol):
    _keymap: Mapping[str, str]


def key_of(app: HasKeymap | None, binding: Binding) -> str:
    """The key that runs `binding` now, as help and hints spell it ("ctrl+y", "+"): the keymap's if it rebinds
    it, else the declared one."""
    keymap = getattr(app, "_keymap", None) or {}
    keys = keymap.get(binding.id or "") if binding.id else None
    if keys:
        return ", ".join(_spell(k) for k in keys.split(","))
    if binding.key_display:
        return binding.key_display
    return ", ".join(_spell(k) for k in binding.key.split(","))


_SPELLING = {
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "slash": "/",
    "question_mark": "?",
    "greater_than_sign": ">",
    "less_than_sign": "<",
}


def keymapped_display(app: Any) -> Callable[[Binding], str]:
    """The app's `get_key_display`, but a binding the keymap file moved shows its new key (for help)."""

    def display(binding: Binding) -> str:
        keymap = getattr(app, "_keymap", None) or {}
        if binding.id and binding.id in keymap:
            return key_of(app, binding)
        return str(app.get_key_display(binding))

    return display


def apply_keymap_file(app: Any, config_path: str | None) -> list[str]:
    """Rebind the shared keys from `keymap.toml` beside the config file in use (none: the declared keys);
    returns the file's problems."""
    if not config_path:
        return []
    keymap, problems = load_keymap(Path(config_path).parent / KEYMAP_FILE)
    if keymap:
        app.set_keymap(keymap)
    return problems


def _spell(key: str) -> str:
    key = key.strip()
    head, _, last = key.rpartition("+")
    if not head:
        return _SPELLING.get(key, key)
    return f"{head}+{_SPELLING.get(last, last)}"


def hint(app: HasKeymap | None, items: Iterable[tuple[Binding, str]], tail: str = "") -> str:
    """A dialog's hint line ("ctrl+y copy share URL · … · escape close") from the live keys."""
    parts = [f"{key_of(app, binding)} {words}" for binding, words in items]
    if tail:
        parts.append(tail)
    return " · ".join(parts)


def load_keymap(path: Path) -> tuple[dict[str, str], list[str]]:
    """The keymap file's bindings (id → keys) and its problems, one line each; no file: no changes.

    Only shared bindings can be named: a typo would otherwise be silently ignored."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, []
    except OSError as exc:
        return {}, [f"{path}: cannot read: {exc.strerror or exc}"]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return {}, [f"{path}:{line}: not UTF-8 text (save the file as UTF-8); the declared keys stay"]
    try:
        data = safe_toml.loads(text)
    except safe_toml.TOMLUnreadable as exc:
        where = f"{path}:{exc.line}" if exc.line is not None else str(path)
        return {}, [f"{where}: invalid TOML: {exc.problem}; the declared keys stay"]
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for name, value in data.items():
        if name not in SHARED_IDS:
            problems.append(f"{path}: unknown key binding {name!r} (known: {', '.join(sorted(SHARED_IDS))})")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f'{path}: {name} must be a key such as "ctrl+y"')
        else:
            keymap[name] = value.strip()
    return keymap, problems
