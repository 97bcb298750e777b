"""Real county specialties of 运城 (the products each county is known for) and generic ones.

Prices are 分 per 斤 (per item for 件); months are harvest months (none for processed goods).
"""

from app.models.enums import ProductCategory as Cat
from app.seed.catalogue import (
    ALL_YEAR,
    BAGS,
    BOXES,
    EGGS,
    FRUIT_PACKS,
    LOOSE,
    PACKED,
    PIECE,
    Pack,
    Specialty,
)

APPLE = ("苹果", "红富士苹果", "冰糖心苹果", "嘎啦苹果")
PEACH = ("鲜桃", "油桃", "水蜜桃")

SPECIALTIES: dict[str, tuple[Specialty, ...]] = {
    "140802": (  # 盐湖区
        Specialty(
            "北景",
            ("柿子", "尖柿", "脆柿"),
            Cat.fruit,
            (300, 700),
            (10, 11),
            FRUIT_PACKS,
            "柿子种植",
        ),
        Specialty("北景", ("柿饼",), Cat.dried_nut, (1500, 3000), (11, 12), PACKED, "柿饼加工"),
        Specialty(
            "盐湖",
            ("红提葡萄", "阳光玫瑰葡萄"),
            Cat.fruit,
            (500, 1500),
            (8, 9, 10),
            FRUIT_PACKS,
            "葡萄种植",
        ),
        Specialty("盐湖", APPLE, Cat.fruit, (300, 800), (9, 10, 11), FRUIT_PACKS, "苹果种植"),
    ),
    "140821": (  # 临猗县
        Specialty(
            "临猗", APPLE, Cat.fruit, (300, 900), (9, 10, 11), FRUIT_PACKS, "苹果种植", gi=True
        ),
        Specialty(
            "临猗",
            ("江石榴", "软籽石榴", "石榴"),
            Cat.fruit,
            (600, 1500),
            (9, 10),
            FRUIT_PACKS,
            "石榴种植",
            gi=True,
        ),
        Specialty(
            "临猗", ("梨枣", "冬枣"), Cat.fruit, (500, 1200), (9, 10), FRUIT_PACKS, "鲜枣种植"
        ),
    ),
    "140822": (  # 万荣县
        Specialty(
            "万荣", APPLE, Cat.fruit, (300, 900), (9, 10, 11), FRUIT_PACKS, "苹果种植", gi=True
        ),
        Specialty(
            "万泉",
            ("大葱", "铁杆大葱"),
            Cat.vegetable,
            (150, 400),
            (10, 11, 12),
            LOOSE + BOXES,
            "大葱种植",
        ),
        Specialty(
            "万荣", ("红薯粉条", "手工粉条"), Cat.processed, (800, 1500), (), PACKED, "粉条加工"
        ),
    ),
    "140823": (  # 闻喜县
        Specialty(
            "闻喜",
            ("煮饼",),
            Cat.processed,
            (3000, 8000),
            (),
            (Pack("盒", "礼盒装", 1), Pack("箱", "10盒装", 10, 0.9)),
            "煮饼加工",
            gi=True,
        ),
        Specialty(
            "涑川",
            ("茼蒿", "蒿子秆"),
            Cat.vegetable,
            (300, 700),
            (11, 12, 1, 2, 3),
            LOOSE + BOXES,
            "茼蒿种植",
        ),
        Specialty("闻喜", ("花馍", "礼馍"), Cat.processed, (1000, 6000), (), PIECE, "花馍制作"),
    ),
    "140824": (  # 稷山县
        Specialty(
            "稷山",
            ("板枣", "红枣"),
            Cat.dried_nut,
            (1200, 4000),
            (9, 10),
            LOOSE + PACKED,
            "板枣种植",
            gi=True,
        ),
        Specialty("稷山", ("麻花",), Cat.processed, (1000, 3000), (), PACKED, "麻花加工"),
        Specialty("稷山", ("枣夹核桃",), Cat.processed, (3000, 8000), (), PACKED, "红枣加工"),
    ),
    "140825": (  # 新绛县
        Specialty(
            "新绛",
            ("西红柿", "黄瓜", "芹菜", "西葫芦", "尖椒", "茄子"),
            Cat.vegetable,
            (150, 600),
            ALL_YEAR,
            LOOSE + BOXES,
            "设施蔬菜",
        ),
        Specialty("新绛", ("澄泥砚",), Cat.handicraft, (20_000, 300_000), (), PIECE, "澄泥砚制作"),
        Specialty(
            "新绛",
            ("云雕漆盘", "云雕首饰盒"),
            Cat.handicraft,
            (10_000, 200_000),
            (),
            PIECE,
            "云雕制作",
        ),
    ),
    "140826": (  # 绛县
        Specialty(
            "绛县",
            ("山楂", "大金星山楂"),
            Cat.fruit,
            (300, 800),
            (9, 10),
            LOOSE + BOXES,
            "山楂种植",
            gi=True,
        ),
        Specialty(
            "绛县",
            ("山楂片", "山楂糕", "山楂条"),
            Cat.processed,
            (1500, 3500),
            (),
            PACKED,
            "山楂加工",
        ),
        Specialty("绛县", ("连翘",), Cat.herb, (3000, 6000), (7, 8, 9), LOOSE + BAGS, "中药材种植"),
    ),
    "140827": (  # 垣曲县
        Specialty(
            "垣曲",
            ("核桃", "薄皮核桃", "核桃仁"),
            Cat.dried_nut,
            (1200, 4000),
            (9,),
            LOOSE + PACKED,
            "核桃种植",
        ),
        Specialty(
            "垣曲",
            ("香菇", "花菇", "干香菇"),
            Cat.vegetable,
            (800, 4000),
            (3, 4, 5, 9, 10, 11),
            LOOSE + PACKED,
            "食用菌种植",
        ),
        Specialty(
            "垣曲",
            ("黑木耳", "木耳"),
            Cat.vegetable,
            (4000, 9000),
            (5, 6, 7, 8, 9, 10),
            PACKED,
            "木耳种植",
        ),
        Specialty("垣曲", ("猕猴桃",), Cat.fruit, (500, 1200), (9, 10), FRUIT_PACKS, "猕猴桃种植"),
    ),
    "140828": (  # 夏县
        Specialty(
            "夏县",
            ("西瓜", "麒麟西瓜", "小西瓜"),
            Cat.fruit,
            (100, 300),
            (6, 7, 8),
            LOOSE + BOXES,
            "西瓜种植",
        ),
        Specialty("夏县", PEACH, Cat.fruit, (300, 800), (6, 7, 8), FRUIT_PACKS, "鲜桃种植"),
        Specialty(
            "夏县",
            ("核桃", "薄皮核桃"),
            Cat.dried_nut,
            (1200, 3500),
            (9,),
            LOOSE + PACKED,
            "核桃种植",
        ),
    ),
    "140829": (  # 平陆县
        Specialty(
            "平陆杜马",
            ("百合", "鲜百合"),
            Cat.vegetable,
            (1500, 3500),
            (8, 9, 10),
            FRUIT_PACKS,
            "百合种植",
            gi=True,
        ),
        Specialty(
            "平陆", ("百合干",), Cat.herb, (6000, 12_000), (9, 10, 11), PACKED, "百合种植", gi=True
        ),
        Specialty("平陆", APPLE, Cat.fruit, (300, 800), (9, 10, 11), FRUIT_PACKS, "苹果种植"),
        Specialty(
            "平陆", ("小米", "谷子"), Cat.grain_oil, (500, 1200), (9, 10), PACKED, "小杂粮种植"
        ),
    ),
    "140830": (  # 芮城县
        Specialty(
            "芮城",
            ("花椒", "大红袍花椒"),
            Cat.other,
            (5000, 12_000),
            (7, 8, 9),
            LOOSE + PACKED,
            "花椒种植",
            gi=True,
        ),
        Specialty(
            "芮城", ("屯屯枣",), Cat.fruit, (800, 2000), (9, 10), FRUIT_PACKS, "红枣种植", gi=True
        ),
        Specialty("芮城", APPLE, Cat.fruit, (300, 800), (9, 10, 11), FRUIT_PACKS, "苹果种植"),
    ),
    "140881": (  # 永济市
        Specialty(
            "永济",
            ("芦笋", "绿芦笋", "白芦笋"),
            Cat.vegetable,
            (800, 2000),
            (4, 5, 6),
            FRUIT_PACKS,
            "芦笋种植",
        ),
        Specialty(
            "永济", (*PEACH, "黄桃"), Cat.fruit, (300, 900), (6, 7, 8, 9), FRUIT_PACKS, "鲜桃种植"
        ),
        Specialty(
            "永济", ("石磨面粉", "小麦粉"), Cat.grain_oil, (250, 500), (6,), BAGS, "小麦种植"
        ),
        Specialty("永济", ("牛肉饺子",), Cat.processed, (2000, 4000), (), BAGS, "食品加工"),
    ),
    "140882": (  # 河津市
        Specialty(
            "河津", ("小麦粉", "石磨面粉"), Cat.grain_oil, (250, 500), (6,), BAGS, "小麦种植"
        ),
        Specialty(
            "河津", ("西瓜", "甜瓜"), Cat.fruit, (150, 400), (6, 7, 8), LOOSE + BOXES, "瓜果种植"
        ),
        Specialty(
            "河津",
            ("红提葡萄", "巨峰葡萄"),
            Cat.fruit,
            (500, 1200),
            (8, 9, 10),
            FRUIT_PACKS,
            "葡萄种植",
        ),
    ),
}

