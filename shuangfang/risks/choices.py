"""Levels, colours and the small taxonomies of risk graded control: ONE source used by pages,
exports, PDFs and the four-colour map.

Other apps reuse :class:`RiskLevel` and :func:`level_colour` (``level_colour(level, bureau)``).
Palettes are data: the national red/orange/yellow/blue scheme (domain-reference §2.5) unless the
bureau (or a bureau above the institution) stored its own :class:`~shuangfang.risks.models.LevelPalette`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RiskLevel(models.IntegerChoices):
    MAJOR = 1, _("Major risk")
    SIGNIFICANT = 2, _("Significant risk")
    GENERAL = 3, _("General risk")
    LOW = 4, _("Low risk")


# Source: 安委办〔2016〕11号 opinion on the dual prevention mechanism, domain-reference §2.5 [V].
NATIONAL_PALETTE: dict[int, str] = {1: "#d32f2f", 2: "#f57c00", 3: "#fbc02d", 4: "#1e88e5"}
NATIONAL_NAMES: dict[int, str] = {1: "红", 2: "橙", 3: "黄", 4: "蓝"}
# The seed article's bureau: 红、蓝、黄、绿 in the order written (domain-reference §2.6: no
# authoritative source uses it; allowed, with a notice).
SEED_PALETTE: dict[int, str] = {1: "#d32f2f", 2: "#1e88e5", 3: "#fbc02d", 4: "#43a047"}
SEED_NAMES: dict[int, str] = {1: "红", 2: "蓝", 3: "黄", 4: "绿"}


def default_colour_name(level: int, colour: str) -> str:
    """The name a level's colour gets when none is given: the national name only for the national
    colour itself (a custom green level 4 is never called 蓝); otherwise none."""
    return NATIONAL_NAMES[level] if colour.lower() == NATIONAL_PALETTE[level].lower() else ""


# Action guidance shown beside each level (Sinopec rules relayed in domain-reference §2.5).
LEVEL_GUIDANCE = {
    1: _("Unacceptable: must be reduced before work continues; controlled by the institution."),
    2: _("Must be reduced; controlled by the department."),
    3: _("Reduce as far as reasonably practicable; controlled by the team."),
    4: _("Keep the existing controls effective; controlled at the post."),
}


@dataclass(frozen=True)
class Palette:
    colours: dict[int, str]
    names: dict[int, str]
    is_national: bool
    owner: str = ""

    def colour(self, level: int | None) -> str:
        return self.colours.get(int(level), "#9e9e9e") if level else "#9e9e9e"

    def name(self, level: int | None) -> str:
        return self.names.get(int(level), "") if level else ""

    def text_colour(self, level: int | None) -> str:
        """Black or white text, whichever reads on the level colour."""
        hexa = self.colour(level).lstrip("#")
        r, g, b = (int(hexa[i : i + 2], 16) for i in (0, 2, 4))
        return "#212121" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "#ffffff"

    def legend(self) -> list[dict]:
        return [
            {
                "level": lv.value,
                "label": lv.label,
                "colour": self.colour(lv.value),
                "name": self.name(lv.value),
                "text": self.text_colour(lv.value),
            }
            for lv in RiskLevel
        ]


NATIONAL = Palette(NATIONAL_PALETTE, NATIONAL_NAMES, True)


def palette_for(org) -> Palette:
    """The palette in force at ``org`` (an institution or a bureau): the nearest bureau above it
    (or itself) that stored one, else the national scheme."""
    if org is None:
        return NATIONAL
    from .models import LevelPalette

    row = (
        LevelPalette.objects.filter(organization_id__in=org.ancestor_ids)
        .select_related("organization")
        .order_by("-organization__depth")
        .first()
    )
    if row is None:
        return NATIONAL
    colours = {int(k): v for k, v in row.colours.items()}
    names = {int(k): v for k, v in row.names.items()}
    national = colours == NATIONAL_PALETTE
    return Palette(colours, names, national, row.organization.name)


def level_colour(level: int | None, bureau=None) -> str:
    """The hex colour of ``level`` under ``bureau``'s palette (or any organisation below it)."""
    return palette_for(bureau).colour(level)


def level_label(level: int | None) -> str:
    return str(RiskLevel(level).label) if level else ""


class PointKind(models.TextChoices):
    PLACE = "place", _("Place / facility")
    ACTIVITY = "activity", _("Work activity")
    SERVICE = "service", _("Service activity")


