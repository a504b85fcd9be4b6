"""A readable name for a signed-in device, from its User-Agent header: "Chrome on Android". Werkzeug no longer
parses user agents, and a person only needs enough to recognise their own phone or laptop, so a few patterns in
order suffice; anything else is an "Unknown browser"."""
from __future__ import annotations

import re

from flask_babel import gettext as _

# Order matters: Edge and Opera say "Chrome" too, Chrome says "Safari", and Android says "Linux".
_BROWSERS = (
    (re.compile(r"Edg(e|A|iOS)?/"), "Edge"),
    (re.compile(r"OPR/|Opera"), "Opera"),
    (re.compile(r"SamsungBrowser/"), "Samsung Internet"),
    (re.compile(r"Firefox/|FxiOS/"), "Firefox"),
    (re.compile(r"Chrome/|Chromium/|CriOS/"), "Chrome"),
    (re.compile(r"Safari/"), "Safari"),
)
_SYSTEMS = (
    (re.compile(r"Android"), "Android"),
    (re.compile(r"iPhone|iPad|iPod"), "iOS"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"Mac OS X|Macintosh"), "macOS"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Linux"), "Linux"),
)


def _first(patterns, user_agent: str) -> str | None:
    return next((name for pattern, name in patterns if pattern.search(user_agent)), None)


def device_name(user_agent: str | None) -> str:
    user_agent = user_agent or ""
    browser = _first(_BROWSERS, user_agent)
    system = _first(_SYSTEMS, user_agent)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    if browser or system:
        return browser or system
    return _("Unknown browser")
