"""Demo hazards for the demo city: a few in every state, so the pages are not empty. Idempotent
(each demo hazard carries an ``origin`` of ``demo:<key>``)."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from shuangfang.core.demo import register
from shuangfang.core.vocabulary import CheckCategory, HazardGrade

from . import services
from .choices import Source
from .models import Hazard

STATION = "汴州市救助管理站"
HOME = "汴州市第一养老院"
FUSHOU = "东城区福寿养老院"


def _photo(color: tuple[int, int, int], label: str) -> SimpleUploadedFile:
    img = Image.new("RGB", (640, 480), color)
    draw = ImageDraw.Draw(img)
    draw.rectangle((40, 40, 600, 440), outline=(255, 255, 255), width=8)
    draw.text((60, 60), label, fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, format="JPEG")
    return SimpleUploadedFile(f"{label}.jpg", buf.getvalue(), content_type="image/jpeg")


def _before() -> SimpleUploadedFile:
    return _photo((176, 58, 46), "before")


def _after() -> SimpleUploadedFile:
    return _photo((46, 125, 50), "after")


# key, institution, reporter, description, location, source, category, what happens next
PLAN = [
    (
        "1",
        STATION,
        "yangfan",
        "厨房灭火器压力表指针在红区",
        "后勤保障科 厨房",
        Source.SNAP,
        CheckCategory.FIRE,
        "closed",
    ),
    (
        "2",
        STATION,
        "huanglei",
        "大门监控摄像头夜间无画面",
        "大门岗亭",
        Source.ROUTINE,
        CheckCategory.SECURITY,
        "rectifying",
    ),
    (
        "3",
        STATION,
        "zhouyong",
        "配电箱内线路老化、有焦痕",
        "一号楼配电室",
        Source.SPECIALIST,
        CheckCategory.UTILITIES,
        "major",
    ),
    (
        "4",
        STATION,
        "wumin",
        "二楼疏散通道堆放被褥",
        "宿舍楼二层",
        Source.SNAP,
        CheckCategory.FIRE,
        "reported",
    ),
    (
        "5",
        STATION,
        "yangfan",
        "冷库温度计损坏",
        "后勤保障科 冷库",
        Source.SNAP,
        CheckCategory.FOOD,
        "pending",
    ),
    (
        "6",
        STATION,
        "xuliang",
        "安全出口指示灯不亮",
        "宿舍楼一层",
        Source.HOLIDAY,
        CheckCategory.FIRE,
        "overdue",
    ),
    (
        "7",
        HOME,
        "zhuhongmei",
        "卫生间扶手松动",
        "护理部 3 楼卫生间",
        Source.SNAP,
        CheckCategory.SERVICE,
        "rectifying",
    ),
    (
        "8",
        HOME,
        "guotao",
        "燃气报警器未通电",
        "后勤部 厨房",
        Source.ROUTINE,
        CheckCategory.UTILITIES,
        "reported",
    ),
    (
        "9",
        FUSHOU,
        "linxue",
        "消防控制室无人值守",
        "消防控制室",
        Source.BUREAU,
        CheckCategory.FIRE,
        "supervised",
    ),
]

OFFICER = {STATION: "liuyang", HOME: "machao", FUSHOU: "gaopeng"}
HEAD = {STATION: "zhangwei", HOME: "sunli", FUSHOU: "hefang"}
RESPONSIBLE = {STATION: "zhouyong", HOME: "guotao", FUSHOU: "linxue"}


@register(50, "hazards")
def build(city) -> None:
    today = timezone.localdate()
    people = city.people
    for key, inst_name, reporter, description, location, source, category, fate in PLAN:
        origin = f"demo:{key}"
        if Hazard.objects.filter(origin=origin).exists():
            continue
        inst = city.institutions[inst_name]
        officer, head = people[OFFICER[inst_name]], people[HEAD[inst_name]]
        fixer = people[RESPONSIBLE[inst_name]]
        h = services.report_hazard(
            actor=people[reporter],
            organization=inst,
            description=description,
            location=location,
            source=source,
            category=category,
            origin=origin,
            photos=[_before()],
        )
        common = {"grade": HazardGrade.GENERAL, "category": category, "cause": "日常检查不到位"}
        if fate in ("rectifying", "pending", "closed", "overdue", "supervised"):
            services.assign(
                actor=officer,
                hazard=h,
                responsible=fixer,
                measures="按要求维修或更换",
                deadline=today + dt.timedelta(days=7),
                funds=500,
                **common,
            )
        if fate in ("pending", "closed"):
            services.submit_for_acceptance(
                actor=fixer,
                hazard=h,
                fix_note="已维修并试用正常",
                photos=[_after()],
                preventive_measures="纳入每日巡查清单，责任人每日检查并签字",
            )
        if fate == "closed":
            services.accept(actor=head, hazard=h, comment="现场复查合格")
        if fate == "overdue":
            Hazard.objects.filter(pk=h.pk).update(deadline=today - dt.timedelta(days=3))
        if fate == "major":
            services.confirm_major(
                actor=officer,
                hazard=h,
                category=category,
                cause="线路超期使用",
                interim_measures="断开该回路，设置警示标志，每 2 小时巡查",
            )
        if fate == "supervised":
            services.supervise(
                actor=people["zhaozhiqiang"],
                hazard=h,
                deadline=today + dt.timedelta(days=5),
                requirements="5 日内落实 24 小时值守并报送整改材料",
            )
