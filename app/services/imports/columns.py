"""The columns of the import templates, which are also the ledger's master-data sheets.

One list per kind: the ledger writes these sheets and an import reads them back, so a ledger
exported from one database imports into another. A column names the service field it feeds,
its Chinese header, and how its cell reads (text, whole number, 元, 是/否, a label, a list).
"""

from dataclasses import dataclass
from enum import StrEnum

from app.labels import (
    CERTIFICATION,
    ENTERPRISE_KIND,
    HELP_KIND,
    PRODUCT_CATEGORY,
    PRODUCT_STATUS,
    REGISTRATION_STATUS,
)


class Cell(StrEnum):
    text = "text"
    integer = "integer"
    yuan = "yuan"  # an amount in 元 (stored as 分)
    flag = "flag"  # 是 / 否
    choice = "choice"  # one Chinese label of an enumeration
    choices = "choices"  # labels joined with 、
    months = "months"  # month numbers joined with 、


@dataclass(frozen=True, slots=True)
class Column:
    field: str
    header: str
    cell: Cell = Cell.text
    required: bool = False
    labels: dict | None = None  # enumeration member → Chinese label, for choice(s) cells
    width: int = 14


FLAG_TRUE, FLAG_FALSE = "是", "否"
LIST_SEPARATOR = "、"

VILLAGE_COLUMNS = (
    Column("code", "村级统计代码", required=True, width=16),
    Column("name", "村名", required=True),
    Column("county_code", "所属县级代码", required=True, width=12),
    Column("key_village", "重点帮扶村", Cell.flag, width=10),
    Column("lifted_village", "脱贫村", Cell.flag, width=10),
    Column("relocation_site", "易地搬迁安置区", Cell.flag, width=10),
    Column("pv_station", "村级光伏电站", Cell.flag, width=10),
    Column("tourism_demo", "旅游示范村", Cell.flag, width=10),
    Column("population", "户籍人口", Cell.integer, width=10),
    Column("households", "户数", Cell.integer, width=10),
    Column("lifted_households", "脱贫户数", Cell.integer, width=10),
    Column("monitored_households", "防返贫监测户数", Cell.integer, width=10),
    Column("main_industries", "主导产业", width=20),
    Column("contact_name", "联系人", width=10),
    Column("contact_phone", "联系电话"),
)
ENTERPRISE_COLUMNS = (
    Column("credit_code", "统一社会信用代码", required=True, width=22),
    Column("name", "单位名称", required=True, width=28),
    Column("kind", "单位类型", Cell.choice, required=True, labels=ENTERPRISE_KIND),
    Column("industry", "行业门类", required=True, width=8),
    Column("county_code", "所在县级代码", width=12),
    Column("external_region", "市外所在地区", width=16),
    Column("offers", "可提供的帮扶方式", Cell.choices, labels=HELP_KIND, width=28),
    Column("reserved_share_fen", "年度预留采购份额（元）", Cell.yuan, width=16),
    Column("contact_name", "联系人", width=10),
    Column("contact_phone", "联系电话"),
    # Written by the ledger; an import never approves through it (organisation_updates).
    Column("status", "审核状态", Cell.choice, labels=REGISTRATION_STATUS, width=10),
)
COOPERATIVE_COLUMNS = (
    Column("credit_code", "统一社会信用代码", required=True, width=22),
    Column("name", "合作社名称", required=True, width=28),
    Column("village_code", "所在村统计代码", required=True, width=16),
    Column("members", "成员数", Cell.integer, width=10),
    Column("lifted_members", "其中脱贫户成员数", Cell.integer, width=10),
    Column("contact_name", "联系人", width=10),
    Column("contact_phone", "联系电话"),
    Column("status", "审核状态", Cell.choice, labels=REGISTRATION_STATUS, width=10),
)
PRODUCT_COLUMNS = (
    Column("cooperative_credit_code", "合作社统一社会信用代码", required=True, width=22),
    Column("name", "产品名称", required=True, width=20),
    Column("category", "品类", Cell.choice, required=True, labels=PRODUCT_CATEGORY),
    Column("unit", "计量单位", required=True, width=8),
    Column("price", "单价（元）", Cell.yuan, required=True, width=12),
    Column("min_order", "起订量", Cell.integer, width=8),
    Column("stock", "库存", Cell.integer, required=True, width=10),
    Column("harvest_months", "上市月份", Cell.months, width=14),
    Column("certifications", "产品认证", Cell.choices, labels=CERTIFICATION, width=20),
    Column("status", "状态", Cell.choice, labels=PRODUCT_STATUS, width=8),
)


@dataclass(frozen=True, slots=True)
class Kind:
    key: str
    title: str  # the sheet's name and the template's title
    columns: tuple[Column, ...]


KINDS = {
    kind.key: kind
    for kind in (
        Kind("villages", "行政村", VILLAGE_COLUMNS),
        Kind("enterprises", "帮扶主体", ENTERPRISE_COLUMNS),
        Kind("cooperatives", "合作社", COOPERATIVE_COLUMNS),
        Kind("products", "产品", PRODUCT_COLUMNS),
    )
}
# A workbook holding several kinds is imported in this order (later kinds refer to earlier ones).
KIND_ORDER = ("villages", "enterprises", "cooperatives", "products")
KIND_BY_TITLE = {kind.title: kind for kind in KINDS.values()}


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA (as spreadsheets name columns)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