# Items any village may produce; the county or village name becomes the origin.
GENERIC: tuple[Specialty, ...] = (
    Specialty("", ("土鸡蛋", "柴鸡蛋"), Cat.livestock, (800, 1500), ALL_YEAR, EGGS, "蛋鸡养殖"),
    Specialty(
        "", ("黄牛肉", "羊肉"), Cat.livestock, (3500, 5500), ALL_YEAR, LOOSE + BOXES, "肉牛肉羊养殖"
    ),
    Specialty(
        "", ("小米", "黄小米", "玉米糁"), Cat.grain_oil, (400, 1000), (9, 10), PACKED, "小杂粮种植"
    ),
    Specialty("", ("红薯",), Cat.vegetable, (150, 400), (9, 10), LOOSE + BOXES, "红薯种植"),
    Specialty("", ("土蜂蜜", "槐花蜜"), Cat.other, (3000, 6000), (5, 6), PACKED, "蜜蜂养殖"),
    Specialty("", ("核桃",), Cat.dried_nut, (1200, 3000), (9,), LOOSE + BAGS, "核桃种植"),
    Specialty(
        "", ("黄芩", "柴胡", "远志"), Cat.herb, (2000, 6000), (8, 9, 10), LOOSE + BAGS, "中药材种植"
    ),
    Specialty(
        "",
        ("手工布鞋", "布老虎", "手工剪纸", "手工刺绣"),
        Cat.handicraft,
        (3000, 30_000),
        (),
        PIECE,
        "手工艺",
    ),
    Specialty(
        "",
        ("菜籽油", "花生油"),
        Cat.grain_oil,
        (6000, 12_000),
        (),
        (Pack("件", "5升装", 1),),
        "油料加工",
    ),
)
