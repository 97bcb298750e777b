"""Cached, read-only views of one index generation for queries.

Whoosh segments never change once written (deletions are recorded beside them), so the expensive
facts — a term's document set, a value column, a sort order — are computed once per segment and
kept in ``SegmentData``, shared by every thread. An ``IndexView`` composes them for one searcher
(one generation of the table of contents): after a drain adds a small segment, only that segment
is read again. A searcher is used by one thread at a time (whoosh readers seek shared file
objects): ``ViewPool`` lends a few views out, one borrower each.
"""

import logging
import os
import threading
import weakref
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh.index import EmptyIndexError

from app.search import bits
from app.search.index import current_directory, open_index
from app.search.words import WordIndex

# Term masks kept per segment (shared by all threads) and per view (one borrower at a time).
log = logging.getLogger(__name__)

TERM_CACHE_SIZE = 4096
VIEW_CACHE_SIZE = 128
MAX_SEGMENTS = 64


Decode = Callable[[int], Iterable[Hashable]]


class SegmentData:
    """Term masks, columns and sort orders of one immutable segment (local document numbers)."""

    def __init__(self, size: int):
        self.size = size
        self._masks: OrderedDict[tuple, int] = OrderedDict()
        self._columns: dict[str, array] = {}
        self._orders: dict[str, tuple[list[int], list[int]]] = {}
        self._values: dict[str, dict[str, int]] = {}
        self._words: dict[str, WordIndex] = {}
        self._lock = threading.Lock()

    def term(self, reader, field: str, text: str) -> int:
        key = (field, text)
        with self._lock:
            mask = self._masks.get(key)
            if mask is not None:
                self._masks.move_to_end(key)
                return mask
        if (field, text) in reader:
            mask = bits.from_ids(bits.posting_ids(reader.postings(field, text)), self.size)
        else:
            mask = 0
        return self._remember(key, mask)

    def range(self, reader, field: str, low: int | None, high: int | None) -> int:
        """Documents whose ``field`` value lies in [low, high] (either end open when None)."""
        key = ("range", field, low, high)
        with self._lock:
            mask = self._masks.get(key)
        if mask is not None:
            return mask
        order, values = self.order(reader, field)
        start = 0 if low is None else bisect_left(values, low)
        stop = len(values) if high is None else bisect_right(values, high)
        return self._remember(key, bits.from_ids(order[start:stop], self.size))

    def column(self, reader, field: str) -> array:
        values = self._columns.get(field)
        if values is None:
            default = reader.schema[field].column_type.default_value()
            values = self._columns[field] = bits.numeric_column(reader, field, self.size, default)
        return values

    def order(self, reader, field: str) -> tuple[list[int], list[int]]:
        """Local document numbers ascending by ``field`` (ties by number), and their values."""
        cached = self._orders.get(field)
        if cached is None:
            values = self.column(reader, field)
            order = sorted(range(self.size), key=values.__getitem__)
            cached = self._orders[field] = (order, [values[n] for n in order])
        return cached

    def value_masks(self, reader, field: str, decode: Decode) -> dict[str, int]:
        """A mask per value of a coded column (e.g. packed attributes), decoded in one pass."""
        masks = self._values.get(field)
        if masks is None:
            groups: dict[int, list[int]] = defaultdict(list)
            for n, value in enumerate(self.column(reader, field)):
                groups[value].append(n)
            numbers: dict[str, list[int]] = defaultdict(list)
            for value, members in groups.items():
                for key in decode(value):
                    numbers[key].extend(members)
            masks = {key: bits.from_ids(m, self.size) for key, m in numbers.items()}
            self._values[field] = masks
        return masks

    def words(self, reader, field: str) -> WordIndex:
        index = self._words.get(field)
        if index is None:
            terms = (t.decode() if isinstance(t, bytes) else t for t in reader.lexicon(field))
            index = self._words[field] = WordIndex(terms)
        return index

    def _remember(self, key: tuple, mask: int) -> int:
        with self._lock:
            self._masks[key] = mask
            if len(self._masks) > TERM_CACHE_SIZE:
                self._masks.popitem(last=False)
        return mask


