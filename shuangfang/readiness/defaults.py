"""Defaults a bureau starts from (``training.install_defaults``), each with its source and how sure
it is (domain-reference's tags). Never a number without a source: where no standard gives one, the
value is marked a product default and the bureau or institution changes it."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import AppliesTo, Confidence, CourseTopic

# The fire drill frequency. domain-reference F.3: "at least twice a year for fire drills is common
# practice [M]"; the seed says only "at suitable times" (适时开展消防演练). The default's source is
# shown in the reader's language (a source someone saves is shown as they typed it).
FIRE_DRILLS_PER_YEAR = "fire_drills_per_year"
SETTINGS: dict[str, tuple[int, Promise, str]] = {
    FIRE_DRILLS_PER_YEAR: (
        2,
        _(
            "Common practice: fire drills at least twice a year (domain-reference §4.6 F.3, [M]); "
            "the seed says only 适时开展 (at suitable times)"
        ),
        Confidence.COMMON,
    ),
}

# How early people are told (product choices, no standard).
DUE_SOON_DAYS = 30
CERTIFICATE_REMIND_DAYS = 30

# name, topic, valid months, source, confidence
COURSES: list[tuple[str, str, int, str, str]] = [
    (
        "消防安全培训",
        CourseTopic.FIRE,
        12,
        "民发〔2023〕37号: written rule on fire education and training [V]; yearly refresher "
        "(domain-reference §4.6 F.3) [M]",
        Confidence.COMMON,
    ),
    (
        "食品安全培训",
        CourseTopic.FOOD,
        12,
        "domain-reference §4.5: canteen food-safety training; yearly interval is a product default",
        Confidence.PRODUCT,
    ),
    (
        "燃气安全使用培训",
        CourseTopic.GAS,
        12,
        "民发〔2023〕37号: operating procedure for gas appliances [V]; yearly interval is a product default",
        Confidence.PRODUCT,
    ),
    (
        "重大风险点应急处置卡培训",
        CourseTopic.EMERGENCY_CARD,
        12,
        "安委办〔2016〕11号: emergency cards at major risk points (domain-reference §2) [V]; "
        "yearly interval is a product default",
        Confidence.PRODUCT,
    ),
    (
        "新员工岗前安全培训",
        CourseTopic.INDUCTION,
        0,
        "domain-reference §4.6 F.3: new staff induction (岗前培训) before the first shift [M]",
        Confidence.COMMON,
    ),
]

# course name, applies to, post name, role, risk level, due within days, source
REQUIREMENTS: list[tuple[str, str, str, str, int | None, int, str]] = [
    ("消防安全培训", AppliesTo.EVERY_POST, "", "", None, 30, "issue 20: every post, fire safety yearly"),
    ("食品安全培训", AppliesTo.POST, "厨师", "", None, 30, "issue 20: kitchen posts, food safety"),
    ("燃气安全使用培训", AppliesTo.POST, "厨师", "", None, 30, "issue 20: kitchen posts, gas"),
    (
        "重大风险点应急处置卡培训",
        AppliesTo.RISK_LEVEL,
        "",
        "",
        1,
        30,
        "issue 20: posts at major-risk points, that point's emergency card",
    ),
    (
        "新员工岗前安全培训",
        AppliesTo.NEW_STAFF,
        "",
        "",
        None,
        0,
        "issue 20: induction before the first shift",
    ),
]

LETTER_PRINCIPLE = "谁主管谁负责、谁在岗谁负责、谁当班谁负责"
