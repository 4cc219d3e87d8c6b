"""Demo data: each of the demo city's four institutions adopts its starter library, gets a floor plan
(drawn here) with its places on it, a residual assessment or two and one overdue review. The district
bureau uses the seed article's red / blue / yellow / green palette (shown with a notice). Idempotent."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from shuangfang.core.demo import register
from shuangfang.orgs.models import OrgKind

from . import services
from .choices import SEED_NAMES, SEED_PALETTE
from .models import AssessmentMethod, Floor, LevelPalette, RiskPoint

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
# Rooms of the demo ground floor: (name on the plan, box in a 1000×600 drawing, risk point it holds)
ROOMS = [
    ("厨房", (20, 20, 300, 250), "厨房"),
    ("调压间", (300, 20, 420, 130), "燃气调压间"),
    ("配电室", (300, 130, 420, 250), "配电室"),
    ("锅炉房", (420, 20, 580, 250), "锅炉房"),
    ("洗衣房", (580, 20, 760, 250), "洗衣房"),
    ("医务室", (760, 20, 980, 250), "医务室"),
    ("居室", (20, 330, 420, 580), "居室（宿舍）"),
    ("接待大厅", (420, 330, 760, 580), "接待大厅及安检区"),
    ("电梯", (760, 330, 980, 580), "电梯"),
]


def plan_image() -> SimpleUploadedFile:
    img = Image.new("RGB", (1000, 600), (250, 250, 247))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONT), 26) if FONT.exists() else ImageFont.load_default()
    draw.rectangle((5, 5, 995, 595), outline=(40, 40, 40), width=6)
    draw.rectangle((20, 265, 980, 315), fill=(230, 230, 225))
    draw.text((440, 275), "走廊", fill=(90, 90, 90), font=font)
    for label, box, _point in ROOMS:
        draw.rectangle(box, outline=(60, 60, 60), width=3)
        draw.text((box[0] + 12, box[1] + 10), label, fill=(50, 50, 50), font=font)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return SimpleUploadedFile("plan.png", buf.getvalue(), content_type="image/png")


@register(30, "risks")
def build(city) -> None:
    system = city.system
    district = city.district
    if not LevelPalette.objects.filter(organization=district).exists():
        services.set_palette(
            actor=system, bureau=district, colours=SEED_PALETTE, names=SEED_NAMES, note="seed article"
        )
    lec = AssessmentMethod.objects.get(code="lec", is_current=True)
    for inst in city.institutions.values():
        if inst.kind != OrgKind.INSTITUTION:
            continue
        for entry in services.library_for(inst, inst.institution_type):
            if not RiskPoint.objects.filter(organization=inst, name=entry.name).exists():
                services.adopt_library_entry(actor=system, institution=inst, entry=entry)
        floor = Floor.objects.filter(organization=inst, building="综合楼", name="1F").first()
        if floor is None:
            floor = services.create_floor(
                actor=system, institution=inst, building="综合楼", name="1F", plan=plan_image()
            )
        for _label, (x0, y0, x1, y1), point_name in ROOMS:
            point = RiskPoint.objects.filter(organization=inst, name=point_name).first()
            if point is not None and point.floor_id is None:
                services.place_point(
                    actor=system, point=point, floor=floor, x=(x0 + x1) / 2000, y=(y0 + y1) / 1200
                )
        # The kitchen's gas factor after its alarm and shut-off valve: a residual assessment.
        kitchen = RiskPoint.objects.filter(organization=inst, name="厨房").first()
        if kitchen is not None:
            gas = kitchen.factors.filter(description="燃气泄漏遇明火").first()
            if gas is not None and gas.residual_level is None:
                services.assess(
                    actor=system,
                    factor=gas,
                    method=lec,
                    inputs={"L": 1, "E": 6, "C": 15},
                    kind="residual",
                    basis="已安装报警器和紧急切断阀",
                )
        laundry = RiskPoint.objects.filter(organization=inst, name="洗衣房").first()
        if laundry is not None and laundry.reviewed_on is None:
            RiskPoint.objects.filter(pk=laundry.pk).update(
                next_review_on=timezone.localdate() - dt.timedelta(days=12)
            )
