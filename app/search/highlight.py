"""Highlighted names and snippets: escaped HTML whose only markup is ``<mark>``.

Text is re-segmented here (nothing positional is stored in the index) and every piece goes
through ``markupsafe.escape``; a product named ``<script>…`` stays text.
"""

from dataclasses import dataclass

from markupsafe import Markup, escape

from app.search.analysis import segments

SNIPPET_WIDTH = 90
SNIPPET_LEAD = 24
ELLIPSIS = "…"
_MARK_OPEN = Markup("<mark>")
_MARK_CLOSE = Markup("</mark>")


@dataclass(frozen=True, slots=True)
class Terms:
    """What a query matched: words (pinyin already resolved to them) and single characters."""

    words: frozenset[str] = frozenset()
    chars: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.words or self.chars)


def spans(text: str, terms: Terms) -> list[tuple[int, int]]:
    """Merged character ranges of ``text`` to mark."""
    found: list[tuple[int, int]] = []
    if not terms or not text:
        return found
    if terms.words:
        found.extend((start, end) for word, start, end in segments(text) if word in terms.words)
    if terms.chars:
        found.extend((i, i + 1) for i, ch in enumerate(text) if ch in terms.chars)
    return _merge(found)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _render(text: str, ranges: list[tuple[int, int]], offset: int = 0) -> Markup:
    parts: list[Markup] = []
    position = 0
    for start, end in ranges:
        start, end = max(start - offset, 0), min(end - offset, len(text))
        if start >= end:
            continue
        parts += [escape(text[position:start]), _MARK_OPEN, escape(text[start:end]), _MARK_CLOSE]
        position = end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def highlight(text: str, terms: Terms) -> Markup:
    """The whole text, escaped, with matches in ``<mark>``."""
    return _render(text, spans(text, terms))


def snippet(text: str, terms: Terms, width: int = SNIPPET_WIDTH) -> Markup:
    """About ``width`` characters of ``text`` around its first match, escaped and marked."""
    text = " ".join(text.split())
    ranges = spans(text, terms)
    if len(text) <= width:
        return _render(text, ranges)
    start = max(ranges[0][0] - SNIPPET_LEAD, 0) if ranges else 0
    end = min(start + width, len(text))
    start = max(end - width, 0)
    window = text[start:end]
    inside = [(a, b) for a, b in ranges if b > start and a < end]
    body = _render(window, inside, offset=start)
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    return Markup("").join([escape(prefix), body, escape(suffix)])
