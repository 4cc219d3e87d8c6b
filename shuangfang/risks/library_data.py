"""The national starter library: typical risk points of civil-affairs institutions with their usual
hazard factors and control measures. Each entry names its source; values are starting points for the
institution's own assessment, not results.

Factor tuple: (description, GB/T 13861 class, accident types, consequence, LEC inputs (L, E, C),
measures [(category, description, what to check)])."""

from __future__ import annotations

from typing import Any

RS, EC, CW = "relief_station", "elderly_care", "child_welfare"
ALL = [RS, EC, CW]

SRC_FIRE = (
    "《养老机构消防安全管理规定》(民发〔2023〕37号); 《社会福利机构消防安全管理十项规定》; "
    "domain-reference §4.4"
)
SRC_FOOD = "《食品安全法》及餐饮服务食品安全操作规范; domain-reference §4.5"
SRC_GB38600 = "GB 38600-2019《养老机构服务安全基本规范》; domain-reference §4.3"
SRC_MAJOR_EC = "《养老机构重大事故隐患判定标准》(2023) 第四条; domain-reference §4.1"
SRC_RELIEF = "《生活无着的流浪乞讨人员救助管理机构工作规程》(民发〔2014〕132号); domain-reference §5"
SRC_SPECIAL = "《特种设备安全法》; 《养老机构重大事故隐患判定标准》(2023) 第四条第4项"
SRC_PRACTICE = "双重预防机制通行做法（山东等地风险点划分示例）; domain-reference §2.2–2.9"

E, M, T, P, X = "engineering", "management", "training", "protection", "emergency"


def _f(desc, cls, accidents, consequence, lec, measures) -> dict[str, Any]:
    return {
        "description": desc,
        "factor_class": cls,
        "accident_types": accidents,
        "consequence": consequence,
        "method": "lec",
        "inputs": dict(zip(("L", "E", "C"), lec, strict=True)),
        "measures": [{"category": c, "description": d, "what_to_check": w} for c, d, w in measures],
    }


