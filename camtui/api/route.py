"""Which path a read takes, decided from public configuration only: camtui's own keep-alive pool
(`http1.ReadPool`) or httpx's full path (a proxy is in the way, or the request needs cookies or uploads).

Nothing here reads httpx's or httpcore's private attributes: the TLS context is built once here and handed to
both httpx and the read pool, and the proxy decision follows the same environment variables httpx reads
(`HTTP(S)_PROXY`, `ALL_PROXY`, `NO_PROXY`), so an httpx upgrade cannot silently move every read to the slow
path, or past a proxy."""

from __future__ import annotations

import ssl
import urllib.request
from collections.abc import Mapping

import httpx

from camtui.common.paths import expand_user


def tls_context(url: str, verify: bool, ca_bundle: str | None, trust_env: bool) -> ssl.SSLContext | bool:
    """The one TLS context of a client (httpx and the read pool share it). Plain http: False (no certificate
    store to load, 20–40 ms saved at start)."""
    if not url.lower().startswith("https://"):
        return False
    if not verify:
        return httpx.create_ssl_context(verify=False)
    if ca_bundle:
        path = expand_user(ca_bundle)
        if not path.is_file():
            raise ValueError(f"CA bundle not found: {path}")
        try:
            return ssl.create_default_context(cafile=str(path))
        except (ssl.SSLError, OSError, ValueError) as exc:  # not PEM, unreadable, a DER file…
            reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc
            raise ValueError(f"CA bundle {path}: not a certificate file camtui can use ({reason})") from None
    return httpx.create_ssl_context(verify=True, trust_env=trust_env)


def environment_proxies(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Proxies from the environment as urllib (and httpx) read them: scheme (or "all") → proxy URL."""
    if env is None:
        return urllib.request.getproxies_environment()
    found: dict[str, str] = {}
    for name, value in env.items():
        low = name.lower()
        if value and low.endswith("_proxy"):
            found[low[: -len("_proxy")]] = value
    return found


def goes_through_proxy(url: httpx.URL, trust_env: bool, env: Mapping[str, str] | None = None) -> bool:
    """True when httpx would send `url` through a proxy from the environment (then reads take its path)."""
    if not trust_env:
        return False
    proxies = environment_proxies(env)
    if not (proxies.get(url.scheme) or proxies.get("all")):
        return False
    bypass = {"no": proxies["no"]} if proxies.get("no") else {}
    return not urllib.request.proxy_bypass_environment(url.host, bypass)
