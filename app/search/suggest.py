"""您是不是要找: a query that finds something, offered when the typed one finds nothing.

Chinese typing mistakes are mostly homophones (平果 for 苹果, typed by pinyin), so a word the index
does not know is first replaced by the most frequent word with the same pinyin — looked up in the
names' words, then in the other text's; then by a name word one character away. A Latin word is
replaced by the word behind the nearest known pinyin. When every word is known but together they
match nothing, the suggestion drops the word that costs the most results.
"""

from whoosh.support.levenshtein import damerau_levenshtein

from app.search.analysis import is_cjk, word_pinyin
from app.search.textquery import TextFields, match_text, match_word
from app.search.views import IndexView


def suggest(view: IndexView, words: list[str], fields: TextFields, scope: int) -> str | None:
    """A query text with results within ``scope`` (the filters), or None."""
    known = [bool(match_word(view, word, fields).any & view.live) for word in words]
    if not words or (all(known) and len(words) == 1):
        return None  # the filters, not the word, leave nothing: no text would help
    if not all(known):
        if all(is_cjk(ch) for word in words for ch in word):
            # 花叫 segments as 花/叫; as a whole it sounds like 花椒.
            whole = _homophone(view, fields, "".join(words))
            if whole and _hits(view, [whole], fields, scope):
                return whole
        corrected = [
            word if ok else _correct(view, word, fields)
            for word, ok in zip(words, known, strict=True)
        ]
        words = [w for w in corrected if w]
        if words and _hits(view, words, fields, scope):
            return join_words(words)
    best, best_count = None, 0
    for i in range(len(words)):
        rest = words[:i] + words[i + 1 :]
        count = _hits(view, rest, fields, scope) if rest else 0
        if count > best_count:
            best, best_count = rest, count
    return join_words(best) if best else None


def join_words(words: list[str]) -> str:
    """Words back into a query: Chinese words run together, others are spaced."""
    text = ""
    for word in words:
        if text and not (is_cjk(text[-1]) and is_cjk(word[0])):
            text += " "
        text += word
    return text


def _hits(view: IndexView, words: list[str], fields: TextFields, scope: int) -> int:
    return (match_text(view, words, fields).mask & scope).bit_count()


def _correct(view: IndexView, word: str, fields: TextFields) -> str | None:
    if all(is_cjk(ch) for ch in word):
        return _homophone(view, fields, word) or _one_character_away(view, fields.name, word)
    maxdist = 1 if len(word) < 6 else 2
    close = [
        pinyin
        for pinyin in view.pinyin_keys(fields.name)
        if pinyin[0] == word[0]
        and abs(len(pinyin) - len(word)) <= maxdist
        and damerau_levenshtein(pinyin, word, limit=maxdist) <= maxdist
    ]
    words = set().union(*(view.words_with_pinyin(fields.name, p) for p in close))
    return _most_frequent(view, fields.name, words)


def _homophone(view: IndexView, fields: TextFields, word: str) -> str | None:
    if len(word) < 2:
        return None
    pinyin = word_pinyin(word)[0]
    for fieldname in fields.word_fields:
        same_sound = view.words_with_pinyin(fieldname, pinyin) - {word}
        if same_sound:
            return _most_frequent(view, fieldname, same_sound)
    return None


def _one_character_away(view: IndexView, fieldname: str, word: str) -> str | None:
    candidates: set[str] = set()
    for ch in set(word):
        candidates |= view.words_with_char(fieldname, ch)
    close = {
        w
        for w in candidates
        if w != word and len(w) == len(word) and damerau_levenshtein(w, word, limit=1) <= 1
    }
    return _most_frequent(view, fieldname, close)


def _most_frequent(view: IndexView, fieldname: str, words: set[str]) -> str | None:
    if not words:
        return None
    return max(sorted(words), key=lambda w: (view.term(fieldname, w) & view.live).bit_count())