class SegmentRegistry:
    """``SegmentData`` by segment id, shared by all views of one index."""

    def __init__(self):
        self._data: OrderedDict[str, SegmentData] = OrderedDict()
        self._lock = threading.Lock()
        # Slow-changing data derived from a whole index (suggestion vocabulary, county names),
        # kept across generations; each user decides how stale it may get.
        self.shared: dict = {}

    def get(self, segid: str, size: int) -> SegmentData:
        with self._lock:
            data = self._data.get(segid)
            if data is None:
                data = self._data[segid] = SegmentData(size)
                while len(self._data) > MAX_SEGMENTS:
                    self._data.popitem(last=False)
            else:
                self._data.move_to_end(segid)
            return data


class IndexView:
    """One searcher's generation: masks and columns over global document numbers."""

    def __init__(self, searcher, registry: SegmentRegistry, generation: tuple):
        self.searcher = searcher
        # (directory, table-of-contents generation): which index state this view shows.
        self.generation = generation
        self.size = searcher.doc_count_all()
        self.leaves = []
        deleted: list[int] = []
        for reader, offset in searcher.reader().leaf_readers():
            segment = reader.segment()
            if segment is None:  # an empty index
                continue
            data = registry.get(segment.segment_id(), reader.doc_count_all())
            self.leaves.append((reader, offset, data))
            if reader.has_deletions():
                deleted.extend(offset + n for n in segment.deleted_docs())
        self.live = ((1 << self.size) - 1) & ~bits.from_ids(deleted, self.size)
        self._masks: dict[tuple, int] = {}
        self._columns: dict[str, array] = {}
        self.cache: dict = {}  # for callers: per-generation derived data
        self.shared = registry.shared

    @property
    def doc_count(self) -> int:
        return self.live.bit_count()

    def term(self, field: str, text: str) -> int:
        key = (field, text)
        mask = self._masks.get(key)
        if mask is None:
            mask = 0
            for reader, offset, data in self.leaves:
                mask |= data.term(reader, field, text) << offset
            self._remember(key, mask)
        return mask

    def any_term(self, field: str, texts) -> int:
        mask = 0
        for text in texts:
            mask |= self.term(field, text)
        return mask

    def value(self, field: str, key: Hashable, decode: Decode) -> int:
        """Documents whose coded column ``field`` decodes to ``key`` (see ``attributes``)."""
        cache_key = ("value", field, key)
        mask = self._masks.get(cache_key)
        if mask is None:
            mask = 0
            for reader, offset, data in self.leaves:
                mask |= data.value_masks(reader, field, decode).get(key, 0) << offset
            self._remember(cache_key, mask)
        return mask

    def values(self, field: str, decode: Decode) -> set:
        """Every key the coded column holds in some document (deleted ones included)."""
        keys: set = set()
        for reader, _offset, data in self.leaves:
            keys.update(data.value_masks(reader, field, decode))
        return keys

    def words_with_char(self, field: str, char: str) -> set[str]:
        return self._words(field, lambda index: index.by_char.get(char, ()))

    def words_with_pinyin(self, field: str, pinyin: str) -> set[str]:
        return self._words(field, lambda index: index.by_pinyin.get(pinyin, ()))

    def words_with_pinyin_prefix(self, field: str, prefix: str, limit: int) -> set[str]:
        return self._words(field, lambda index: index.with_prefix(prefix, limit))

    def pinyin_keys(self, field: str) -> set[str]:
        """Every pinyin (full or initials) of the field's words."""
        return self._words(field, lambda index: index.pinyins)

    def pinyin_known(self, field: str, pinyin: str) -> bool:
        return any(
            pinyin in data.words(reader, field).by_pinyin for reader, _o, data in self.leaves
        )

    def _words(self, field: str, pick) -> set[str]:
        found: set[str] = set()
        for reader, _offset, data in self.leaves:
            found.update(pick(data.words(reader, field)))
        return found

    def any_term_of(self, fields, text: str) -> int:
        """Documents with ``text`` in any of ``fields``."""
        mask = 0
        for field in fields:
            mask |= self.term(field, text)
        return mask

    def range(self, field: str, low: int | None, high: int | None) -> int:
        key = ("range", field, low, high)
        mask = self._masks.get(key)
        if mask is None:
            mask = 0
            for reader, offset, data in self.leaves:
                mask |= data.range(reader, field, low, high) << offset
            self._remember(key, mask)
        return mask

    def column(self, field: str) -> array:
        values = self._columns.get(field)
        if values is None:
            values = array("q")
            for reader, _offset, data in self.leaves:
                values.extend(data.column(reader, field))
            self._columns[field] = values
        return values

    def _remember(self, key: tuple, mask: int) -> None:
        # Composing a segment's cached masks is cheap: keep few per thread, drop them wholesale.
        if len(self._masks) >= VIEW_CACHE_SIZE:
            self._masks.clear()
        self._masks[key] = mask

    def orders(self, field: str) -> list[tuple[int, list[int], list[int], array]]:
        """Per segment: (offset, local numbers ascending by ``field``, their values in that
        order, the column by local number)."""
        return [
            (offset, *data.order(reader, field), data.column(reader, field))
            for reader, offset, data in self.leaves
        ]

    def key(self, n: int) -> int:
        """The object id of document ``n`` (from the ``key`` column)."""
        return self.column("key")[n]


