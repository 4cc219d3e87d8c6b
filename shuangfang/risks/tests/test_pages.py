import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from PIL import Image

from shuangfang.core.models import AuditEntry, Job
from shuangfang.risks import inventory, services
from shuangfang.risks.choices import SEED_PALETTE
from shuangfang.risks.models import Assessment, ControlMeasure, HazardFactor, RiskPoint

from .fixtures import risk_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


def _xlsx(headers, rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("inv.xlsx", buf.getvalue())


def _row(**values):
    keys = [k for k, _l, _r in inventory.COLUMNS]
    return [values.get(k, "") for k in keys]


def test_officer_adds_a_point_and_assesses_it_through_the_pages(world, login):
    c = login(world.users["safety_officer"])
    r = c.post("/risks/points/new/", {"institution": world.inst_a.pk, "name": "配电室", "kind": "place"})
    assert r.status_code == 302
    point = RiskPoint.objects.get(name="配电室")
    r = c.post(
        f"/risks/points/{point.uuid}/factors/new/",
        {"description": "线路老化", "factor_class": "things", "accident_types": ["火灾", "触电"]},
    )
    factor = HazardFactor.objects.get(description="线路老化")
    page = c.get(f"/risks/factors/{factor.uuid}/assess/?method=lec").content.decode()
    assert "完全可以预料" in page and "连续暴露" in page  # the scales with their meanings
    r = c.post(
        f"/risks/factors/{factor.uuid}/assess/",
        {"method": "lec", "kind": "inherent", "scale_L": "6", "scale_E": "6", "scale_C": "15"},
    )
    assert r.status_code == 302
    a = Assessment.objects.get(factor=factor)
    assert (a.score, a.level, a.band, a.method.version) == (540, 1, "A", 1)
    assert a.assessed_by == world.users["safety_officer"]
    detail = c.get(f"/risks/points/{point.uuid}/").content.decode()
    assert "重大风险" in detail and "#d32f2f" in detail


def test_a_bad_assessment_shows_a_message_and_saves_nothing(world, login):
    rw = risk_world(world)
    c = login(world.users["safety_officer"])
    r = c.post(
        f"/risks/factors/{rw.factor.uuid}/assess/", {"method": "lec", "kind": "inherent", "scale_L": "6"}
    )
    assert r.status_code == 200
    assert "E" in r.content.decode()
    assert Assessment.objects.filter(factor=rw.factor).count() == 1


def test_api_refuses_a_score_outside_the_scale(world, login):
    rw = risk_world(world)
    c = login(world.users["safety_officer"])
    r = c.post(
        f"/api/v1/risks/factors/{rw.factor.uuid}/assessments",
        {"method": "ls_a", "inputs": {"L": 7, "S": 2}},
        content_type="application/json",
    )
    assert r.status_code == 400 and "L" in r.json()["detail"]
    assert Assessment.objects.filter(factor=rw.factor).count() == 1


def test_inventory_export_has_the_reference_columns_and_the_rows(world, login):
    rw = risk_world(world)
    r = login(world.users["staff"]).get("/risks/inventory/?export=xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    # The reference columns, then the loop's (risks.control): monitoring method, control status,
    # re-assessment.
    assert list(rows[0]) == inventory.headers() + ["监测监控方式", "管控状态", "重新评估"]
    assert rows[1][-3:] == ("未设置", "受控", None)
    assert "工程技术措施" in rows[0] and "管控层级" in rows[0] and "风险点名称" in rows[0]
    assert rows[1][3] == "厨房" and rows[1][7] == rw.factor.description
    assert "L=3 E=6 C=15" in rows[1] and "较大风险" in rows[1] and "橙" in rows[1]


def test_inventory_round_trip_import_updates_rather_than_duplicates(world):
    rw = risk_world(world)
    officer = world.users["safety_officer"]
    headers = inventory.headers()
    rows = list(inventory.export_rows(HazardFactor.objects.filter(pk=rw.factor.pk)))
    rows.append(
        _row(
            point="锅炉房",
            kind="场所/设施",
            factor="锅炉超压",
            factor_class="物",
            method="LEC",
            inputs="L=1 E=6 C=40",
            m_engineering="安全阀定期校验\n压力表校验",
            tier="部门\n部门",
            responsible="李四\n-",
            what_to_check="校验标签\n-",
        )
    )
    for _ in range(2):
        result = inventory.import_inventory(
            actor=officer, institution=world.inst_a, upload=_xlsx(headers, rows)
        )
        assert result.ok, result.errors
    assert RiskPoint.objects.filter(organization=world.inst_a).count() == 2
    assert HazardFactor.objects.filter(organization=world.inst_a).count() == 2
    assert ControlMeasure.objects.filter(organization=world.inst_a).count() == 3
    boiler = RiskPoint.objects.get(name="锅炉房")
    assert boiler.inherent_level == 2  # D = 240 → significant (band B)
    assert Assessment.objects.filter(factor__risk_point=boiler).count() == 1
    m = ControlMeasure.objects.get(description="安全阀定期校验")
    assert (m.tier, m.responsible_name, m.what_to_check) == ("department", "李四", "校验标签")


def test_import_with_bad_rows_changes_nothing_and_names_the_rows(world):
    risk_world(world)
    before = (RiskPoint.objects.count(), HazardFactor.objects.count(), Assessment.objects.count())
    rows = [
        _row(
            point="洗衣房",
            kind="场所/设施",
            factor="烘干机过热",
            factor_class="物",
            method="LEC",
            inputs="L=1 E=6 C=7",
        ),
        _row(
            point="车辆",
            kind="作业活动",
            factor="超速",
            factor_class="人",
            method="LEC",
            inputs="L=4 E=3 C=15",
        ),
        _row(
            point="电梯", kind="飞船", factor="困人", factor_class="物", method="LEC", inputs="L=1 E=6 C=15"
        ),
        _row(
            point="医务室",
            kind="场所/设施",
            factor="",
            factor_class="管理",
            method="LEC",
            inputs="L=1 E=6 C=7",
        ),
    ]
    result = inventory.import_inventory(
        actor=world.users["safety_officer"], institution=world.inst_a, upload=_xlsx(inventory.headers(), rows)
    )
    assert not result.ok
    assert [e.row for e in result.errors] == [3, 4, 5]
    assert (RiskPoint.objects.count(), HazardFactor.objects.count(), Assessment.objects.count()) == before


def test_import_with_wrong_columns_or_not_excel_is_refused(
    world, login, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    c = login(world.users["safety_officer"])
    url = reverse("core:import", kwargs={"name": "risks.inventory", "uuid": world.inst_a.uuid})
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(url, {"file": _xlsx(["名字", "年龄"], [["a", 1]])})
    body = c.get(r["Location"]).content.decode()
    assert "表格缺少列" in body and "风险点名称" in body
    job = Job.objects.get()
    assert job.status == Job.FAILED and not job.input  # the workbook is not kept
    r = c.post(url, {"file": SimpleUploadedFile("x.xlsx", b"not excel")})
    assert r.status_code == 400 and "Excel" in r.content.decode()
    assert not RiskPoint.objects.exists()


def test_the_inventory_imports_in_the_background_with_its_counts(
    world, login, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    risk_world(world)
    c = login(world.users["safety_officer"])
    choose = reverse("core:import_choose", args=["risks.inventory"])
    assert choose in c.get("/risks/inventory/").content.decode()
    url = reverse("core:import", kwargs={"name": "risks.inventory", "uuid": world.inst_a.uuid})
    template = c.get(url + "?template=1")
    wb = load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    assert [cell.value for cell in wb.worksheets[0][1]] == inventory.headers()
    row = _row(
        point="锅炉房",
        kind="场所/设施",
        factor="锅炉超压",
        factor_class="物",
        method="LEC",
        inputs="L=1 E=6 C=40",
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(url, {"file": _xlsx(inventory.headers(), [row])})
    body = c.get(r["Location"]).content.decode()
    assert "已导入 1 行" in body and "新增风险点 1 个" in body, body
    assert RiskPoint.objects.filter(name="锅炉房").exists()
    assert AuditEntry.objects.filter(action="core.import", note__startswith="risks.inventory").exists()


def _pdf_text(tmp_path, data: bytes) -> tuple[str, str]:
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return text, fonts


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed (CI installs it)")
@pytest.mark.parametrize("kind", ["post", "emergency"])
def test_cards_are_pdf_with_chinese_text_embedded(world, login, tmp_path, kind):
    rw = risk_world(world)
    r = login(world.users["staff"]).get(f"/risks/points/{rw.point.uuid}/card.pdf?kind={kind}")
    assert r["Content-Type"] == "application/pdf"
    text, fonts = _pdf_text(tmp_path, r.content)
    title = "岗位风险告知卡" if kind == "post" else "应急处置卡"
    assert title in text and "119" in text and "120" in text and "0371-1234567" in text
    assert "较大风险" in text
    if kind == "post":
        assert "燃气泄漏遇明火" in text and "安装可燃气体报警器" in text
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed (CI installs it)")
def test_post_card_and_inventory_pdf(world, login, tmp_path):
    risk_world(world)
    c = login(world.users["staff"])
    text, _fonts = _pdf_text(tmp_path, c.get(f"/risks/posts/{world.post_a.uuid}/card.pdf").content)
    assert "厨师" in text and "燃气泄漏遇明火" in text
    text, fonts = _pdf_text(tmp_path, c.get("/risks/inventory/?export=pdf").content)
    assert "安全风险分级管控清单" in text and "厨房" in text


def _png(w=400, h=300) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (240, 240, 240)).save(buf, format="PNG")
    return SimpleUploadedFile("plan.png", buf.getvalue(), content_type="image/png")


def test_map_upload_place_and_colour(world, login, media, tmp_path):
    rw = risk_world(world)
    c = login(world.users["safety_officer"])
    c.post(f"/risks/map/{rw.floor.uuid}/upload/", {"plan": _png()})
    rw.floor.refresh_from_db()
    assert rw.floor.plan
    c.post(f"/risks/map/{rw.floor.uuid}/place/", {"point": rw.point.uuid, "x": "0.25", "y": "0.5"})
    page = c.get(f"/risks/map/{rw.floor.uuid}/").content.decode()
    assert 'data-level="2"' in page and "left:25.0%" in page and "#f57c00" in page
    assert c.get(f"/risks/map/{rw.floor.uuid}/plan").status_code == 200
    if shutil.which("pdftotext"):
        text, _f = _pdf_text(tmp_path, c.get(f"/risks/map/{rw.floor.uuid}/map.pdf").content)
        assert "四色分布图" in text and "厨房" in text


def test_a_plan_that_is_not_a_picture_or_too_big_is_refused(world, login, media, monkeypatch):
    rw = risk_world(world)
    c = login(world.users["safety_officer"])
    r = c.post(
        f"/risks/map/{rw.floor.uuid}/upload/", {"plan": SimpleUploadedFile("p.png", b"%PDF-1.4")}, follow=True
    )
    assert "不是图片" in r.content.decode() or "not a picture" in r.content.decode()
    monkeypatch.setattr(services, "PLAN_MAX_BYTES", 100)
    r = c.post(f"/risks/map/{rw.floor.uuid}/upload/", {"plan": _png()}, follow=True)
    assert "上限" in r.content.decode() or "limit" in r.content.decode()
    rw.floor.refresh_from_db()
    assert not rw.floor.plan


def test_seed_palette_shows_a_notice(world, login):
    risk_world(world)
    services.set_palette(actor=world.users["admin"], bureau=world.bureau, colours=SEED_PALETTE)
    page = login(world.users["staff"]).get("/risks/inventory/").content.decode()
    assert "palette-notice" in page


def test_bureau_sees_the_distribution_read_only(world, login):
    risk_world(world)
    c = login(world.users["bureau_supervisor"])
    page = c.get("/risks/overview/").content.decode()
    assert "测试救助站" in page and "测试养老院" in page
    rw = risk_world(world)
    detail = c.get(f"/risks/points/{rw.point.uuid}/").content.decode()
    assert "燃气泄漏遇明火" in detail and "/edit/" not in detail


def test_list_queries_do_not_grow_with_rows(world, login, django_assert_max_num_queries):
    rw = risk_world(world)
    officer = world.users["safety_officer"]
    c = login(officer)
    with django_assert_max_num_queries(20) as small:
        c.get("/risks/inventory/")
    for i in range(15):
        p = services.create_risk_point(actor=officer, institution=world.inst_a, name=f"点{i}")
        services.add_factor(actor=officer, point=p, description="因素", factor_class="things")
    with django_assert_max_num_queries(len(small.captured_queries)):
        c.get("/risks/inventory/")
    with django_assert_max_num_queries(len(small.captured_queries) + 2):
        c.get("/risks/")
    del rw
