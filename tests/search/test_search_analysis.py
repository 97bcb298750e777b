"""Segmentation, pinyin, highlights, packed attributes and bit sets: the pieces under the index."""

import pickle

from markupsafe import Markup

from app.search import bits
from app.search.analysis import ChineseTokenizer, query_words, segments, word_pinyin
from app.search.attributes import PAIRING_ATTRIBUTES, PRODUCT_ATTRIBUTES
from app.search.highlight import Terms, highlight, snippet
from app.search.schema import SCHEMAS
from app.search.textquery import parse


def words(text: str) -> list[str]:
    return [w for w, _start, _end in segments(text)]


def test_the_domain_dictionary_keeps_product_and_place_words_whole():
    assert words("古法板枣") == ["古法", "板枣"]
    assert "杜马百合" in words("平陆杜马百合")
    assert {"红富士", "富士", "苹果"} <= set(words("红富士苹果"))  # search mode adds the parts
    assert query_words("红富士苹果") == ["红富士", "苹果"]  # queries take the longest words


def test_the_tokenizer_gives_offsets_in_the_original_text_and_normalizes_width():
    tokens = [
        (t.text, t.startchar, t.endchar) for t in ChineseTokenizer()("ＡＢＣ 稷山板枣", chars=True)
    ]
    assert tokens == [("abc", 0, 3), ("稷山", 4, 6), ("板枣", 6, 8)]


def test_queries_drop_punctuation_and_stop_words():
    assert parse("山西的苹果，礼盒！") == ["山西", "苹果", "礼盒"]
    assert parse("  PingGuo  pg ") == ["pingguo", "pg"]


def test_word_pinyin_gives_full_pinyin_and_initials():
    assert word_pinyin("苹果") == ("pingguo", "pg")
    assert word_pinyin("核桃仁") == ("hetaoren", "htr")


def test_schemas_pickle_with_the_tokenizer_by_reference():
    for make in SCHEMAS.values():
        schema = make()
        restored = pickle.loads(pickle.dumps(schema))
        assert type(restored["name"].analyzer) is ChineseTokenizer
        assert b"app.search.analysis" in pickle.dumps(schema)


def test_highlights_mark_words_and_characters_and_escape_the_rest():
    terms = Terms(frozenset({"苹果"}), frozenset({"枣"}))
    assert highlight("<b>苹果</b>&枣", terms) == Markup(
        "&lt;b&gt;<mark>苹果</mark>&lt;/b&gt;&amp;<mark>枣</mark>"
    )
    assert highlight("梨", terms) == Markup("梨")


def test_snippets_show_a_window_around_the_first_match():
    text = "产自运城。" * 30 + "稷山板枣皮薄肉厚。" + "冷链发货。" * 30
    result = snippet(text, Terms(frozenset({"板枣"})), width=40)
    assert result.startswith("…") and result.endswith("…")
    assert "<mark>板枣</mark>" in result
    assert len(result.striptags()) <= 42


def test_packed_attributes_round_trip():
    packed = PRODUCT_ATTRIBUTES.encode(
        category="dried_nut", county_category="key", certs=["green", "organic"],
        months=["9", "10"], in_stock=["1"],
    )  # fmt: skip
    assert set(PRODUCT_ATTRIBUTES.decode(packed)) == {
        ("category", "dried_nut"),
        ("county_category", "key"),
        ("certs", "green"),
        ("certs", "organic"),
        ("months", "9"),
        ("months", "10"),
        ("in_stock", "1"),
    }
    enterprise = PAIRING_ATTRIBUTES.encode(kind="enterprise", industry="T", enterprise_kind=None)
    assert PAIRING_ATTRIBUTES.decode(enterprise) == [("kind", "enterprise"), ("industry", "T")]


def test_bit_sets():
    mask = bits.from_ids([0, 3, 9, 64, 1000], 1001)
    assert bits.ids(mask) == [0, 3, 9, 64, 1000]
    assert bits.ids(0) == []
    assert bits.range_mask(2, 5) == 0b11100
    member = bits.Membership(mask)
    assert 64 in member and 65 not in member and 5000 not in member
