"""The language of humanised times when the config does not say: the locale's (ja_JP.* → ja, otherwise en).

The UI is English; only the relative phrases ("12分後に開始" / "starts in 12 minutes") follow this."""

from __future__ import annotations

from collections.abc import Mapping

LOCALE_ENV = ("LC_ALL", "LC_TIME", "LANG")
"""The variables that choose the language of times, in the order POSIX gives them precedence."""


def locale_from_env(env: Mapping[str, str]) -> tuple[str, str]:
    """The humanised-time language the environment asks for ("ja" for ja_JP.UTF-8 and the like, otherwise
    "en") and where it came from, for `camtui config`."""
    for var in LOCALE_ENV:
        value = env.get(var, "").strip()
        if value:
            return ("ja" if value.lower().startswith("ja") else "en"), f"env {var}={value}"
    return "en", "default (LANG, LC_TIME unset)"
