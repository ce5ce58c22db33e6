"""A person-readable name for the device in a login history line, from its User-Agent."""

from __future__ import annotations

import re

_BROWSERS = [
    (r"YaBrowser/", "Яндекс Браузер"), (r"Edg/|Edge/", "Edge"), (r"OPR/|Opera", "Opera"),
    (r"Firefox/", "Firefox"), (r"Chromium/", "Chromium"), (r"Chrome/", "Chrome"), (r"Safari/", "Safari"),
]
_SYSTEMS = [
    (r"Android", "Android"), (r"iPhone", "iPhone"), (r"iPad", "iPad"), (r"Windows", "Windows"),
    (r"Mac OS X|Macintosh", "macOS"), (r"CrOS", "ChromeOS"), (r"Linux", "Linux"),
]


def describe_device(user_agent: str) -> str:
    """«Chrome, Windows»; «неизвестное устройство» when nothing is recognised."""
    if not user_agent:
        return "неизвестное устройство"
    browser = next((name for pattern, name in _BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for pattern, name in _SYSTEMS if re.search(pattern, user_agent)), "")
    return ", ".join(part for part in (browser, system) if part) or "неизвестное устройство"
