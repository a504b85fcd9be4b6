"""Which push services a subscription's endpoint may be on (DESIGN section 13): the server posts encrypted alerts
to the endpoint a browser gives it, so the endpoint must belong to a push service named in PUSH_ENDPOINT_HOSTS,
never to an address a client chose (an internal host, a metadata service, a port scan).

One pure rule, written once as a regular expression built from the settings: the server refuses what it does not
match, and /api/openapi.json documents the same expression as the endpoint's `pattern`, so what the document
promises and what the server takes cannot drift apart.

An entry is
- `host` (`fcm.googleapis.com`): exactly that host, https, the default port (an explicit port is refused);
- `*.host` (`*.notify.windows.com`): any subdomain of it (one or more labels), never the bare host, never an IP;
- `host:port`: that host on exactly that port, https. Only a loopback entry with an explicit port
  (`127.0.0.1:PORT`, `localhost:PORT`, `[::1]:PORT`) may also be posted to over plain http: that is the push
  service stand-in the tests run, and nothing a client can reach on another machine.
An IP literal is taken only when an entry names it exactly. The endpoint is compared as sent, so every trick that
makes a URL look like one host and go to another is simply not matched: userinfo (`https://fcm.googleapis.com@evil/`),
upper case, a trailing dot, IDN (non-ASCII) hosts, a backslash, whitespace, a fragment, numeric IPv4 spellings
(`2130706433`, `0x7f.1`), percent-encoding in the host.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

MAX_ENDPOINT_CHARS = 1024
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
# A DNS label as a push service's host writes it: lower case letters, digits, inner hyphens.
LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# What may follow the host: a path (and query) of URL characters. No `#`, no `@`, no backslash, no whitespace.
PATH = r"/[A-Za-z0-9._~:/?=&%+,;!*'()$-]*"
_ENTRY = re.compile(rf"(?P<host>(?:\*\.)?(?:{LABEL}\.)*{LABEL}|\[::1\])(?::(?P<port>[0-9]{{1,5}}))?")


def _parse(entry: str) -> tuple[str, str] | None:
    """(host, port or "") of a well-formed entry (a port within 1..65535; [::1] only with a port), else None."""
    match = _ENTRY.fullmatch(entry)
    if match is None:
        return None
    host, port = match["host"], match["port"] or ""
    if port and not 0 < int(port) < 65536 or host == "[::1]" and not port:
        return None
    return host, port


def valid_entry(entry: str) -> bool:
    """An entry of PUSH_ENDPOINT_HOSTS as this module reads it."""
    return _parse(entry) is not None


def _entry_pattern(entry: str) -> str:
    host, port = _parse(entry)  # type: ignore[misc]
    if host.startswith("*."):
        host_pattern = rf"(?:{LABEL}\.)+" + re.escape(host[2:])
    else:
        host_pattern = re.escape(host)
    if port:
        schemes = "https?" if host in LOOPBACK_HOSTS else "https"
        return rf"{schemes}://{host_pattern}:{port}"
    return rf"https://{host_pattern}"


@lru_cache(maxsize=16)
def endpoint_pattern(entries: tuple[str, ...]) -> str:
    """The regular expression (ECMA 262 and Python alike) an endpoint must match whole: `^...$`. With no valid
    entry it matches nothing."""
    alternatives = [_entry_pattern(entry) for entry in entries if valid_entry(entry)]
    if not alternatives:
        return r"^(?!)$"
    return rf"^(?:{'|'.join(alternatives)})(?:{PATH})$"


@lru_cache(maxsize=16)
def _compiled(entries: tuple[str, ...]) -> re.Pattern:
    return re.compile(endpoint_pattern(entries)[1:-1])  # fullmatch: no "$ before a final newline"


def endpoint_allowed(endpoint: str, entries: Iterable[str]) -> bool:
    """Whether the server may post to `endpoint` under these PUSH_ENDPOINT_HOSTS entries."""
    if not isinstance(endpoint, str) or len(endpoint) > MAX_ENDPOINT_CHARS:
        return False
    return _compiled(tuple(entries)).fullmatch(endpoint) is not None
