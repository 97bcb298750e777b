"""Vocabularies for generated people, villages and phone numbers (local 晋南 flavour)."""

from random import Random

# Common surnames in 运城 (裴, 薛, 卫, 畅, 景, 柴 are typical of 晋南).
SURNAMES = (
    "王李张刘杨赵陈郭吴孙任薛卫贾畅柴景原裴杜解姚牛马高梁宋董冯侯韩曹史范程段白田邓许秦武"
    "苗荆乔师尚耿申常宁关毛雷闫席仝翟卢苏南柳郝黄周吕"
)
GIVEN = (
    "建国军平明华强伟刚勇红英芳丽霞敏娟杰涛鹏亮磊斌峰辉超波宁静燕玲海林春生文志宏忠福贵俊新"
    "民龙江云晓雪梅兰秀玉凤琴丹婷鑫浩宇博东保成利荣全胜喜永红卫晋瑞泽"
)
_DIRECTIONS = "东西南北上下前后中大小新老"
_PLACES = "庄堡沟坡营寨湾窑峪岭坪店屯园洼河桥垣滩院"
_TERRAIN = "坡寨沟庄湾岭峪坪头河滩原堡窑营岗洼桥"
_NATURE = "柳杏桃枣槐榆柏梨石泉龙凤马牛羊鹿白黑红青金银高平安太永长古"
_NATURE_PLACES = "林园树坡沟湾泉坪峪岭头庄河窑山原"
_MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "157",
    "158",
    "159",
    "176",
    "177",
    "180",
    "181",
    "182",
    "183",
    "186",
    "187",
    "188",
    "189",
    "199",
)
_CHINESE_DIGITS = "零一二三四五六七八九"


def person_name(rng: Random) -> str:
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def mobile(rng: Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def office_phone(rng: Random) -> str:
    """A landline in 运城 (area code 0359)."""
    return f"0359-{rng.randint(2, 8)}{rng.randrange(10**6):06d}"


def village_name(rng: Random) -> str:
    """A plausible 晋南 village name such as 张家庄村, 东王村, 南坡村 or 枣园村."""
    pattern = rng.random()
    if pattern < 0.25:
        stem = rng.choice(SURNAMES) + "家" + rng.choice(_PLACES)
    elif pattern < 0.45:
        stem = rng.choice(_DIRECTIONS) + rng.choice(SURNAMES)
    elif pattern < 0.55:
        stem = rng.choice(_DIRECTIONS) + rng.choice(_TERRAIN)
    elif pattern < 0.75:
        stem = rng.choice(SURNAMES) + rng.choice(_PLACES)
    elif pattern < 0.9:
        stem = rng.choice(_NATURE) + rng.choice(_NATURE_PLACES)
    else:
        stem = rng.choice(_DIRECTIONS) + rng.choice(_NATURE) + rng.choice(_NATURE_PLACES)
    return stem + "村"


def chinese_number(n: int) -> str:
    """1–99 in Chinese numerals (第十二中学)."""
    if n < 10:
        return _CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    return (
        ("" if tens == 1 else _CHINESE_DIGITS[tens])
        + "十"
        + (_CHINESE_DIGITS[ones] if ones else "")
    )