class FactorClass(models.TextChoices):
    """GB/T 13861-2022 top-level classes (domain-reference §2.4)."""

    PEOPLE = "people", pgettext_lazy("factor", "People")
    THINGS = "things", _("Things")
    ENVIRONMENT = "environment", _("Environment")
    MANAGEMENT = "management", _("Management")


class AssessmentKind(models.TextChoices):
    INHERENT = "inherent", _("Inherent risk")
    RESIDUAL = "residual", _("Residual risk")


class MeasureCategory(models.TextChoices):
    """Five categories of control measures (domain-reference §2.7)."""

    ENGINEERING = "engineering", _("Engineering measures")
    MANAGEMENT = "management", _("Management measures")
    TRAINING = "training", _("Training measures")
    PROTECTION = "protection", _("Personal protection")
    EMERGENCY = "emergency", _("Emergency measures")


class ControlTier(models.TextChoices):
    """Control levels (domain-reference §2.8)."""

    INSTITUTION = "institution", pgettext_lazy("control tier", "Institution")
    DEPARTMENT = "department", pgettext_lazy("control tier", "Department")
    TEAM = "team", pgettext_lazy("control tier", "Team")
    POST = "post", pgettext_lazy("control tier", "Post")


# Default control tier by risk level (vendor default mapping, domain-reference §2.8 [V]).
DEFAULT_TIER: dict[int, str] = {
    1: ControlTier.INSTITUTION,
    2: ControlTier.DEPARTMENT,
    3: ControlTier.TEAM,
    4: ControlTier.POST,
}


def default_tier(level: int | None) -> str:
    return DEFAULT_TIER.get(level or 4, ControlTier.POST)


# Accident types: GB 6441-1986 (20 classes, [M]) and service-safety events (GB 38600-2019) and public
# health events, tagged by source (domain-reference §2.4).
GB6441 = "GB 6441-1986"
GB38600 = "GB 38600-2019"
PUBLIC_HEALTH = "public health"
ACCIDENT_TYPES: list[tuple[str, str]] = (
    [
        (name, GB6441)
        for name in (
            "物体打击",
            "车辆伤害",
            "机械伤害",
            "起重伤害",
            "触电",
            "淹溺",
            "灼烫",
            "火灾",
            "高处坠落",
            "坍塌",
            "冒顶片帮",
            "透水",
            "放炮",
            "火药爆炸",
            "瓦斯爆炸",
            "锅炉爆炸",
            "容器爆炸",
            "其它爆炸",
            "中毒和窒息",
            "其它伤害",
        )
    ]
    + [(name, GB38600) for name in ("噎食", "跌倒", "坠床", "走失", "烫伤", "压疮", "误食", "他伤", "自伤")]
    + [(name, PUBLIC_HEALTH) for name in ("食物中毒", "传染病")]
)
ACCIDENT_TYPE_NAMES = [n for n, _s in ACCIDENT_TYPES]
# The English column of this seeded list (the Chinese name is the stored value).
ACCIDENT_TYPES_EN = {
    "物体打击": "struck by object",
    "车辆伤害": "vehicle injury",
    "机械伤害": "machinery injury",
    "起重伤害": "lifting injury",
    "触电": "electric shock",
    "淹溺": "drowning",
    "灼烫": "burns and scalds",
    "火灾": "fire",
    "高处坠落": "fall from height",
    "坍塌": "collapse",
    "冒顶片帮": "roof or wall fall",
    "透水": "water inrush",
    "放炮": "blasting",
    "火药爆炸": "explosive blast",
    "瓦斯爆炸": "gas explosion",
    "锅炉爆炸": "boiler explosion",
    "容器爆炸": "vessel explosion",
    "其它爆炸": "other explosion",
    "中毒和窒息": "poisoning and suffocation",
    "其它伤害": "other injury",
    "噎食": "choking",
    "跌倒": "fall",
    "坠床": "fall from bed",
    "走失": "going missing",
    "烫伤": "scald",
    "压疮": "pressure sore",
    "误食": "swallowing something harmful",
    "他伤": "injury by another person",
    "自伤": "self-harm",
    "食物中毒": "food poisoning",
    "传染病": "infectious disease",
}
SOURCE_LABELS = {PUBLIC_HEALTH: _("public health")}


def accident_type_label(name: str, source: str = "") -> str:
    """``食物中毒（公共卫生）`` / ``food poisoning (public health)``: the reader's language."""
    from shuangfang.core import seedtext

    tag = str(SOURCE_LABELS.get(source, source))
    if seedtext.english():
        text = ACCIDENT_TYPES_EN.get(name, name)
        return f"{text} ({tag})" if tag else text
    return f"{name}（{tag}）" if tag else name
