"""A segment's words by character and by pinyin: how single characters and pinyin find names."""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable

from app.search.analysis import is_cjk, word_pinyin


class WordIndex:
    """A segment's words of one field by character and by pinyin (full and initials).

    Single-character and pinyin queries resolve to these words, then to their term masks: no
    per-document pinyin or character postings are indexed for them.
    """

    def __init__(self, words: Iterable[str]):
        self.by_char: dict[str, list[str]] = defaultdict(list)
        self.by_pinyin: dict[str, list[str]] = defaultdict(list)
        for word in words:
            if not all(is_cjk(ch) for ch in word):
                continue
            for ch in set(word):
                self.by_char[ch].append(word)
            full, initials = word_pinyin(word)
            self.by_pinyin[full].append(word)
            if len(word) > 1 and initials != full:
                self.by_pinyin[initials].append(word)
        self.pinyins = sorted(self.by_pinyin)

    def with_prefix(self, prefix: str, limit: int) -> list[str]:
        """Words whose pinyin (full or initials) starts with ``prefix`` (at most ``limit``)."""
        found: list[str] = []
        for key in self.pinyins[bisect_left(self.pinyins, prefix) :]:
            if not key.startswith(prefix) or len(found) >= limit:
                break
            found.extend(self.by_pinyin[key])
        return found[:limit]
