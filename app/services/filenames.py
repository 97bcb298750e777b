"""Names of uploaded files: what the sender called a file, made safe to store, show and send back.

One rule for every upload (report evidence from pages and GraphQL, spreadsheet imports): the last
path component only; no control, format (bidi overrides, zero-width) or line-separator
characters, which can make "invoice\u202efdp.exe" read as "invoiceexe.pdf"; no characters
reserved by common file systems; no leading dots (hidden files); a bounded length; and the
extension of the type the bytes were found to be, not the one the sender wrote.
"""

import re
import unicodedata

MAX_LENGTH = 100
# Controls, format characters (U+200B–U+200F, U+202A–U+202E, U+2066–U+2069, U+061C, U+FEFF…),
# line and paragraph separators, private use, unassigned and surrogates.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"})
_RESERVED = re.compile(r'["<>|:*?]+')
_SPACES = re.compile(r"\s+")


def clean_filename(raw: str | None, *, extension: str | None = None, default: str) -> str:
    """``raw`` made safe; with ``extension`` (".pdf"), that replaces the name's own."""
    name = re.split(r"[/\\]", unicodedata.normalize("NFC", raw or ""))[-1]
    name = _SPACES.sub(" ", name)  # tabs, newlines, ideographic spaces: one plain space
    name = "".join(c for c in name if unicodedata.category(c) not in _DROPPED_CATEGORIES)
    name = _SPACES.sub(" ", _RESERVED.sub("_", name)).strip(" .")
    if extension is not None:
        stem, dot, _old = name.rpartition(".")
        name = stem if dot else name
        if name.lower().endswith(extension):
            name = name[: -len(extension)]
        name = name.strip(" .")
    suffix = extension or ""
    name = name[: MAX_LENGTH - len(suffix)].rstrip(" .") or default
    return name + suffix
