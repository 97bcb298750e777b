"""Valid 统一社会信用代码 for generated organisations (GB 32100-2015 with a GB 11714 body).

Layout: registration authority and type (2) + region code (6) + organization code (8 + check) +
check character. The organization code's own check follows GB 11714 (weights 3,7,9,10,5,8,4,2
mod 11, ``X`` for 10), so both checks hold.
"""

from random import Random

from app.identifiers import CREDIT_CODE_CHARS, credit_code_check_char

# Authority + type prefixes used here.
COMPANY = "91"  # 工商 · 企业
COOPERATIVE = "93"  # 工商 · 农民专业合作社
GOVERNMENT = "11"  # 机构编制 · 机关
PUBLIC_INSTITUTION = "12"  # 机构编制 · 事业单位
SOCIAL_GROUP = "51"  # 民政 · 社会团体
PRIVATE_NON_ENTERPRISE = "52"  # 民政 · 民办非企业单位
FOUNDATION = "53"  # 民政 · 基金会

CITY_REGION = "140800"  # 运城市 (registered at city level)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_BODY_LETTERS = CREDIT_CODE_CHARS[10:]


def org_code_check_char(body: str) -> str:
    """GB 11714 check character for an 8-character organization-code body."""
    total = sum(_org_value(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def org_code_is_valid(code: str) -> bool:
    return len(code) == 9 and org_code_check_char(code[:8]) == code[8]


def _org_value(char: str) -> int:
    return int(char) if char.isdigit() else ord(char) - ord("A") + 10


def credit_code(rng: Random, prefix: str, region: str, used: set[str]) -> str:
    """A new valid credit code not in ``used`` (which it joins)."""
    while True:
        if rng.random() < 0.7:  # codes issued since 2015 start the body with MA
            body = (
                "MA"
                + rng.choice("0123456789")
                + rng.choice(_BODY_LETTERS)
                + (f"{rng.randrange(10_000):04d}")
            )
        else:
            body = f"{rng.randrange(10**8):08d}"
        first17 = prefix + region + body + org_code_check_char(body)
        code = first17 + credit_code_check_char(first17)
        if code not in used:
            used.add(code)
            return code


# Outside 运城: (GB/T 2260 code, region label, name prefix, weight). 京津冀, 长三角, 珠三角 first.
EXTERNAL_REGIONS = (
    ("110105", "北京市朝阳区", "北京", 3),
    ("110108", "北京市海淀区", "北京", 2),
    ("110102", "北京市西城区", "北京", 1),
    ("120116", "天津市滨海新区", "天津", 2),
    ("130102", "河北省石家庄市长安区", "石家庄", 1),
    ("310115", "上海市浦东新区", "上海", 3),
    ("310104", "上海市徐汇区", "上海", 1),
    ("330106", "浙江省杭州市西湖区", "杭州", 2),
    ("320505", "江苏省苏州市虎丘区", "苏州", 1),
    ("440106", "广东省广州市天河区", "广州", 2),
    ("440104", "广东省广州市越秀区", "广州", 1),
    ("440305", "广东省深圳市南山区", "深圳市", 2),
    ("440304", "广东省深圳市福田区", "深圳市", 2),
    ("140105", "山西省太原市小店区", "山西", 2),
    ("610113", "陕西省西安市雁塔区", "西安", 1),
    ("410105", "河南省郑州市金水区", "郑州", 1),
)
