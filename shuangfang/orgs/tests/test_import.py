"""People imported from Excel through the shared background import (``core.importing``): all rows
or none, every mistake by row and column in Chinese, the initial passwords shown to the importer
only, once, and kept nowhere else."""

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from shuangfang.core.models import AuditEntry, Job, OutboxEvent
from shuangfang.orgs.models import User

HEADER = ["登录名", "姓名", "手机号", "邮箱", "部门", "角色", "岗位", "有效期至", "初始密码"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def xlsx(rows, header=HEADER) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("people.xlsx", buf.getvalue(), content_type="application/octet-stream")


def _url(world) -> str:
    return reverse("core:import", kwargs={"name": "orgs.people", "uuid": world.inst_a.uuid})


def post(client, world, upload, capture):
    """The upload, the job run (as a worker would), then the job's page: (job, page text)."""
    with capture(execute=True):
        r = client.post(_url(world), {"file": upload})
    assert r.status_code == 302, r.content.decode()[:500]
    job = Job.objects.order_by("-pk")[0]
    return job, client.get(r["Location"]).content.decode()


def test_a_good_sheet_imports_everyone_with_passwords_shown_once_to_the_importer(
    world, login, django_capture_on_commit_callbacks
):
    head = login(world.users["institution_head"])
    upload = xlsx(
        [
            ["guard1", "门卫一", "13900000011", "", "后勤科", "员工", "厨师", "", ""],
            ["guard2", "门卫二", "", "g2@example.cn", "", "Staff", "", "", "Strong-pass-77"],
            ["eval1", "评估员", "", "", "", "第三方评估人员", "", "2099-01-31", ""],
        ]
    )
    job, body = post(head, world, upload, django_capture_on_commit_callbacks)
    assert job.status == Job.DONE
    assert "已导入 3 行" in body and "初始密码" in body
    assert User.objects.get(username="guard1").memberships.get().organization == world.dept_a
    assert User.objects.get(username="guard2").check_password("Strong-pass-77")
    assert str(User.objects.get(username="eval1").memberships.get().valid_until) == "2099-01-31"
    assert AuditEntry.objects.filter(action="person.create", object_repr="门卫一").exists()

    # Nowhere but the page: not on the job's page, its row, the inbox notice; the workbook is gone.
    assert "Strong-pass-77" not in body
    job.refresh_from_db()
    assert not job.input and "Strong-pass-77" not in json.dumps([job.params, job.result, job.error])
    assert "Strong-pass-77" not in json.dumps(list(OutboxEvent.objects.values_list("payload", flat=True)))

    url = job.result_url
    assert url == reverse("orgs:people_import_passwords", kwargs={"uuid": job.uuid})
    # Another manager of the same institution may not see them (and does not use up the showing).
    assert login(world.users["admin"]).get(url).status_code == 404
    page = head.get(url)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    text = page.content.decode()
    assert "Strong-pass-77" in text
    shown = dict(re.findall(r"<td>(guard1|eval1)</td><td class=\"secret\">([^<]+)</td>", text))
    assert User.objects.get(username="guard1").check_password(shown["guard1"])
    assert User.objects.get(username="eval1").check_password(shown["eval1"])
    assert User.objects.get(username="eval1").must_change_password
    again = head.get(url).content.decode()
    assert "Strong-pass-77" not in again and shown["guard1"] not in again and "已经显示过" in again


def test_one_bad_row_saves_nothing_and_lists_each_mistake(world, login, django_capture_on_commit_callbacks):
    client = login(world.users["institution_head"])
    before = User.objects.count()
    upload = xlsx(
        [
            ["guard1", "门卫一", "13900000011", "", "后勤科", "员工", "", "", ""],
            ["guard2", "", "12345", "", "不存在的科", "厨神", "", "", ""],
            ["guard1", "重复", "", "", "", "员工", "", "", ""],
            ["cook_a", "已存在", "", "", "", "员工", "", "", ""],
            ["eval2", "评估员", "", "", "", "第三方评估人员", "", "", ""],
        ]
    )
    job, body = post(client, world, upload, django_capture_on_commit_callbacks)
    assert job.status == Job.FAILED
    assert User.objects.count() == before
    assert "未保存任何内容" in body
    for expected in [
        "姓名必填",
        "不是大陆手机号",
        "没有名为 不存在的科 的部门",
        "未知角色：厨神",
        "与第 2 行重复",
        "cook_a 已被占用",
        "截止日期",
    ]:
        assert expected in body, expected
    # Row 3 has all its mistakes listed, each in its column.
    assert {(e["row"], e["column"]) for e in job.result["errors"] if e["row"] == 3} == {
        (3, "姓名"),
        (3, "手机号"),
        (3, "部门"),
        (3, "角色"),
    }
    assert not job.result_url


def test_wrong_columns_and_wrong_file_type_are_refused_clearly(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.users["institution_head"])
    _job, body = post(client, world, xlsx([["x"]], header=["名字"]), django_capture_on_commit_callbacks)
    assert "表格缺少列" in body
    assert "登录名" in body
    fake = SimpleUploadedFile("people.xlsx", b"name,role\nx,y\n")
    r = client.post(_url(world), {"file": fake})
    assert r.status_code == 400 and "不是 Excel 工作簿" in r.content.decode()


def test_the_template_downloads_with_the_headers_the_import_reads(world, login):
    client = login(world.users["institution_head"])
    assert reverse("core:import_choose", args=["orgs.people"]) in client.get("/orgs/people/").content.decode()
    response = client.get(_url(world) + "?template=1")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [c.value for c in wb.worksheets[0][1]] == HEADER


def test_no_one_imports_into_another_institution(world, login):
    client = login(world.users["outsider"])
    response = client.post(_url(world), {"file": xlsx([])})
    assert response.status_code == 404
    assert not Job.objects.exists()
