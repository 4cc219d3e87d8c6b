"""Readiness objects in the personas' world, built with the services and cached on the world."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shuangfang.readiness import attachments, drills, letters, training
from shuangfang.readiness.choices import LetterLevel
from shuangfang.readiness.models import Attachment, Course, Drill, Letter, LetterTemplate, Session

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, h: int = 9, mi: int = 0, s: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, s, tzinfo=SH)


def _cached(w, name, make):
    if name not in w.__dict__:
        w.__dict__[name] = make()
    return w.__dict__[name]


def defaults(w) -> None:
    _cached(w, "rd_defaults", lambda: training.install_defaults(actor=w.root, bureau=w.bureau))


def fire_course(w) -> Course:
    defaults(w)
    return Course.objects.get(organization=w.bureau, name="消防安全培训")


def session_a(w, **kw) -> Session:
    def make():
        return training.create_session(
            actor=w.users["safety_officer"],
            institution=w.inst_a,
            course=fire_course(w),
            title="消防安全知识培训",
            starts_at=at(2026, 3, 10, 9),
            ends_at=at(2026, 3, 10, 11),
            trainer="市消防救援支队",
            questions=[("灭火器压力表指针应在？", ["红区", "绿区", "黄区"], 2)],
            pass_mark=60,
        )

    return _cached(w, "rd_session", make)


def drill_a(w) -> Drill:
    return _cached(
        w,
        "rd_drill",
        lambda: drills.plan_drill(
            actor=w.users["safety_officer"],
            institution=w.inst_a,
            title="春季消防疏散演练",
            planned_on=dt.date(2026, 3, 20),
            building="综合楼",
        ),
    )


def template_b(w, level=LetterLevel.POST_HOLDER) -> LetterTemplate:
    return _cached(
        w,
        f"rd_template_{level}",
        lambda: letters.save_template(
            actor=w.root,
            organization=w.bureau,
            level=level,
            title="岗位安全责任书",
            principle="谁主管谁负责、谁在岗谁负责、谁当班谁负责",
            duties="遵守安全操作规程\n发现隐患及时报告",
        ),
    )


def letter_a(w) -> Letter:
    """The cook's letter at institution A (post holder level)."""

    def make():
        made = letters.generate_letters(
            actor=w.users["institution_head"], template=template_b(w), institution=w.inst_a, year=2026
        )
        return next(x for x in made if x.holder_id == w.users["staff"].pk)

    return _cached(w, "rd_letter", make)


def plan_a(w):
    from shuangfang.readiness import emergency

    return _cached(
        w,
        "rd_plan",
        lambda: emergency.create_plan(
            actor=w.users["safety_officer"],
            institution=w.inst_a,
            kind="special",
            topic="fire",
            title="火灾事故专项应急预案",
            owner=w.users["safety_officer"],
            content="一、总则\n二、应急组织机构及职责",
            phone_tree="总指挥 | head_a | 13900000000\n疏散引导组 | depthead_a | 13900000002",
            review_on=dt.date(2026, 3, 20),
        ),
    )


def supply_a(w):
    from shuangfang.readiness import emergency

    return _cached(
        w,
        "rd_supply",
        lambda: emergency.create_supply(
            actor=w.users["safety_officer"],
            institution=w.inst_a,
            kind="micro_fire_station",
            name="防毒面具",
            place="微型消防站",
            unit="个",
            quantity=10,
            minimum=8,
            expires_on=dt.date(2026, 3, 15),
        ),
    )


def meeting_a(w):
    from shuangfang.readiness import bureau

    return _cached(
        w,
        "rd_meeting",
        lambda: bureau.record_meeting(
            actor=w.users["bureau_supervisor"],
            organization=w.bureau,
            title="一季度分析研判会",
            held_on=dt.date(2026, 3, 1),
            period_start=dt.date(2026, 2, 1),
            period_end=dt.date(2026, 3, 1),
            decisions="加强消防培训",
            follow_ups=[("督导培训", w.users["bureau_supervisor"], dt.date(2026, 3, 31))],
        ),
    )


def receipt_a(w):
    from shuangfang.readiness import bureau

    def make():
        notice = bureau.send_notice(
            actor=w.users["bureau_supervisor"], bureau=w.bureau, title="责任告知", body="内容"
        )
        return notice.receipts.get(organization=w.inst_a)

    return _cached(w, "rd_receipt", make)


def jpeg(name: str = "drill.jpg") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 60, 40)).save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def pdf(name: str = "教材.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%fake but starts like one\n", content_type="application/pdf")


def drill_photo_a(w) -> Attachment:
    return _cached(
        w,
        "rd_drill_photo",
        lambda: attachments.add_drill_photo(actor=w.users["safety_officer"], drill=drill_a(w), upload=jpeg()),
    )


def material_a(w) -> Attachment:
    return _cached(
        w,
        "rd_material",
        lambda: attachments.add_session_material(
            actor=w.users["safety_officer"], session=session_a(w), upload=pdf()
        ),
    )


def certificate_a(w):
    """The cook's 消防设施操作员 certificate at institution A, with a photo."""
    return _cached(
        w,
        "rd_certificate",
        lambda: training.add_certificate(
            actor=w.users["safety_officer"],
            institution=w.inst_a,
            person=w.users["staff"],
            name="消防设施操作员",
            issued_on=dt.date(2023, 4, 1),
            expires_on=dt.date(2028, 4, 1),
            photo=jpeg("证书.jpg"),
        ),
    )
