"""The kinds of equipment, their checks and intervals, service lives, statutory inspections and the
major-hazard criterion an overdue statutory inspection meets: data, each value with its source and a
confidence tag as in domain-reference §0 ([V] read in a retrieved text, here mostly third-party
copies of the standard; [M] background knowledge, not re-verified: confirm before relying on it).

Nothing here is invented to fill a gap: where no source was found the value is the institution's own
choice and says so (``SOURCE_OWN``). The criterion is cited by its code in
``/work/shared/data/major-hazard-criteria.json`` (a later criteria library can link by that code).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from shuangfang.core.vocabulary import CheckCategory

SOURCE_OWN = "no standard found: the institution's own routine (change it to your local rule)"

# GB 50444-2008 table 5.4.3 (scrapping after years from manufacture), as quoted by a third-party page.
GB50444_SCRAP = (
    "GB 50444-2008《建筑灭火器配置验收及检查规范》表5.4.3, quoted at "
    "https://56tv.org/news/20220827/59605.html "
    "(also http://www.5s886.com/tujie/onews.asp?id=450)"
)
GB50444_REPAIR = (
    "GB 50444-2008 §5.3 维修期限 (水基型出厂期满3年、首次维修以后每满1年；"
    "二氧化碳、干粉出厂期满5年、首次维修以后每满2年), quoted at "
    "https://56tv.org/news/20220827/59605.html [V secondary]; clean agent: not in that text"
)
EXT_MONTHLY = (
    "monthly visual check of extinguishers (GB 50444-2008 §5.2.1 [M]); third-party page "
    "http://www.c29tqzr.cn/20241217/1/702618 : 每月对干粉灭火器进行一次外观检查"
)
EXT_YEARLY = "http://www.5s886.com/tujie/onews.asp?id=450 : 灭火器应每年至少进行一次维护检查"
FIRE_FACILITIES_YEARLY = (
    "《消防法》: building fire facilities tested in full at least once a year (third-party excerpt, cut: "
    "https://www.zhetiaohe.com/ss/0f4ea2ae…); domain-reference §4.7 A5 'annual testing by a qualified "
    "service' [M]"
)
LIFT_15_DAYS = (
    "《特种设备安全监察条例》第三十一条: 电梯应当至少每15日进行一次清洁、润滑、调整和检查 "
    "(quoted at http://hudiewan.cc/news/hangye/553.html); TSG T5002-2017 电梯维护保养规则 (半月维保)"
)
LIFT_YEARLY = (
    "TSG T5001-2009 summary at https://www.wendangjia.com/1/248204.html : 电梯的定期检验周期为每年至少一次 "
    "(the date on the inspection certificate governs)"
)
STATUTORY_ONE_MONTH = (
    "《特种设备安全法》第四十条: ask the inspection body for the periodic inspection one month before the "
    "certificate runs out [M]"
)
PATROL_CONTENT = (
    "GB/T 40248-2021 §7.3 patrol content (domain-reference §4.4) [V]; monthly interval: " + SOURCE_OWN
)

# The major-hazard criterion met by special equipment used past its statutory inspection, per
# institution type. Only the elderly-care standard's Art. 4 (4) was retrieved in full; for the other
# types no complete item covers it (rescue-mgmt （七） is cut off in its only copy), so no grade is
# forced there: the hazard is opened for the safety officer to grade, citing the elderly-care text.
CRITERIA = {
    "elderly-2023-4-4": {
        "code": "elderly-2023-4-4",
        "title": "养老机构重大事故隐患判定标准（民政部办公厅，2023-11-27）第四条（四）",
        "text": "使用未取得许可生产、未经检验或者检验不合格、国家明令淘汰、已经报废的"
        "电梯、锅炉、氧气管道等特种设备。",
        "source": "http://www.e-nian.com/news/shownews.php?id=2726 ; https://yzwku.com/doc/814382.html ; "
        "https://1wenmi.com/doc/772870.html (major-hazard-criteria.json, verified_by 3)",
        "institution_types": ["elderly_care"],
    },
}
STATUTORY_CRITERION = "elderly-2023-4-4"


@dataclass(frozen=True)
class Check:
    """A recurring check of a kind, generated as inspection tasks (inspections.recurrence rule)."""

    code: str
    name: object
    frequency: str
    rule: dict
    items: tuple[object, ...]
    source: str
    confidence: str
    by_contractor: bool = False


@dataclass(frozen=True)
class Kind:
    code: str
    name: object
    group: str
    category: str
    life_years: int | None = None
    life_source: str = ""
    life_confidence: str = ""
    # Sent for repair and hydrostatic test (送修): first after N years from manufacture, then every M.
    repair_first_years: int | None = None
    repair_every_years: int | None = None
    repair_source: str = ""
    special: bool = False  # 特种设备: registration number and statutory inspection date
    statutory_months: int | None = None
    statutory_source: str = ""
    checks: tuple[Check, ...] = field(default_factory=tuple)


MONTH = 60 * 24 * 28  # a monthly window: 28 days, so two months' windows never overlap
YEAR_WINDOW = 60 * 24 * 30


def _monthly(code: str, items: tuple, source: str, confidence: str) -> Check:
    return Check(
        code, _("Monthly check"), "monthly", {"month_day": 1, "time": "08:00", "window_minutes": MONTH},
        items, source, confidence,
    )  # fmt: skip


def _yearly(code: str, name, items: tuple, source: str, confidence: str, contractor: bool = True) -> Check:
    rule = {"months": [3], "month_day": 1, "time": "08:00", "window_minutes": YEAR_WINDOW}
    return Check(code, name, "monthly", rule, items, source, confidence, by_contractor=contractor)


EXT_ITEMS = (
    _("In its place, visible, not blocked"),
    _("Pressure gauge needle in the green zone"),
    _("Seal and pin intact, hose and nozzle undamaged, no rust or dents"),
    _("Label and manufacture date readable; within its service life"),
)


def _extinguisher(code: str, name, years: int, repair: tuple[int, int] | None = None) -> Kind:
    return Kind(
        code,
        name,
        "fire",
        CheckCategory.FIRE,
        life_years=years,
        life_source=GB50444_SCRAP,
        life_confidence="V",
        repair_first_years=repair[0] if repair else None,
        repair_every_years=repair[1] if repair else None,
        repair_source=GB50444_REPAIR if repair else "",
        checks=(
            _monthly("ext-monthly", EXT_ITEMS, EXT_MONTHLY, "V"),
            _yearly(
                "ext-yearly",
                _("Yearly maintenance"),
                (_("Maintenance by a qualified service done and recorded"),),
                EXT_YEARLY,
                "V",
            ),
        ),
    )


def _patrol_kind(code: str, name, group: str, category: str, items: tuple, source=PATROL_CONTENT) -> Kind:
    return Kind(code, name, group, category, checks=(_monthly(f"{code}-monthly", items, source, "M"),))


def _tested_kind(code: str, name, items: tuple) -> Kind:
    test = _yearly(f"{code}-yearly", _("Yearly test"), items, FIRE_FACILITIES_YEARLY, "M")
    return Kind(code, name, "fire", CheckCategory.FIRE, checks=(test,))


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        _extinguisher("extinguisher_powder", _("Dry-powder extinguisher"), 10, (5, 2)),
        _extinguisher("extinguisher_water", _("Water-based extinguisher"), 6, (3, 1)),
        _extinguisher("extinguisher_co2", _("CO2 extinguisher"), 12, (5, 2)),
        _extinguisher("extinguisher_clean_agent", _("Clean-agent extinguisher"), 10),
        _patrol_kind(
            "hydrant",
            _("Indoor hydrant"),
            "fire",
            CheckCategory.FIRE,
            (_("Cabinet complete: hose, nozzle, valve; not blocked"),),
        ),
        _tested_kind(
            "sprinkler", _("Sprinkler system"), (_("Sprinkler system tested by a qualified service"),)
        ),
        _tested_kind(
            "alarm_panel",
            _("Fire alarm panel"),
            (_("Alarm panel and detectors tested by a qualified service"),),
        ),
        _tested_kind("detector", _("Fire detector"), (_("Detector tested"),)),
        _patrol_kind(
            "emergency_light",
            _("Emergency light"),
            "fire",
            CheckCategory.FIRE,
            (_("Lights up when the test button is pressed"),),
        ),
        _patrol_kind("exit_sign", _("Exit sign"), "fire", CheckCategory.FIRE, (_("Lit and undamaged"),)),
        _patrol_kind(
            "fire_door",
            _("Fire door"),
            "fire",
            CheckCategory.FIRE,
            (_("Closed, closer works, nothing wedging it open"),),
        ),
        _patrol_kind(
            "micro_fire_station",
            _("Micro fire station"),
            "fire",
            CheckCategory.FIRE,
            (_("Equipment complete and usable; staff on the list"),),
            source="seed; domain-reference §4.7 A9 [V]; monthly interval: " + SOURCE_OWN,
        ),
        _patrol_kind(
            "security_gate",
            _("Security gate"),
            "security",
            CheckCategory.SECURITY,
            (_("Switches on and alarms on the test piece"),),
            source="seed; domain-reference §4.7 E2 [V]; monthly interval: " + SOURCE_OWN,
        ),
        _patrol_kind(
            "handheld_detector",
            _("Hand-held detector"),
            "security",
            CheckCategory.SECURITY,
            (_("Charged and alarms on the test piece"),),
            source="seed; domain-reference §4.7 E2 [V]; monthly interval: " + SOURCE_OWN,
        ),
        _patrol_kind(
            "anti_riot_kit",
            _("Anti-riot kit"),
            "security",
            CheckCategory.SECURITY,
            (_("Shields, helmets, cut-resistant gloves present and intact"),),
            source="seed; domain-reference §4.7 E2 [V]; monthly interval: " + SOURCE_OWN,
        ),
        Kind(
            "lift",
            _("Lift"),
            "special",
            CheckCategory.SPECIAL_EQUIPMENT,
            special=True,
            statutory_months=12,
            statutory_source=LIFT_YEARLY,
            checks=(
                Check(
                    "lift-15-days",
                    _("Maintenance every 15 days"),
                    "daily",
                    {
                        "interval_days": 15,
                        "anchor": "2026-01-01",
                        "time": "08:00",
                        "window_minutes": 60 * 24 * 15,
                    },
                    (_("Maintenance by the lift contractor done and signed"),),
                    LIFT_15_DAYS,
                    "V",
                    by_contractor=True,
                ),
            ),
        ),
        Kind(
            "boiler",
            _("Boiler"),
            "special",
            CheckCategory.SPECIAL_EQUIPMENT,
            special=True,
            statutory_source="date on the inspection certificate; TSG G7002 periodic inspection [M]",
        ),
        Kind(
            "pressure_vessel",
            _("Pressure vessel"),
            "special",
            CheckCategory.SPECIAL_EQUIPMENT,
            special=True,
            statutory_source="date on the inspection certificate; TSG 21 periodic inspection [M]",
        ),
        _patrol_kind(
            "distribution_box",
            _("Distribution box"),
            "building",
            CheckCategory.UTILITIES,
            (_("Closed, labelled, not blocked; residual-current device test button works"),),
            source="domain-reference §4.7 B3 [V]; monthly RCD test [M]",
        ),
        _patrol_kind(
            "gas_line",
            _("Gas line"),
            "building",
            CheckCategory.UTILITIES,
            (_("Pipes and hoses intact; leak alarm and shut-off valve work"),),
            source="domain-reference §4.7 B6 [V]; monthly interval: " + SOURCE_OWN,
        ),
    )
}

GROUPS = {
    "fire": _("Fire equipment"),
    "security": _("Security equipment"),
    "special": _("Special equipment"),
    "building": _("Building services"),
}

KIND_CHOICES = [(k.code, k.name) for k in KINDS.values()]

# A recorder nobody can ask: a person checks it once a month (an inspection task).
RECORDER_CHECK = Check(
    "video-monthly",
    _("Monthly video retention check"),
    "monthly",
    {"month_day": 1, "time": "08:00", "window_minutes": MONTH},
    (
        _("The oldest recording of every camera reaches back three calendar months"),
        _("No camera is offline and there is no gap in the recordings"),
    ),
    "retention rule: see RETENTION_SOURCE; monthly interval: " + SOURCE_OWN,
    "M",
)

# Reminders before a statutory inspection or the end of a service life, in days (data).
REMIND_DAYS_BEFORE = (30, 7)
REMIND_SOURCE = STATUTORY_ONE_MONTH

# Video retention: three calendar months by default (not 90 days: 90 days is shorter than three
# calendar months whenever the months crossed hold 92 days, e.g. May–July).
RETENTION_MONTHS = 3
RETENTION_SOURCE = (
    "民政部令第63号《儿童福利机构管理办法》: footage kept at least 3 months (domain-reference §4.6 [V]); "
    "seed: recordings kept three months. Checklist item E03's '≥ 90 days' is shorter in some months."
)
RETENTION_RULE_TEXT = _(
    "Recordings are kept at least three calendar months (民政部令第63号《儿童福利机构管理办法》; the seed). "
    "90 days is not enough: it is shorter than three calendar months whenever those months hold 92 days."
)
