import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shuangfang.core.vocabulary import CheckCategory
from shuangfang.inspections.checklists import create_checklist, create_checkpoint
from shuangfang.inspections.choices import AssigneeKind, ChecklistKind
from shuangfang.inspections.plans import create_plan

TZ = ZoneInfo("Asia/Shanghai")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


def jpeg(name: str = "p.jpg", size=(800, 600)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format="JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _seed(request):
    """Transactional tests (browser journeys) flush the migration's seed rows: load them again."""
    if "db" in request.fixturenames or "world" in request.fixturenames:
        from shuangfang.inspections import seed

        request.getfixturevalue("db")
        seed.load(only_if_missing=True)


@pytest.fixture
def setup(world, settings, tmp_path):
    """Institution A: a kitchen checklist of 3 library items, a checkpoint, a daily plan for the
    cook's post (08:00, 2-hour window)."""
    settings.MEDIA_ROOT = tmp_path
    officer = world.users["safety_officer"]
    checklist = create_checklist(
        actor=officer,
        organization=world.inst_a,
        name="厨房岗位检查",
        kind=ChecklistKind.POST,
        category=CheckCategory.FOOD,
        library_codes=["C03", "C04", "A04"],
    )
    cp = create_checkpoint(
        actor=officer, organization=world.inst_a, name="厨房", building="1号楼", floor="1层"
    )
    plan = create_plan(
        actor=officer,
        organization=world.inst_a,
        name="厨房每日检查",
        checklist=checklist,
        frequency="daily",
        rule={"time": "08:00", "window_minutes": 120},
        assignee_kind=AssigneeKind.POST,
        assignee_post=world.post_a,
        checkpoints=[cp],
    )
    return {"checklist": checklist, "checkpoint": cp, "plan": plan, "officer": officer}


@pytest.fixture(autouse=True)
def _english():
    """Service messages are asserted in English here (the Chinese ones are checked in the browser)."""
    from django.utils import translation

    with translation.override("en"):
        yield
