"""Chinese text analysis for the search index: jieba segmentation, a domain dictionary, pinyin.

The index schema is pickled with the analyzer in it, so ``ChineseTokenizer`` must stay a
module-level class at this import path (moving it makes existing indexes unreadable; rebuild then).
Index and query sides must segment with the same dictionary: ``load_dictionary`` runs once per
process before the first token, and every change to the word lists below needs a rebuild.
"""

import csv
import logging
import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

import rjieba
from pypinyin import Style, lazy_pinyin
from whoosh.analysis import Token, Tokenizer

log = logging.getLogger(__name__)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Words jieba's general dictionary misses or splits badly in product names (古法板枣 otherwise
# segments as 古法板/枣). A high frequency makes the whole word win over its pieces.
PRODUCT_WORDS = _words(
    """
    红富士 嘎啦 玉露香 黄冠 早酥梨 酥梨 香梨 冬枣 板枣 相枣 骏枣 灰枣
    红枣 大枣 酸枣 酸枣仁 油桃 蟠桃 水蜜桃 猕猴桃 石榴 软籽石榴 樱桃
    葡萄 西瓜 甜瓜 柿子 柿饼 杏 杏仁 核桃 核桃仁 核桃油 花椒 大红袍
    百合 杜马百合 芦笋 山药 铁棍山药 黄花菜 辣椒 线椒 大葱 莲藕 红薯
    小米 黄小米 谷子 荞麦 燕麦 莜面 黑豆 绿豆 红小豆 石磨面粉 挂面
    手工挂面 菜籽油 亚麻籽油 土鸡蛋 笨鸡蛋 土鸡 黑猪肉 黄河鲤鱼 羊肉 牛肉
    蜂蜜 槐花蜜 枣花蜜 连翘 柴胡 黄芩 丹参 远志 地黄 煮饼 麻花 麻片
    苹果醋 老陈醋 石榴汁 粉条 红薯粉条 剪纸 澄泥砚 布老虎 面塑 草编 古法
    石磨 手工 农家 散养 有机 礼盒 精品 特级 一级 冷链 包邮 现摘
    消费帮扶 地理标志 绿色食品 有机产品
    """
)

_HIGH_FREQUENCY = 20000
_loaded = False
_load_lock = threading.Lock()


def _place_words() -> list[str]:
    """County and township names, full and without their suffix (平陆县 and 平陆)."""
    words = ["运城", "运城市", "盐湖", "黄河", "中条山"]
    data = resources.files("app") / "data"
    for filename in ("yuncheng_counties.csv", "yuncheng_townships.csv"):
        with (data / filename).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                name = row["name"]
                words.append(name)
                short = re.sub(r"(街道|镇|乡|县|市|区)$", "", name)
                if len(short) >= 2:
                    words.append(short)
    return words


def load_dictionary() -> None:
    """Add the domain dictionary to jieba once per process (idempotent, thread-safe)."""
    global _loaded
    if _loaded:
        return
    with _load_lock:
        if _loaded:
            return
        for word in (*_place_words(), *PRODUCT_WORDS):
            rjieba.add_word(word, _HIGH_FREQUENCY, None)
        _loaded = True
        log.debug("search dictionary loaded")


def _normalize(text: str) -> str:
    """Full-width to half-width and lower case, keeping every character's offset."""
    normalized = unicodedata.normalize("NFKC", text)
    return normalized.lower() if len(normalized) == len(text) else text.lower()


_WORD_CHARACTER = re.compile(r"\w")


def _is_word(text: str) -> bool:
    return _WORD_CHARACTER.search(text) is not None


def segments(text: str) -> list[tuple[str, int, int]]:
    """Search-mode words of ``text`` with their character offsets in the original text.

    Search mode adds the shorter words inside long ones (红富士 → 富士, 红富士), so a query for
    either finds the document.
    """
    load_dictionary()
    return [
        (word, start, end)
        for word, start, end in rjieba.tokenize(_normalize(text), mode="search")
        if _is_word(word)
    ]


def query_words(text: str) -> list[str]:
    """The words of a query in default mode (the longest dictionary words), lower-cased."""
    load_dictionary()
    return [w for w in rjieba.cut(_normalize(text)) if _is_word(w)]


class ChineseTokenizer(Tokenizer):
    """A Whoosh tokenizer over rjieba's search-mode segmentation (jieba's algorithm in Rust)."""

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = _normalize(value)
            token.boost = 1.0
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        for pos, (word, start, end) in enumerate(segments(value), start_pos):
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


def is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@lru_cache(maxsize=65536)
def word_pinyin(word: str) -> tuple[str, str]:
    """Full pinyin and initials of a Chinese word: 苹果 → ("pingguo", "pg")."""
    full = "".join(lazy_pinyin(word, style=Style.NORMAL))
    initials = "".join(lazy_pinyin(word, style=Style.FIRST_LETTER))
    return full, initials
