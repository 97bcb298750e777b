"""The two Whoosh schemas: products, and villages with enterprises for the pairing pages.

Only words are indexed terms: the name, and everything else worth finding in one ``text`` field
(description, category, place and cooperative names). Nothing is scored (relevance is tiered, see
``textquery``) and nothing is stored (hits are loaded from the database), so the word fields are
``ID`` fields with an analyzer: their postings carry no frequencies, weights or field lengths,
the leanest Whoosh has. Pinyin and single characters need no field either: they are looked up in
the name field's word list (``views.WordIndex``). Filter values are packed into one integer
column (``attributes``) and numbers are columns too. All of this keeps a rebuild fast.

The schema is pickled into the index with its analyzer: ``ChineseTokenizer`` must stay importable
as ``app.search.analysis.ChineseTokenizer``. Changing a field here, or a layout in
``attributes``, needs a rebuild: bump ``SCHEMA_VERSION`` and start-up rebuilds by itself.
"""

from whoosh import columns
from whoosh.fields import COLUMN, ID, Schema

from app.search.analysis import ChineseTokenizer

# Stored in each generation's marker; a different value makes start-up rebuild the index.
SCHEMA_VERSION = 2

PRODUCTS = "products"
PAIRING = "pairing"
INDEX_NAMES = (PRODUCTS, PAIRING)


def _words() -> ID:
    """Chinese text, segmented by jieba in search mode."""
    return ID(analyzer=ChineseTokenizer())


def _number() -> COLUMN:
    return COLUMN(columns.NumericColumn("q", default=0))


def product_schema() -> Schema:
    return Schema(
        id=ID(unique=True),
        # The product id again, as a column: hits and ``search check`` read it without terms.
        key=_number(),
        name=_words(),
        # The product's own words: description, category and certification names.
        own=_words(),
        # Its context: place and cooperative names (matches only here rank last).
        text=_words(),
        # County code as a number; category, certifications, months, stock: ``attributes``.
        county=_number(),
        attrs=_number(),
        price=_number(),
        # yyyymmdd of the bureau's consumption-assistance certification expiry; 0 for none.
        assisted_until=_number(),
        created=_number(),
        # Rating, then recency, in one number: the "best rated" order and the order within tiers.
        quality=_number(),
        # Microseconds since the epoch of the newest change behind the document (see documents).
        stamp=_number(),
    )


def pairing_schema() -> Schema:
    return Schema(
        id=ID(unique=True),
        key=_number(),
        name=_words(),
        text=_words(),
        county=_number(),  # 0 for enterprises outside the city
        attrs=_number(),
        created=_number(),
        quality=_number(),
        stamp=_number(),
    )


SCHEMAS = {PRODUCTS: product_schema, PAIRING: pairing_schema}
