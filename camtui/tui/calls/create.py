"""The quick-call dialog (`n`): title, password, expiry typed the way people say it; then the links to share.

`validate_quick_call` is the whole form check, pure and testable; the dialog only shows its verdicts. After
the server created the call, the same dialog shows the URL, the presenter pass and an auto-login URL builder,
and the pane watches the new call at once (through `on_created`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from camtui.api.models import QuickCall
from camtui.tui.calls.model import CallRow, auto_login_url, fmt_duration
from camtui.tui.shell import keys
from camtui.tui.shell.clipboard import send_to_clipboard

MAX_TITLE = 100
MAX_PASSWORD = 64
MAX_AHEAD = timedelta(days=366)
DEFAULT_EXPIRY = "in 1 hour"
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""No 0/O, 1/l/I: the password is read aloud and typed by hand."""


@dataclass(frozen=True, slots=True)
class QuickCallRequest:
    title: str
    password: str
    expires: datetime


class FormErrors(ValueError):
    """What is wrong with the form, by field ("title", "password", "expiry")."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def generate_password(length: int = 10) -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def parse_expiry(text: str, now: datetime, tz: str) -> datetime:
    """The expiry as typed ("in 2 hours", "18:00", "18時", "30分後", "明日18時", ISO), required to be in the future."""
    from camtui.common.timeparse import parse_when

    when = parse_when(text, now, tz)
    if when <= now:
        raise ValueError(f"{text.strip()} is in the past; the call must expire later than now")
    if when - now > MAX_AHEAD:
        raise ValueError("that is more than a year away; pick a nearer expiry")
    return when


def validate_quick_call(title: str, password: str, expiry: str, now: datetime, tz: str) -> QuickCallRequest:
    """Check the whole form at once; raise `FormErrors` naming every bad field."""
    errors: dict[str, str] = {}
    clean_title = " ".join(title.split())
    if not clean_title:
        errors["title"] = "Give the call a title: people see it in the call and you see it in this list."
    elif len(clean_title) > MAX_TITLE:
        errors["title"] = f"The title is {len(clean_title)} characters; keep it to {MAX_TITLE}."
    if password != password.strip():
        errors["password"] = "The password starts or ends with a space; people would never type it right."
    elif len(password) > MAX_PASSWORD:
        errors["password"] = f"The password is {len(password)} characters; keep it to {MAX_PASSWORD}."
    elif any(not ch.isprintable() for ch in password):
        errors["password"] = "The password has a control character in it."
    when: datetime | None = None
    try:
        when = parse_expiry(expiry, now, tz)
    except ValueError as exc:
        errors["expiry"] = str(exc)
    if errors or when is None:
        raise FormErrors(errors)
    return QuickCallRequest(clean_title, password, when)


def successor_request(row: CallRow, now: datetime) -> QuickCallRequest:
    """A new call with the same title and password, lasting as long as the old one did (at least an hour)."""
    length = timedelta(hours=1)
    if row.created is not None and row.expires is not None and row.expires > row.created:
        length = max(length, min(row.expires - row.created, timedelta(days=7)))
    return QuickCallRequest(row.title, row.password, now + length)


def _expiry_preview(when: datetime, now: datetime, tz: str) -> str:
    local = when.astimezone(ZoneInfo(tz))
    return f"→ {local:%a %Y-%m-%d %H:%M} ({tz}), in {fmt_duration((when - now).total_seconds())}"


class QuickCallDialog(ModalScreen[QuickCall | None]):
    """Create a quick call, then show what to share. Dismisses with the new call (or None if cancelled)."""

    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [(0, "-short"), (30, "-tall")]
    """Below 30 lines (80x24 SSH sessions) the dialog drops its vertical padding (calls.tcss)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", show=False),
        Binding("ctrl+g", "generate", "Generate password", show=False),
        replace(keys.REVEAL, show=False),
        Binding("ctrl+s", "create", "Create", show=False),
        replace(keys.COPY_SHARE, show=False),
        replace(keys.COPY_LOGIN, show=False),
    ]

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        tz: str,
        on_created: Callable[[QuickCall], None] | None = None,
        title: str = "",
        password: str = "",
        expiry: str = DEFAULT_EXPIRY,
        result: QuickCall | None = None,
        heading: str = "New quick call",
    ) -> None:
        super().__init__(classes="calls-dialog")
        self._now = now
        self._tz = tz
        self._on_created = on_created
        self._initial = (title, password, expiry)
        self._heading = heading
        self.result: QuickCall | None = result
        self.creating = False

    def compose(self) -> ComposeResult:
        title, password, expiry = self._initial
        with Vertical(classes="calls-dialog-box calls-create-box"):
            yield Label(self._heading, classes="calls-dialog-title", id="calls-create-heading", markup=False)
            # fields scroll; the buttons and key hints below them are docked, so they stay in view at 80x24
            with VerticalScroll(id="calls-create-form", classes="calls-dialog-body"):
                yield Label("Title")
                yield Input(value=title, placeholder="e.g. 週次定例", id="calls-create-title", max_length=200)
                yield Static("", id="calls-create-title-error", classes="calls-dialog-error", markup=False)
                yield Label("Password (blank: no password)")
                with Horizontal(classes="calls-create-row"):
                    yield Input(value=password, password=True, id="calls-create-password")
                    yield Button("Generate", id="calls-create-generate", compact=True)
                    yield Button("Show", id="calls-create-reveal", compact=True)
                yield Static("", id="calls-create-password-error", classes="calls-dialog-error", markup=False)
                yield Label("Expires")
                yield Input(
                    value=expiry,
                    placeholder="in 2 hours · 18:00 · 18時 · 30分後 · tomorrow 9:00 · 明日18時 · ISO",
                    id="calls-create-expiry",
                )
                yield Static("", id="calls-create-expiry-preview", classes="calls-dialog-text", markup=False)
                yield Static("", id="calls-create-error", classes="calls-dialog-error", markup=False)
            with Vertical(id="calls-create-form-actions", classes="calls-dialog-actions"):
                with Horizontal(classes="calls-create-row"):
                    yield Button("Create", variant="primary", id="calls-create-submit", compact=True)
                    yield Button("Cancel", id="calls-create-cancel", compact=True)
                yield Static(
                    "ctrl+s create · ctrl+g generate password · "
                    + keys.hint(self.app, [(keys.REVEAL, "show/hide")], "escape cancel"),
                    classes="calls-dialog-hint",
                    markup=False,
                )
            with VerticalScroll(id="calls-create-result", classes="calls-dialog-body"):
                yield Static("", id="calls-create-summary", markup=False)
                yield Label("Auto-login URL for (user name)")
                yield Input(value="", placeholder="e.g. 太郎", id="calls-create-user")
                yield Static("", id="calls-create-login", markup=False)
            with Vertical(id="calls-create-result-actions", classes="calls-dialog-actions"):
                with Horizontal(classes="calls-create-row"):
                    yield Button("Copy URL", id="calls-create-copy-url", compact=True)
                    yield Button("Copy auto-login URL", id="calls-create-copy-login", compact=True)
                    yield Button("Close", id="calls-create-close", compact=True)
                yield Static(
                    keys.hint(
                        self.app,
                        [(keys.COPY_SHARE, "copy URL"), (keys.COPY_LOGIN, "copy auto-login URL")],
                        "escape close",
                    ),
                    classes="calls-dialog-hint",
                    markup=False,
                )

    def on_mount(self) -> None:
        # an empty error line takes no room: three blank lines would push the buttons off at 80x24
        for error in self.query(".calls-dialog-error").results(Static):
            error.display = False
        if self.result is not None:
            self._show_result(self.result)
        else:
            self._show_part("result", False)
            self._update_preview()
            self.query_one("#calls-create-title", Input).focus()

    def _show_part(self, part: str, show: bool) -> None:
        self.query_one(f"#calls-create-{part}").display = show
        self.query_one(f"#calls-create-{part}-actions").display = show

    def _set_error(self, where: str, text: str) -> None:
        """Show (or clear, with "") one of the form's error lines; `where` is "title", "password" or "form"."""
        selector = "#calls-create-error" if where == "form" else f"#calls-create-{where}-error"
        line = self.query_one(selector, Static)
        line.update(text)
        line.display = bool(text)

    def error_text(self, where: str) -> str:
        """The error line's text as shown ("" when hidden): what tests and the curious read."""
        selector = "#calls-create-error" if where == "form" else f"#calls-create-{where}-error"
        line = self.query_one(selector, Static)
        return str(line.render()) if line.display else ""

    # -- the form -------------------------------------------------------------------------------------------

    def _values(self) -> tuple[str, str, str]:
        return (
            self.query_one("#calls-create-title", Input).value,
            self.query_one("#calls-create-password", Input).value,
            self.query_one("#calls-create-expiry", Input).value,
        )

    @on(Input.Changed, "#calls-create-expiry")
    def _expiry_changed(self) -> None:
        self._update_preview()

    def _update_preview(self, submitted: bool = False) -> str | None:
        """The expiry line under the field: when the call will end, or what is wrong with the text.

        It is the only place the expiry's error is shown, recomputed on every edit (and on ctrl+s, since "18:00"
        can pass while the dialog is open), so an old error never lingers under a now-valid time. An empty field
        says nothing until ctrl+s. Returns the error, or None.
        """
        text = self.query_one("#calls-create-expiry", Input).value
        preview = self.query_one("#calls-create-expiry-preview", Static)
        now = self._now()
        try:
            when = parse_expiry(text, now, self._tz)
        except ValueError as exc:
            shown = bool(text.strip()) or submitted
            preview.update(f"✕ {exc}" if shown else "")
            preview.set_class(shown, "-invalid")
            return str(exc)
        preview.update(_expiry_preview(when, now, self._tz))
        preview.set_class(False, "-invalid")
        return None

    @on(Input.Changed, "#calls-create-title")
    @on(Input.Changed, "#calls-create-password")
    def _clear_field_errors(self, event: Input.Changed) -> None:
        self._set_error("title" if event.input.id == "calls-create-title" else "password", "")

    @on(Input.Submitted, "#calls-create-title")
    @on(Input.Submitted, "#calls-create-password")
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    @on(Input.Submitted, "#calls-create-expiry")
    @on(Button.Pressed, "#calls-create-submit")
    def _submit(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        self.action_create()

    @on(Button.Pressed, "#calls-create-generate")
    def _generate_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_generate()

    @on(Button.Pressed, "#calls-create-reveal")
    def _reveal_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_toggle_reveal()

    @on(Button.Pressed, "#calls-create-cancel")
    @on(Button.Pressed, "#calls-create-close")
    def _close_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_close()

    def action_generate(self) -> None:
        if self.result is not None:
            return
        field = self.query_one("#calls-create-password", Input)
        field.value = generate_password()
        field.password = False  # a generated password must be seen to be shared
        self.query_one("#calls-create-reveal", Button).label = "Hide"

    def action_toggle_reveal(self) -> None:
        if self.result is not None:
            return
        field = self.query_one("#calls-create-password", Input)
        field.password = not field.password
        self.query_one("#calls-create-reveal", Button).label = "Show" if field.password else "Hide"

    def action_create(self) -> None:
        if self.result is not None or self.creating:
            return
        title, password, expiry = self._values()
        for name in ("title", "password", "form"):
            self._set_error(name, "")
        try:
            request = validate_quick_call(title, password, expiry, self._now(), self._tz)
        except FormErrors as exc:
            for name, text in exc.errors.items():
                if name != "expiry":
                    self._set_error(name, text)
            self._update_preview(submitted=True)  # the expiry's error goes on its live line, not a copy
            first = next(iter(exc.errors))
            field = self.query_one(f"#calls-create-{first}", Input)
            field.focus()
            field.scroll_visible(animate=False)
            return
        self.creating = True
        self._set_error("form", "Creating…")
        self._create(request)

    @work(exclusive=True, group="calls-create", exit_on_error=False)
    async def _create(self, request: QuickCallRequest) -> None:
        try:
            call = await self.app.client.create_quick_call(  # type: ignore[attr-defined]
                request.expires, request.password, request.title
            )
        except Exception as exc:
            self.creating = False
            self.app.report_error(exc, "calls")  # type: ignore[attr-defined]
            self._set_error("form", _create_failure_text(exc))
            return
        self.creating = False
        if self._on_created is not None:
            self._on_created(call)
        self._show_result(call)

    # -- the result -----------------------------------------------------------------------------------------

    def _show_result(self, call: QuickCall) -> None:
        self.result = call
        self._show_part("form", False)
        self._show_part("result", True)
        self.query_one("#calls-create-heading", Label).update(f"Call created: {call.title or '(untitled)'}")
        now = self._now()
        lines = [
            f"URL             {call.url}",
            f"Call ID         {call.sid}",
            f"Presenter pass  {call.presenter_pass or '(none)'}",
            f"Password        {call.password or '(none)'}",
            f"Expires         {_expiry_preview(call.expired_date, now, self._tz).removeprefix('→ ')}",
            "Watching it now in the calls pane.",
        ]
        self.query_one("#calls-create-summary", Static).update("\n".join(lines))
        self._update_login()
        self.query_one("#calls-create-user", Input).focus()

    @on(Input.Changed, "#calls-create-user")
    def _update_login(self) -> None:
        if self.result is None:
            return
        self.query_one("#calls-create-login", Static).update(self.login_url() or "(type a user name)")

    def login_url(self) -> str:
        if self.result is None:
            return ""
        user = self.query_one("#calls-create-user", Input).value.strip()
        if not user:
            return ""
        return auto_login_url(self.result.url, user, self.result.password)

    @on(Input.Submitted, "#calls-create-user")
    def _user_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_copy("login")

    @on(Button.Pressed, "#calls-create-copy-url")
    def _copy_url_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_copy("share")

    @on(Button.Pressed, "#calls-create-copy-login")
    def _copy_login_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_copy("login")

    def action_copy(self, what: str) -> None:
        if self.result is None:
            return
        text = self.result.url if what == "share" else self.login_url()
        if not text:
            self.notify("Type a user name first.", markup=False, severity="warning")
            return
        send_to_clipboard(self.app, text, shown_in="this dialog")

    def action_close(self) -> None:
        self.dismiss(self.result)


def _create_failure_text(exc: BaseException) -> str:
    from camtui.api.errors import CAMAPIError, OutcomeUnknown

    if isinstance(exc, OutcomeUnknown):
        return (
            "No answer after the request was sent: the call may or may not exist. There is no list-calls API "
            "to check; create another if nobody received a link."
        )
    if isinstance(exc, CAMAPIError):
        text = f"{exc.code} {exc.meaning}"
        return f"{text}: {exc.message}" if exc.message else text
    return str(exc) or "the call could not be created (unexpected error)"
