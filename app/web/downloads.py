"""How a download names its file: RFC 6266 with RFC 5987's ``filename*`` for any name."""

import unicodedata
from urllib.parse import quote


def attachment(name: str) -> str:
    """``Content-Disposition`` for ``name``: the UTF-8 name in ``filename*``, and an ASCII
    ``filename`` for old clients, with nothing that could end the header value early."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_"
        for c in unicodedata.normalize("NFKD", name)
        if not unicodedata.combining(c)
    )
    return f"attachment; filename=\"{fallback}\"; filename*=utf-8''{quote(name, safe='')}"
