"""Where a redirect may lead: a path on this site, never another host.

Every ``next``-style value and every ``Location`` / ``HX-Redirect`` the pages send goes through
``same_site_path``. Browsers forgive a lot (``/\\evil.example``, ``/%09/evil.example``,
``https:evil.example``, ``/\\t/evil.example`` all leave the site in one or another), so the rule
is an allow-list: a single leading "/", and nothing a browser or a proxy could read as a host
or a scheme, before or after percent-decoding.
"""

import unicodedata
from urllib.parse import unquote, urlsplit

HOME = "/"
MAX_LENGTH = 2000
# Percent-decoding rounds to look through (%252F%252F → %2F%2F → //).
DECODE_ROUNDS = 3
# Unicode categories refused anywhere: controls, format characters (bidi, zero-width),
# separators (spaces, line and paragraph separators), unassigned and surrogates.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Cs", "Zs", "Zl", "Zp"})


def same_site_path(target: object, default: str = HOME) -> str:
    """``target`` if it is a same-site path ("/…"), else ``default``."""
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return default
    if not _plain_path(target):
        return default
    form = target
    for _ in range(DECODE_ROUNDS + 1):
        # A decoded query may hold spaces (a search for "a b"); its path and prefix may not.
        if not _plain_path(form.partition("?")[0].partition("#")[0]) or _has_host(form):
            return default
        decoded = unquote(form)
        if decoded == form:
            return target
        form = decoded
    # Still decoding after several rounds: nobody writes links like that.
    return default


def _plain_path(value: str) -> bool:
    """No backslash, control, format or space character anywhere, and no host."""
    if "\\" in value or any(unicodedata.category(c) in REFUSED_CATEGORIES for c in value):
        return False
    return not _has_host(value)


def _has_host(value: str) -> bool:
    """Anything but a single leading "/" may name a host or a scheme to some browser."""
    if not value.startswith("/") or value[1:2] in ("/", "\\"):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme or parts.netloc)
