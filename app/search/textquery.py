"""Free text → document sets: every word must match, ranked in tiers.

Each query word matches its jieba word in the name or text field. A word typed in Latin letters
also matches the name words with that pinyin (``pingguo``, initials ``pg``, a prefix while typing,
or several words run together: ``hongfushipingguo``); a single Chinese character also matches the
name words containing it (枣 finds 稷山板枣, whose words are 稷山/板枣). Both resolve through the
name field's word list, so no pinyin or character postings are indexed.

Relevance is tiered rather than scored: documents whose name matches every word come first, then
the rest; within a tier the index's quality order (rating, then recency) decides. No per-document
scoring is what keeps the p95 of the query mix low.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from app.search.analysis import is_cjk, query_words, segments
from app.search.views import IndexView

MAX_WORDS = 8
MAX_PREFIX_WORDS = 64
MAX_PINYIN_RUN = 40
MAX_WORD_PINYIN = 24
# Characters that carry no product meaning in a query (山西的苹果 → 山西 苹果).
STOPWORDS = frozenset("的了和与及在是有等把从到给或也就都而之其个种款买要")
_SEPARATORS = re.compile(r"[\s,，。;；、|/\\:：!！?？()（）\[\]【】\"'“”‘’<>《》+*&^%$#@~`=_-]+")
_LATIN = re.compile(r"^[a-z0-9.]+$")
_LETTERS = re.compile(r"^[a-z]+$")


@dataclass(frozen=True, slots=True)
class TextFields:
    """The name field (the first tier; pinyin and characters resolve through its words) and the
    field holding everything else."""

    name: str = "name"
    text: str = "text"
    # The document's own words besides its name (products: description, category, certifications),
    # when ``text`` holds only its context (seller, place). Matches only through the context rank
    # last (decision 0037).
    own: str | None = None

    @property
    def word_fields(self) -> tuple[str, ...]:
        return (self.name, *((self.own,) if self.own else ()), self.text)


@dataclass(slots=True)
class WordMatch:
    word: str
    name: int = 0
    own: int = 0  # the name or the document's own words (``TextFields.own``)
    any: int = 0
    # What to mark in highlights: words (pinyin resolved to Chinese) and single characters.
    words: set[str] = field(default_factory=set)
    chars: set[str] = field(default_factory=set)


@dataclass(slots=True)
class TextMatch:
    words: list[WordMatch]
    mask: int
    tiers: list[int]

    @property
    def highlight_words(self) -> frozenset[str]:
        return frozenset().union(*(w.words for w in self.words))

    @property
    def highlight_chars(self) -> frozenset[str]:
        return frozenset().union(*(w.chars for w in self.words))


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().lower()


def parse(text: str) -> list[str]:
    """The query's words: Latin chunks whole, Chinese ones segmented, stop words dropped."""
    words: list[str] = []
    for chunk in _SEPARATORS.split(normalize(text)):
        if not chunk:
            continue
        if _LATIN.match(chunk):
            words.append(chunk)
        else:
            words.extend(w for w in query_words(chunk) if w not in STOPWORDS)
    return list(dict.fromkeys(words))[:MAX_WORDS]


def match_text(view: IndexView, words: list[str], fields: TextFields) -> TextMatch:
    """Documents matching every word, in relevance tiers (best first)."""
    words = _join_spaced_pinyin(view, words, fields)
    matches = [match_word(view, w, fields) for w in words]
    mask = _all(m.any for m in matches) & view.live
    name = _all(m.name for m in matches) & mask
    if fields.own is None:
        return TextMatch(matches, mask, [name, mask & ~name])
    own = _all(m.own for m in matches) & mask
    return TextMatch(matches, mask, [name, own & ~name, mask & ~own])


def match_word(view: IndexView, word: str, fields: TextFields) -> WordMatch:
    match = WordMatch(word)
    match.name = view.term(fields.name, word)
    match.own = view.term(fields.own, word) if fields.own else 0
    match.any = view.term(fields.text, word) | match.own
    if match.name | match.any:
        match.words.add(word)
    if _LATIN.match(word):
        _match_pinyin(view, match, fields)
    elif len(word) == 1 and is_cjk(word):
        names = view.words_with_char(fields.name, word)
        match.name |= view.any_term(fields.name, names)
        match.chars.add(word)
    elif not match.name | match.any:
        _match_pieces(view, match, fields)
    match.own |= match.name
    match.any |= match.own
    return match


def _match_pinyin(view: IndexView, match: WordMatch, fields: TextFields) -> None:
    word = match.word
    if not _LETTERS.match(word):
        return
    names = view.words_with_pinyin(fields.name, word)
    if not names and len(word) >= 2:
        # Typing on: pingg → 苹果 (pingguo). Bounded, so a short prefix cannot take everything.
        names = view.words_with_pinyin_prefix(fields.name, word, MAX_PREFIX_WORDS)
    if names:
        match.name |= view.any_term(fields.name, names)
        match.words |= names
        return
    pieces = split_pinyin(view, word, fields.name)
    if pieces:
        # hongfushipingguo → hongfushi + pingguo: every piece must match.
        parts = [view.words_with_pinyin(fields.name, piece) for piece in pieces]
        match.name |= _all(view.any_term(fields.name, names) for names in parts)
        match.words.update(*parts)


def split_pinyin(view: IndexView, word: str, fieldname: str) -> list[str] | None:
    """Split a run of full pinyin into known words' pinyin, fewest pieces first."""
    if len(word) > MAX_PINYIN_RUN:
        return None
    best: list[list[str] | None] = [[], *([None] * len(word))]
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - MAX_WORD_PINYIN), end - 1):
            head, piece = best[start], word[start:end]
            if head is None or not view.pinyin_known(fieldname, piece):
                continue
            if best[end] is None or len(head) + 1 < len(best[end]):
                best[end] = [*head, piece]
    pieces = best[len(word)]
    return pieces if pieces and len(pieces) > 1 else None


def _match_pieces(view: IndexView, match: WordMatch, fields: TextFields) -> None:
    """A word the documents were never segmented into (a compound jieba splits differently in
    context): every search-mode piece of it must match. Single characters are not pieces here:
    平果 (a typo of 苹果) must find nothing, so that the suggestion can correct it."""
    pieces = [w for w, _s, _e in segments(match.word) if w != match.word and len(w) > 1]
    if not pieces:
        return
    parts = [match_word(view, piece, fields) for piece in pieces]
    anywhere = _all(p.any for p in parts)
    if anywhere:
        match.name = _all(p.name for p in parts)
        match.own = _all(p.own for p in parts)
        match.any = anywhere
        for part in parts:
            match.words |= part.words


def _all(masks) -> int:
    result = -1
    for mask in masks:
        result &= mask
    return 0 if result == -1 else result


def _join_spaced_pinyin(view: IndexView, words: list[str], fields: TextFields) -> list[str]:
    """``ping guo`` typed with a space means ``pingguo``."""
    if len(words) > 1 and all(_LETTERS.match(w) for w in words):
        joined = "".join(words)
        if view.pinyin_known(fields.name, joined):
            return [joined]
    return words
