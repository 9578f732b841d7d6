"""A call's links and IDs: moved to `camtui.common.call_refs` so engines (alerts) can use them without Textual;
re-exported here for the pane's modules."""

from camtui.common.call_refs import (  # noqa: F401
    PASSWORD_MASK,
    auto_login_url,
    login_url_preview,
    parse_call_ref,
    share_url_for,
    short_id,
)