# name, kind, area, types, source, factors
ENTRIES: list[tuple[str, str, str, list[str], str, list[dict[str, Any]]]] = [
    (
        "厨房",
        "place",
        "后勤区",
        ALL,
        f"{SRC_FOOD}; {SRC_FIRE}",
        [
            _f(
                "燃气泄漏遇明火",
                "things",
                ["火灾", "其它爆炸", "中毒和窒息"],
                "火灾、爆炸、人员中毒",
                (3, 6, 15),
                [
                    (E, "安装可燃气体报警器并与紧急切断阀联动", "报警器是否通电、试验是否联动切断"),
                    (M, "用火用气后关闭阀门，每日下班检查", "灶具阀门、总阀是否关闭"),
                    (T, "厨房人员燃气安全和灭火器使用培训", "培训记录是否齐全"),
                    (X, "配置灭火毯、灭火器，张贴应急处置卡", "灭火器压力、有效期，灭火毯是否在位"),
                ],
            ),
            _f(
                "烟道油污积聚",
                "things",
                ["火灾"],
                "烟道起火",
                (3, 6, 7),
                [
                    (M, "烟道、油烟罩定期清洗（至少每季度）", "清洗记录与油污情况"),
                ],
            ),
            _f(
                "刀具、绞肉机等机械伤手",
                "people",
                ["机械伤害"],
                "割伤",
                (3, 6, 3),
                [
                    (P, "佩戴防割手套", "是否佩戴防割手套"),
                    (M, "设备操作规程上墙，断电清洁", "操作规程是否上墙"),
                ],
            ),
            _f(
                "地面湿滑",
                "environment",
                ["其它伤害"],
                "滑倒摔伤",
                (3, 6, 3),
                [
                    (E, "铺设防滑地垫，排水沟畅通", "地面是否有积水油污"),
                ],
            ),
            _f(
                "食品加工不当",
                "management",
                ["食物中毒"],
                "集体食物中毒",
                (1, 6, 15),
                [
                    (M, "食品留样48小时，原料索证索票", "留样记录、留样柜温度"),
                    (T, "从业人员健康证、食品安全培训", "健康证是否在有效期内"),
                ],
            ),
        ],
    ),
    (
        "燃气调压间",
        "place",
        "后勤区",
        ALL,
        f"{SRC_FIRE}; {SRC_MAJOR_EC} 第2项",
        [
            _f(
                "燃气管道、阀门泄漏",
                "things",
                ["其它爆炸", "火灾", "中毒和窒息"],
                "爆炸、火灾",
                (1, 10, 40),
                [
                    (E, "可燃气体探测报警、防爆排风", "报警器、排风机是否正常"),
                    (M, "专人管理，每日巡查，禁止无关人员进入", "巡查记录、门锁"),
                    (X, "燃气泄漏应急预案，定期演练", "演练记录"),
                ],
            ),
        ],
    ),
    (
        "配电室",
        "place",
        "设备区",
        ALL,
        f"{SRC_FIRE}; {SRC_PRACTICE}",
        [
            _f(
                "电气线路老化、过载",
                "things",
                ["火灾", "触电"],
                "电气火灾、触电",
                (3, 6, 7),
                [
                    (E, "安装电气火灾监控系统", "监控主机是否报警或离线"),
                    (M, "电工持证上岗，定期检测", "特种作业操作证、检测报告"),
                    (P, "绝缘手套、绝缘靴、绝缘垫", "绝缘用具是否在检验期内"),
                ],
            ),
            _f(
                "无关人员误入",
                "management",
                ["触电"],
                "触电",
                (1, 3, 15),
                [
                    (M, "门锁闭，挂“当心触电”标志", "门是否锁闭、标志是否完好"),
                ],
            ),
        ],
    ),
    (
        "锅炉房",
        "place",
        "设备区",
        ALL,
        SRC_SPECIAL,
        [
            _f(
                "锅炉超压、缺水",
                "things",
                ["锅炉爆炸", "灼烫"],
                "锅炉爆炸、烫伤",
                (1, 6, 40),
                [
                    (E, "安全阀、压力表、水位计定期校验", "校验标签是否在有效期"),
                    (M, "司炉工持证上岗，运行记录", "司炉证、运行记录"),
                    (X, "锅炉事故应急处置卡", "处置卡是否张贴"),
                ],
            ),
        ],
    ),
    (
        "居室（宿舍）",
        "place",
        "生活区",
        ALL,
        f"{SRC_FIRE}; {SRC_GB38600}",
        [
            _f(
                "违规使用大功率电器、私拉电线",
                "people",
                ["火灾", "触电"],
                "火灾",
                (3, 6, 15),
                [
                    (E, "安装限流式保护器和独立式烟感", "烟感是否有效"),
                    (M, "每日巡查违规电器", "巡查记录"),
                ],
            ),
            _f(
                "夜间吸烟",
                "people",
                ["火灾"],
                "火灾",
                (3, 6, 15),
                [
                    (M, "禁烟管理和夜间巡查（每2小时）", "夜间巡查记录"),
                ],
            ),
            _f(
                "服务对象跌倒、坠床",
                "people",
                ["跌倒", "坠床"],
                "骨折、死亡",
                (3, 6, 7),
                [
                    (E, "床护栏、扶手、防滑地面、呼叫器", "护栏、呼叫器是否完好"),
                    (M, "入住评估与风险告知", "风险评估记录"),
                ],
            ),
        ],
    ),
    (
        "接待大厅及安检区",
        "place",
        "接待区",
        [RS],
        SRC_RELIEF,
        [
            _f(
                "受助人员携带管制刀具、易燃物品",
                "people",
                ["其它伤害", "火灾"],
                "伤人、火灾",
                (3, 6, 7),
                [
                    (E, "安检门、手持金属探测仪", "设备是否正常"),
                    (M, "入站安全检查和物品登记代管", "检查登记记录"),
                ],
            ),
            _f(
                "受助人员情绪激动、冲突",
                "people",
                ["他伤", "自伤"],
                "伤人",
                (3, 6, 7),
                [
                    (M, "两人以上接待，视频监控全覆盖", "监控是否正常、录像保存≥90天"),
                    (T, "接待人员冲突处置培训", "培训记录"),
                    (P, "防刺服、防割手套、约束器具", "防护装备是否在位"),
                ],
            ),
            _f(
                "传染病输入",
                "environment",
                ["传染病"],
                "疫情传播",
                (1, 6, 7),
                [
                    (M, "入站健康询问、体温检测，隔离观察室", "检测登记记录"),
                ],
            ),
        ],
    ),
    (
        "医务室",
        "place",
        "医疗区",
        ALL,
        f"{SRC_MAJOR_EC}（第五条第1项：内设医疗机构执业许可或备案）; {SRC_GB38600}",
        [
            _f(
                "用药差错",
                "management",
                ["误食", "其它伤害"],
                "药物不良反应",
                (1, 6, 7),
                [
                    (M, "药品查对制度，专人发药", "发药记录"),
                ],
            ),
            _f(
                "医疗废物处置不当",
                "management",
                ["传染病"],
                "感染",
                (1, 6, 3),
                [
                    (M, "医疗废物分类暂存、交接登记", "交接记录"),
                ],
            ),
        ],
    ),
    (
        "洗衣房",
        "place",
        "后勤区",
        ALL,
        SRC_PRACTICE,
        [
            _f(
                "烘干机积尘过热",
                "things",
                ["火灾"],
                "火灾",
                (1, 6, 7),
                [
                    (M, "每次使用后清理滤网", "滤网是否清理"),
                ],
            ),
            _f(
                "设备漏电",
                "things",
                ["触电"],
                "触电",
                (1, 6, 7),
                [
                    (E, "剩余电流保护器、可靠接地", "漏电保护器试跳"),
                ],
            ),
        ],
    ),
    (
        "电梯",
        "place",
        "设备区",
        [EC, CW, RS],
        SRC_SPECIAL,
        [
            _f(
                "电梯未定期检验、困人",
                "things",
                ["起重伤害", "其它伤害"],
                "困人、坠落",
                (1, 6, 15),
                [
                    (M, "使用登记，年度检验，每15日维保", "检验合格标志、维保记录"),
                    (X, "困人应急救援预案，五方通话畅通", "五方通话测试"),
                ],
            ),
        ],
    ),
    (
        "车辆",
        "activity",
        "车库",
        ALL,
        SRC_PRACTICE,
        [
            _f(
                "驾驶员疲劳、超速",
                "people",
                ["车辆伤害"],
                "交通事故",
                (1, 3, 15),
                [
                    (M, "出车登记，车辆定期保养", "出车登记、保养记录"),
                    (T, "驾驶员安全教育", "培训记录"),
                ],
            ),
        ],
    ),
    (
        "护送返乡",
        "service",
        "站外",
        [RS],
        SRC_RELIEF,
        [
            _f(
                "受助人员途中走失、突发疾病",
                "people",
                ["走失", "其它伤害"],
                "走失、死亡",
                (3, 3, 15),
                [
                    (M, "两人以上护送，交接签字", "护送交接单"),
                    (X, "途中应急联系与就近送医", "应急联系表"),
                ],
            ),
            _f(
                "交通事故",
                "environment",
                ["车辆伤害"],
                "伤亡",
                (1, 3, 15),
                [
                    (M, "选择正规交通工具，不疲劳驾驶", "护送方案"),
                ],
            ),
        ],
    ),
    (
        "夜间照护",
        "service",
        "生活区",
        [EC, CW, RS],
        f"{SRC_GB38600}; 《社会福利机构消防安全管理十项规定》（夜间巡查）",
        [
            _f(
                "夜间巡查不到位，突发疾病未及时发现",
                "management",
                ["其它伤害"],
                "延误救治、死亡",
                (3, 6, 15),
                [
                    (M, "夜间每2小时巡查并签到", "巡查签到记录"),
                    (E, "床头呼叫器、红外监测", "呼叫器是否正常"),
                ],
            ),
            _f(
                "夜间火灾疏散困难",
                "environment",
                ["火灾"],
                "群死群伤",
                (1, 6, 40),
                [
                    (X, "夜间疏散预案，值班人员熟悉疏散路线", "夜间演练记录"),
                    (T, "夜班人员“四个能力”培训", "培训记录"),
                ],
            ),
            _f(
                "服务对象噎食",
                "people",
                ["噎食"],
                "窒息死亡",
                (3, 6, 15),
                [
                    (M, "进食评估，流质、半流质饮食，专人看护", "进食看护记录"),
                    (T, "海姆立克急救法培训", "培训记录"),
                ],
            ),
        ],
    ),
]