class ViewPool:
    """At most ``size`` views of one index behind the ``index_dir`` link, lent to one thread at a
    time and refreshed on every change.

    A whoosh searcher reads its segments' columns and lengths into memory (about 13 MB each at
    100 000 products) and must not be shared by two threads at once. One per thread, as the
    request thread pool grows to dozens, cost a serving process tens of megabytes per concurrent
    search; searching is CPU-bound under one interpreter lock, so more views than cores buy no
    throughput. A thread that finds every view lent out waits for one.
    """

    def __init__(self, link: Path, name: str, *, size: int = max(2, os.cpu_count() or 2)):
        self.link = link
        self.name = name
        self.size = size
        self.registry = SegmentRegistry()
        self._slots = threading.BoundedSemaphore(size)
        self._lock = threading.Lock()
        self._idle: list[IndexView] = []
        self._index = None  # the open index of ``_index_directory``
        self._index_directory: Path | None = None
        # Link target → its complete generation directory (a published generation never changes).
        self._checked: tuple[str, Path | None] | None = None

    def directory(self) -> Path | None:
        try:
            target = os.readlink(self.link)
        except OSError:
            return None
        checked = self._checked
        if checked is None or checked[0] != target:
            checked = self._checked = (target, current_directory(self.link))
        return checked[1]

    @contextmanager
    def borrow(self) -> Iterator[IndexView | None]:
        """A view of the newest generation for the calling thread alone (None: no index yet)."""
        with self._slots:
            view = self._take()
            try:
                yield view
            finally:
                if view is not None:
                    with self._lock:
                        self._idle.append(view)

    def current(self) -> IndexView | None:
        """A view of the newest generation, handed back at once: for a look at the index from a
        single thread (start-up warming, tests); searches borrow theirs."""
        with self.borrow() as view:
            return view

    def _take(self) -> IndexView | None:
        directory = self.directory()
        if directory is None:
            return None
        try:
            with self._lock:
                if self._index is None or self._index_directory != directory:
                    self._index, self._index_directory = open_index(directory, self.name), directory
                    self._idle.clear()
                index = self._index
                latest = index.latest_generation()
                while self._idle:
                    view = self._idle.pop()
                    if view.generation == (directory, latest):
                        return view
            # A new searcher, never ``Searcher.refresh()``: whoosh3 3.54 reuses the old reader
            # of a segment that gained deletions, so a replaced document would still match.
            searcher = index.searcher()
        except (OSError, EmptyIndexError):
            # The generation vanished under us (deleted by hand): no index until a rebuild.
            log.exception("search index at %s cannot be opened", directory)
            with self._lock:
                self._checked, self._index, self._idle = None, None, []
            return None
        view = IndexView(searcher, self.registry, (directory, searcher.reader().generation()))
        # A view dropped from the pool may still be in use by its caller (a page being
        # rendered): it closes its searcher when the last reference goes, not here.
        weakref.finalize(view, searcher.close)
        return view
