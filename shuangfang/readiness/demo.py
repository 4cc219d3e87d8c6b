"""Demo readiness: the default courses at the city bureau (courses due for everyone), a fire
training session with QR sign-in at the elderly home, a fire drill at the relief station with an
improvement that became a hazard, and post-holder letters at the relief station partly signed."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone

from shuangfang.core.demo import register

from . import bureau, drills, emergency, letters, training
from .choices import AccountabilityKind, LetterLevel, StepKind
from .defaults import LETTER_PRINCIPLE
from .models import (
    Accountability,
    BureauNotice,
    Course,
    Drill,
    EmergencyPlan,
    LetterTemplate,
    Meeting,
    Session,
    SpotCheckRule,
    Supply,
)

STATION = "汴州市救助管理站"
HOME = "汴州市第一养老院"

POST_DUTIES = "\n".join(
    [
        "遵守本岗位安全操作规程，持证上岗",
        "每班开展岗位安全检查，发现隐患立即报告并做好记录",
        "掌握本岗位风险点的管控措施和应急处置卡",
        "按要求参加安全培训和应急演练",
    ]
)
DEPT_DUTIES = "\n".join(
    [
        "组织本部门安全检查和隐患整改",
        "落实本部门风险点的管控措施",
        "组织本部门人员参加安全培训",
    ]
)


def _signature() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (320, 120), (0, 0, 0, 0))
    ImageDraw.Draw(img).line(
        [(20, 80), (90, 30), (150, 85), (220, 35), (300, 70)], fill=(13, 27, 42, 255), width=4
    )
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


@register(60, "readiness")
def build(city) -> None:
    system = city.system
    training.install_defaults(actor=system, bureau=city.city)
    _session(city)
    _drill(city)
    _letters(city)
    _plans_and_supplies(city)
    _five_systems(city)


def _session(city) -> None:
    home = city.institutions[HOME]
    if Session.objects.filter(organization=home).exists():
        return
    start = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0)
    session = training.create_session(
        actor=city.people["machao"],
        institution=home,
        course=Course.objects.get(organization=city.city, name="消防安全培训"),
        title="消防安全“四个能力”培训",
        trainer="市消防救援支队 王教官",
        place="一楼多功能厅",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        materials="灭火器使用方法\n疏散引导要点",
        pass_mark=60,
        questions=[
            ("发现火情第一步应当？", ["继续工作", "立即报警并组织疏散", "先拍照"], 2),
            ("灭火器压力表指针应在？", ["红区", "绿区", "黄区"], 2),
        ],
    )
    training.mark_attendance(actor=city.people["machao"], session=session, people=[city.people["hujun"]])


def _drill(city) -> None:
    station = city.institutions[STATION]
    if Drill.objects.filter(organization=station).exists():
        return
    officer = city.people["liuyang"]
    day = timezone.localdate() - dt.timedelta(days=20)
    drill = drills.plan_drill(
        actor=officer,
        institution=station,
        title="消防疏散演练",
        planned_on=day,
        building="受助人员生活楼",
        scenario="二楼储物间起火，烟感报警，组织受助人员从东西两侧楼梯疏散至前院集合点",
    )
    tz = timezone.get_current_timezone()
    t0 = dt.datetime.combine(day, dt.time(9, 30), tzinfo=tz)
    drills.record_drill(
        actor=officer,
        drill=drill,
        started_at=t0,
        ended_at=t0 + dt.timedelta(minutes=25),
        steps=[
            drills.Step(t0 + dt.timedelta(minutes=1), StepKind.ALARM, "二楼烟感报警，值班员确认火情"),
            drills.Step(t0 + dt.timedelta(minutes=2), StepKind.OTHER, "微型消防站人员到场"),
            drills.Step(t0 + dt.timedelta(minutes=5, seconds=40), StepKind.EVACUATED, "人员全部到达集合点"),
        ],
        participants=[city.people[u] for u in ("xuliang", "huanglei", "wumin", "yangfan")],
        others=46,
    )
    drills.evaluate_drill(
        actor=officer,
        drill=drill,
        evaluation="疏散总体有序，用时 4 分 40 秒；西侧楼梯疏散指示标志不亮，清点人数较慢。",
        improvements=["西侧楼梯疏散指示标志不亮，需维修"],
    )


def _letters(city) -> None:
    station = city.institutions[STATION]
    year = timezone.localdate().year
    post = _template(city, LetterLevel.POST_HOLDER, "岗位安全生产责任书", POST_DUTIES)
    dept = _template(city, LetterLevel.DEPARTMENT_HEAD, "部门安全生产责任书", DEPT_DUTIES)
    head = city.people["zhangwei"]
    made = letters.generate_letters(actor=head, template=post, institution=station, year=year)
    made += letters.generate_letters(actor=head, template=dept, institution=station, year=year)
    for letter in made:
        if letter.holder.username in ("yangfan", "huanglei", "chenjing"):
            letters.sign_letter(actor=letter.holder, letter=letter, png=_signature())


def _template(city, level: str, title: str, duties: str) -> LetterTemplate:
    found = LetterTemplate.objects.filter(organization=city.city, level=level).first()
    if found is not None:
        return found
    return letters.save_template(
        actor=city.system,
        organization=city.city,
        level=level,
        title=title,
        principle=LETTER_PRINCIPLE,
        duties=duties,
    )


def _plans_and_supplies(city) -> None:
    station = city.institutions[STATION]
    officer = city.people["liuyang"]
    if not EmergencyPlan.objects.filter(organization=station).exists():
        emergency.create_plan(
            actor=officer,
            institution=station,
            kind="special",
            topic="fire",
            title="火灾事故专项应急预案",
            owner=officer,
            content="一、总则\n二、应急组织机构及职责\n三、预警与报告\n四、应急响应与疏散\n五、后期处置",
            phone_tree="\n".join(
                [
                    "总指挥 | 张伟 | 13803710011",
                    "现场指挥 | 刘洋 | 13803710012",
                    "疏散引导组 | 徐亮 | 13803710018",
                ]
            ),
            review_on=timezone.localdate() + dt.timedelta(days=20),
        )
    if Supply.objects.filter(organization=station).exists():
        return
    for kind, name, place, unit, qty, minimum, days in [
        ("micro_fire_station", "防毒面具", "微型消防站", "个", 6, 10, 400),
        ("micro_fire_station", "干粉灭火器 4kg", "微型消防站", "具", 12, 8, 300),
        ("protective", "医用外科口罩", "物资仓库", "盒", 40, 20, 25),
        ("first_aid", "急救箱", "医务室", "个", 2, 2, None),
    ]:
        emergency.create_supply(
            actor=officer,
            institution=station,
            kind=kind,
            name=name,
            place=place,
            unit=unit,
            quantity=qty,
            minimum=minimum,
            expires_on=timezone.localdate() + dt.timedelta(days=days) if days else None,
        )


def _five_systems(city) -> None:
    supervisor = city.people["lixiuying"]
    if not SpotCheckRule.objects.filter(organization=city.city, inspector__isnull=False).exists():
        bureau.save_spot_rule(
            actor=supervisor,
            bureau=city.city,
            per_quarter=1,
            low_score_below=60,
            low_score_per_quarter=2,
            source="市民政局安全生产“五项制度”：每季度对每个机构至少抽查一次，考核低分机构加密抽查",
            inspector=supervisor,
        )
    _spot_check_tasks(city, supervisor)
    if not BureauNotice.objects.filter(organization=city.city).exists():
        notice = bureau.send_notice(
            actor=supervisor,
            bureau=city.city,
            title="汛期安全生产责任告知书",
            body="进入汛期，请各机构落实主体责任，排查房屋、用电、消防隐患，做好防汛物资储备和人员转移预案。",
        )
        station = city.institutions[STATION]
        bureau.acknowledge(actor=city.people["zhangwei"], receipt=notice.receipts.get(organization=station))
    if not Meeting.objects.filter(organization=city.city).exists():
        today = timezone.localdate()
        end = today.replace(day=1)
        start = (end - dt.timedelta(days=1)).replace(day=1)
        bureau.record_meeting(
            actor=supervisor,
            organization=city.city,
            title=f"{start.month} 月安全形势分析研判会",
            held_on=today,
            period_start=start,
            period_end=end,
            attendees="局分管领导、各机构负责人",
            decisions="一、逾期隐患由机构负责人限期整改；二、未完成消防演练的机构本月内完成。",
            follow_ups=[("督导救助管理站疏散指示标志整改", supervisor, today + dt.timedelta(days=14))],
        )
    if not Accountability.objects.filter(organization__in=city.institutions.values()).exists():
        # A reward with points: the demo city's scheme counts rewards and penalties (assessment demo).
        bureau.record_accountability(
            actor=supervisor,
            institution=city.institutions[STATION],
            kind=AccountabilityKind.REWARD,
            description="消防疏散演练组织有序，用时较上次缩短（演示记录）",
            points=Decimal(2),
        )


def _spot_check_tasks(city, supervisor) -> None:
    """The quarter's spot-check tasks for the bureau's inspector (the relief station, inspected
    yesterday by the inspections demo, may need none), and one of them done: the bureau inspects
    the elderly home, which closes its task."""
    from shuangfang.inspections.choices import Result, TaskStatus
    from shuangfang.inspections.models import Checklist, Task
    from shuangfang.inspections.records import Answer, bureau_inspect
    from shuangfang.inspections.taskflow import spot_key

    bureau.plan_spot_tasks(city.city, actor=supervisor)  # once a quarter: a rerun makes nothing
    home = city.institutions[HOME]
    spot = Task.objects.filter(organization=home, plan__isnull=True, place_key=spot_key(city.city.pk))
    checklist = Checklist.objects.filter(organization=city.city, kind="bureau", is_active=True).first()
    if checklist is None or spot.filter(status=TaskStatus.DONE).exists():
        return
    now = timezone.now()
    if not spot.filter(status=TaskStatus.OPEN, window_start__lte=now, window_end__gt=now).exists():
        return
    bureau_inspect(
        actor=supervisor,
        institution=home,
        checklist=checklist,
        answers=[Answer(str(i.uuid), Result.OK) for i in checklist.items.filter(is_active=True)],
        note="定期抽查：未发现问题",
        now=now,
    )