def english_factors(factors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The factors with their English beside the Chinese (``description_en``, ``consequence_en``,
    measures' ``description_en`` and ``what_to_check_en``), from ``library_en``."""
    from .library_en import english

    out = []
    for f in factors:
        measures = [
            {
                **m,
                "description_en": english(m["description"]),
                "what_to_check_en": english(m["what_to_check"]),
            }
            for m in f["measures"]
        ]
        out.append(
            {
                **f,
                "description_en": english(f["description"]),
                "consequence_en": english(f["consequence"]),
                "measures": measures,
            }
        )
    return out


def english_fields(name: str, area: str, source: str) -> dict[str, str]:
    from .library_en import english, source_english

    return {"name_en": english(name), "area_en": english(area), "source_en": source_english(source)}


def rows() -> list[dict[str, Any]]:
    """One row per (entry, institution type), with the English beside the Chinese."""
    out = []
    for order, (name, kind, area, types, source, factors) in enumerate(ENTRIES):
        for itype in types:
            out.append(
                {
                    "institution_type": itype,
                    "name": name,
                    "kind": kind,
                    "area": area,
                    "factors": english_factors(factors),
                    "source": source,
                    **english_fields(name, area, source),
                    "confidence": "common",
                    "order": order,
                }
            )
    return out
