"""Seed data (domain-reference §4.7 item library, §2.10/§4.4 plan templates, 2026 holidays).

Loaded by a data migration and idempotent (update_or_create by code/date). Tenants copy library items
into their own checklists and edit them there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

SOURCE = "domain-reference §4.7"

# code, category, text, basis, default grade if failed, photo required
LIBRARY = [
    (
        "A01",
        "fire",
        "安全出口、疏散通道畅通，未上锁、未堆物，无防盗网阻挡逃生",
        "GB/T 40248; 61号令",
        "major",
        True,
    ),
    ("A02", "fire", "安全出口标志和应急照明完好有效", "GB/T 40248", "general", False),
    ("A03", "fire", "常闭式防火门保持关闭、闭门器完好；防火卷帘下无堆物", "GB/T 40248", "general", False),
    (
        "A04",
        "fire",
        "灭火器在位、在有效期内、压力指针在绿区、未被遮挡；消火栓箱配件齐全",
        "GB/T 40248",
        "general",
        True,
    ),
    (
        "A05",
        "fire",
        "火灾自动报警、自动喷水灭火系统处于正常运行状态（未停用失效）",
        "61号令; 安徽2025通知",
        "major",
        False,
    ),
    ("A06", "fire", "消防控制室24小时双人值班，持证上岗，值班记录完整", "民发〔2023〕37号", "general", False),
    (
        "A07",
        "fire",
        "有人居住建筑未使用易燃可燃夹芯彩钢板、未采用易燃装修",
        "养老机构重大事故隐患判定标准 第4条",
        "major",
        False,
    ),
    (
        "A08",
        "fire",
        "无违规用火：无明火取暖、无卧床吸烟，蚊香远离可燃物；动火作业有审批、有监护",
        "安徽2025通知; 台州消防通知",
        "general",
        False,
    ),
    (
        "A09",
        "fire",
        "微型消防站人员装备到位，演练按计划开展并有记录，员工做到“一懂三会”",
        "养老院排查整治标准",
        "general",
        False,
    ),
    (
        "A10",
        "fire",
        "防火巡查、夜间每2小时巡查、每月防火检查记录齐全并签名",
        "GB/T 40248 §7.3",
        "general",
        False,
    ),
    ("A11", "fire", "厨房烟道定期清洗，燃气泄漏报警装置完好", "台州消防通知", "general", False),
    ("A12", "fire", "失能老人未安排在禁止的高楼层或地下室居住", "安徽2025通知", "major", False),
    ("B01", "utilities", "无私拉乱接电线，线路穿管或线槽保护，未敷设在可燃物上", "检查通报", "general", True),
    (
        "B02",
        "utilities",
        "房间内无超负荷、大功率电器，无非医用电取暖器",
        "养老院排查整治标准",
        "general",
        False,
    ),
    (
        "B03",
        "utilities",
        "漏电保护器在位并按月试跳；配电箱关闭、标识清楚、未被遮挡",
        "用电安全检查通报（月度试跳为常规做法）",
        "general",
        False,
    ),
    (
        "B04",
        "utilities",
        "智慧用电监测设备在线，报警已处置闭环",
        "民政服务机构安全管理要求",
        "general",
        False,
    ),
    (
        "B05",
        "utilities",
        "电动自行车及电池未在室内、走廊、楼梯间停放或充电",
        "台州消防通知; 临河检查",
        "major",
        True,
    ),
    (
        "B06",
        "utilities",
        "燃气管道、软管、气瓶完好；泄漏报警和自动切断装置有效；液化气存放合规",
        "民发〔2023〕37号",
        "major",
        False,
    ),
    ("B07", "utilities", "热水器、锅炉安全，防烫伤措施到位；饮用水卫生", "GB 38600", "general", False),
    (
        "B08",
        "utilities",
        "电梯、锅炉、压力容器、氧气管道等特种设备登记并在检验有效期内，持证操作",
        "养老机构重大事故隐患判定标准 第4、5条",
        "major",
        False,
    ),
    (
        "C01",
        "food",
        "食品经营许可证有效，从业人员健康证有效",
        "养老机构重大事故隐患判定标准 第5条; 食品安全法",
        "general",
        False,
    ),
    ("C02", "food", "采购索证索票、进货查验记录完整", "《食品安全法》第50、53条", "general", False),
    (
        "C03",
        "food",
        "每餐每样留样不少于125克，密封冷藏48小时以上，有记录",
        "《餐饮服务食品安全操作规范》（2018）",
        "general",
        True,
    ),
    (
        "C04",
        "food",
        "生熟分开，储存温度合规，无过期食品，添加剂专柜上锁并登记",
        "《餐饮服务食品安全操作规范》（2018）",
        "general",
        False,
    ),
    (
        "C05",
        "food",
        "餐具清洗消毒有记录，防鼠防虫设施完好",
        "《餐饮服务食品安全操作规范》（2018）",
        "general",
        False,
    ),
    ("C06", "food", "厨房人员晨检，传染病防控措施落实", "民政服务机构安全管理要求", "general", False),
    (
        "D01",
        "facilities",
        "建筑无裂缝、沉降；存疑建筑已鉴定（C/D级为重大隐患）",
        "养老机构重大事故隐患判定标准 第4条",
        "major",
        True,
    ),
    (
        "D02",
        "facilities",
        "电梯、锅炉、压力容器检验在有效期内，维保记录齐全",
        "养老机构重大事故隐患判定标准 第4条",
        "major",  # as its basis (Art. 4) and B08: uninspected special equipment is a major hazard
        False,
    ),
    ("D03", "facilities", "扶手、防滑地面、床护栏、呼叫器和紧急按钮完好", "GB 38600", "general", False),
    (
        "D04",
        "facilities",
        "有跌落风险的窗户、阳台设限位器",
        "GB 38600-2019（防跌倒、防坠落）",
        "general",
        False,
    ),
    ("D05", "facilities", "文娱和康复器材完好", "GB 38600", "general", False),
    (
        "D06",
        "facilities",
        "护送车辆车况良好、保险有效、驾驶员资质合格",
        "救助管理机构护送工作惯例",
        "general",
        False,
    ),
    (
        "E01",
        "security",
        "门卫24小时值守，访客登记，门禁有效",
        "民政服务机构安全管理要求; 民政部令第63号",
        "general",
        False,
    ),
    (
        "E02",
        "security",
        "受助人员经安检门和手持探测器检查，违禁物品登记代管，防暴器材在位",
        "DB3212/T 1069",
        "general",
        False,
    ),
    (
        "E03",
        "security",
        "出入口、接待室、走廊、食堂、观察室监控覆盖，录像保存不少于3个月",  # domain-reference §4.6
        "民政部令第63号; GB 38600",
        "general",
        False,
    ),
    (
        "E04",
        "security",
        "防走失措施落实：出口管控，认知障碍人员有标识，走失处置流程明确",
        "GB 38600",
        "general",
        False,
    ),
    ("E05", "security", "按性别分区安置，未成年人单独安置", "民政部令第63号", "general", False),
    (
        "E06",
        "security",
        "警务室或警务联络落实，突发事件及时报告",
        "民政服务机构安全管理要求",
        "general",
        False,
    ),
    ("F01", "rules", "安全生产责任制建立，责任书签订", "民政服务机构安全管理要求", "general", False),
    (
        "F02",
        "rules",
        "风险清单按时更新，告知卡张贴，隐患台账完整并按期闭环",
        "双重预防机制建设相关文件",
        "general",
        False,
    ),
    (
        "F03",
        "rules",
        "新员工入职、年度复训、消防培训记录齐全；每年至少两次消防演练",
        "61号令（消防培训）；常规做法",
        "general",
        False,
    ),
    ("F04", "rules", "应急预案和处置卡备案，通讯录为最新", "应急预案管理相关规定", "general", False),
    ("F05", "rules", "值班表和交接班记录齐全（昼夜巡查、交接班）", "GB 38600", "general", False),
    (
        "F06",
        "rules",
        "季度、年度隐患统计按时上报",
        "安全生产事故隐患排查治理暂行规定（16号令）",
        "general",
        False,
    ),
]

# code, name, category, checklist kind, rule (frequency + keys), institution types, basis, confidence
TEMPLATES = [
    (
        "night_fire_patrol",
        "夜间防火巡查（每2小时）",
        "fire",
        "post",
        {"frequency": "hours", "interval_hours": 2, "start": "20:00", "end": "06:00"},
        ["elderly_care", "child_welfare", "relief_station"],
        "GB/T 40248-2021 §7.3.5; 61号令",
        "verified",
    ),
    (
        "day_fire_patrol",
        "日间防火巡查（每日）",
        "fire",
        "post",
        {"frequency": "daily", "time": "09:00", "window_minutes": 480},
        [],
        "GB/T 40248-2021 §7.3.4",
        "verified",
    ),
    (
        "monthly_fire_inspection",
        "每月防火检查",
        "fire",
        "specialist",
        {"frequency": "monthly", "month_day": 1, "time": "09:00", "window_minutes": 60 * 24 * 10},
        [],
        "GB/T 40248-2021 §7.3.7",
        "verified",
    ),
    (
        "post_shift_check",
        "岗位班前检查（每班）",
        "utilities",
        "post",
        {"frequency": "shift", "shifts": ["08:00", "20:00"], "window_minutes": 120},
        [],
        "推荐默认频次，可按本单位规定调整",
        "recommended",
    ),
    (
        "kitchen_daily",
        "厨房食品安全日检",
        "food",
        "post",
        {"frequency": "daily", "time": "06:00", "window_minutes": 240},
        [],
        "《餐饮服务食品安全操作规范》（2018）；推荐默认频次",
        "recommended",
    ),
    (
        "weekly_department",
        "科室每周综合检查",
        "rules",
        "specialist",
        {
            "frequency": "weekly",
            "weekdays": [0],
            "time": "09:00",
            "window_minutes": 60 * 24 * 5,
            "day_rule": "workdays",
        },
        [],
        "推荐默认频次，可按本单位规定调整",
        "recommended",
    ),
    (
        "quarterly_specialist",
        "季度专业性排查（电气/燃气/特种设备）",
        "utilities",
        "specialist",
        {"frequency": "quarterly", "month_day": 1, "time": "09:00", "window_minutes": 60 * 24 * 20},
        [],
        "推荐默认频次，可按本单位规定调整",
        "recommended",
    ),
    (
        "seasonal",
        "季节性排查",
        "facilities",
        "specialist",
        {"frequency": "seasonal", "month_day": 1, "time": "09:00", "window_minutes": 60 * 24 * 14},
        [],
        "推荐默认频次，可按本单位规定调整",
        "recommended",
    ),
    (
        "before_holidays",
        "节假日前安全检查",
        "fire",
        "specialist",
        {
            "frequency": "holidays",
            "holidays": ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"],
            "days_before": 3,
            "time": "09:00",
        },
        [],
        "推荐默认频次，可按本单位规定调整",
        "recommended",
    ),
]

# 2026 public holidays and make-up working days. Entered from the State Council's schedule for 2026
# as remembered when written: VERIFY against the official notice and correct the rows (they are data).
HOLIDAY_SOURCE = "国务院办公厅 2026 年部分节假日安排（待核对）"


def _span(first: str, days: int) -> list[dt.date]:
    d = dt.date.fromisoformat(first)
    return [d + dt.timedelta(days=i) for i in range(days)]


HOLIDAYS_2026 = [
    ("元旦", _span("2026-01-01", 3)),
    ("春节", _span("2026-02-15", 9)),
    ("清明节", _span("2026-04-04", 3)),
    ("劳动节", _span("2026-05-01", 5)),
    ("端午节", _span("2026-06-19", 3)),
    ("中秋节", _span("2026-09-25", 3)),
    ("国庆节", _span("2026-10-01", 7)),
]
WORKDAYS_2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]


def load_english(apps=None) -> None:
    """Fill the English column of the seeded lists (a migration after the one that added it)."""
    from django.apps import apps as live_apps

    registry: Any = apps if apps is not None else live_apps
    LibraryItem = registry.get_model("inspections", "LibraryItem")  # noqa: N806
    PlanTemplate = registry.get_model("inspections", "PlanTemplate")  # noqa: N806
    for code, text in LIBRARY_EN.items():
        LibraryItem.objects.filter(code=code).update(text_en=text)
    for code, name in TEMPLATES_EN.items():
        PlanTemplate.objects.filter(code=code).update(name_en=name)


def load(apps=None, *, only_if_missing: bool = False) -> None:
    """Insert or refresh the seed rows. ``only_if_missing``: do nothing when they are all there
    (tests and the demo call it after transactional tests flushed the tables)."""
    from django.apps import apps as live_apps

    registry: Any = apps if apps is not None else live_apps
    LibraryItem = registry.get_model("inspections", "LibraryItem")  # noqa: N806
    PlanTemplate = registry.get_model("inspections", "PlanTemplate")  # noqa: N806
    CalendarDay = registry.get_model("inspections", "CalendarDay")  # noqa: N806
    if only_if_missing and (
        LibraryItem.objects.count() >= len(LIBRARY)
        and PlanTemplate.objects.count() >= len(TEMPLATES)
        and CalendarDay.objects.exists()
    ):
        return
    for code, category, text, basis, grade, photo in LIBRARY:
        LibraryItem.objects.update_or_create(
            code=code,
            defaults={
                "category": category,
                "text": text,
                "basis": basis,
                "default_grade": grade,
                "requires_photo": photo,
                "source": SOURCE,
                "confidence": "assembled",
            },
        )
    for code, name, category, kind, rule, types, basis, confidence in TEMPLATES:
        PlanTemplate.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category,
                "checklist_kind": kind,
                "rule": rule,
                "institution_types": types,
                "basis": basis,
                "source": "domain-reference §2.10, §4.4",
                "confidence": confidence,
            },
        )
    for name, days in HOLIDAYS_2026:
        for d in days:
            CalendarDay.objects.update_or_create(
                date=d,
                defaults={
                    "kind": "holiday",
                    "name": name,
                    "source": HOLIDAY_SOURCE,
                    "confidence": "unverified",
                },
            )
    for text in WORKDAYS_2026:
        CalendarDay.objects.update_or_create(
            date=dt.date.fromisoformat(text),
            defaults={"kind": "workday", "name": "", "source": HOLIDAY_SOURCE, "confidence": "unverified"},
        )
    if apps is None:  # the live models have the English column (a migration fills it otherwise)
        load_english()


# English text of the seeded lists (the English column, shown to English readers; the Chinese text
# stays the one in force).
LIBRARY_EN = {
    "A01": "Exits and escape routes clear: not locked, nothing stored, no security grilles blocking escape",
    "A02": "Exit signs and emergency lighting in good working order",
    "A03": "Normally closed fire doors kept shut, door closers working; nothing under fire shutters",
    "A04": "Extinguishers in place, in date, gauge in the green, not blocked; hydrant cabinets complete",
    "A05": "Automatic fire alarm and sprinkler systems in normal operation (not switched off or failed)",
    "A06": "Fire control room staffed by two certified people around the clock, duty log complete",
    "A07": "No flammable sandwich panels or flammable finishes in occupied buildings",
    "A08": "No unsafe fire use: no open-flame heating, no smoking in bed, mosquito coils away from "
    "combustibles; hot work approved and supervised",
    "A09": "Mini fire station staffed and equipped, drills held as planned and recorded, staff know "
    "the basics of fire safety",
    "A10": "Fire patrols, two-hourly night patrols and monthly fire checks recorded and signed",
    "A11": "Kitchen flue cleaned regularly, gas leak alarm working",
    "A12": "Residents who cannot move unaided not housed on forbidden high floors or in basements",
    "B01": "No makeshift wiring; cables in conduit or trunking, not laid on combustibles",
    "B02": "No overloading or high-power appliances in rooms, no non-medical electric heaters",
    "B03": "Residual-current devices in place and test-tripped monthly; distribution boxes closed, "
    "labelled and unobstructed",
    "B04": "Smart electrical monitoring online, its alarms handled to closure",
    "B05": "No e-bikes or batteries parked or charged indoors, in corridors or stairwells",
    "B06": "Gas pipes, hoses and cylinders sound; leak alarm and automatic shut-off working; LPG "
    "stored as required",
    "B07": "Water heaters and boilers safe, scald prevention in place; drinking water hygienic",
    "B08": "Lifts, boilers, pressure vessels, oxygen pipes and other special equipment registered, "
    "inspection in date, operated by certified staff",
    "C01": "Food business licence valid, staff health certificates valid",
    "C02": "Purchase certificates and invoices kept, incoming goods checks recorded",
    "C03": "A sample of every dish of every meal kept, at least 125 g, sealed and refrigerated for "
    "over 48 hours, recorded",
    "C04": "Raw and cooked food kept apart, storage temperatures right, no expired food, additives "
    "locked away and logged",
    "C05": "Tableware cleaning and disinfection recorded, rodent and insect screens intact",
    "C06": "Kitchen staff checked each morning, infectious disease controls in place",
    "D01": "No cracks or settlement in buildings; doubtful buildings assessed (grade C/D is a major hazard)",
    "D02": "Lift, boiler and pressure vessel inspections in date, maintenance records complete",
    "D03": "Handrails, non-slip floors, bed rails, call buttons and emergency buttons working",
    "D04": "Window and balcony restrictors fitted where there is a risk of falling",
    "D05": "Recreation and rehabilitation equipment in good condition",
    "D06": "Escort vehicles roadworthy, insured, drivers qualified",
    "E01": "Gate staffed around the clock, visitors registered, access control working",
    "E02": "People received pass the security gate and a hand-held detector, prohibited items "
    "logged and held, anti-riot equipment in place",
    "E03": "CCTV covers entrances, reception, corridors, canteen and observation rooms, recordings "
    "kept at least 90 days",
    "E04": "Measures against going missing: exits controlled, people with dementia identified, a "
    "clear procedure when someone goes missing",
    "E05": "Accommodation separated by sex, minors housed separately",
    "E06": "Police room or police liaison in place, emergencies reported promptly",
    "F01": "Safety responsibility system set up, responsibility letters signed",
    "F02": "Risk inventory updated on time, notice cards posted, hazard ledger complete and closed on time",
    "F03": "Induction, yearly refresher and fire training recorded; at least two fire drills a year",
    "F04": "Emergency plans and response cards filed, contact list up to date",
    "F05": "Duty roster and handover records complete (day and night patrols, handovers)",
    "F06": "Quarterly and yearly hazard statistics reported on time",
}
TEMPLATES_EN = {
    "night_fire_patrol": "Night fire patrol (every 2 hours)",
    "day_fire_patrol": "Daytime fire patrol (daily)",
    "monthly_fire_inspection": "Monthly fire inspection",
    "post_shift_check": "Pre-shift check of the post (each shift)",
    "kitchen_daily": "Daily kitchen food-safety check",
    "weekly_department": "Weekly department check",
    "quarterly_specialist": "Quarterly specialist check (electricity, gas, special equipment)",
    "seasonal": "Seasonal check",
    "before_holidays": "Safety check before public holidays",
}
