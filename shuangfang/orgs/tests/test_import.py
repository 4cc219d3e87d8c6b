import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from shuangfang.core.models import AuditEntry
from shuangfang.orgs.models import User

HEADER = ["登录名", "姓名", "手机号", "邮箱", "部门", "角色", "岗位", "有效期至", "初始密码"]


def xlsx(rows, header=HEADER) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile("people.xlsx", buf.getvalue(), content_type="application/octet-stream")


def post(client, world, upload):
    return client.post("/orgs/people/import/", {"organization": world.inst_a.pk, "file": upload})


def test_a_good_sheet_imports_everyone_with_passwords_shown_once(world, login):
    client = login(world.users["institution_head"])
    upload = xlsx(
        [
            ["guard1", "门卫一", "13900000011", "", "后勤科", "员工", "厨师", "", ""],
            ["guard2", "门卫二", "", "g2@example.cn", "", "Staff", "", "", "Strong-pass-77"],
            ["eval1", "评估员", "", "", "", "第三方评估人员", "", "2099-01-31", ""],
        ]
    )
    response = post(client, world, upload)
    body = response.content.decode()
    assert response.status_code == 200
    assert "已导入 3 人" in body
    assert User.objects.get(username="guard1").memberships.get().organization == world.dept_a
    assert User.objects.get(username="guard2").check_password("Strong-pass-77")
    assert str(User.objects.get(username="eval1").memberships.get().valid_until) == "2099-01-31"
    assert AuditEntry.objects.filter(action="person.create", object_repr="门卫一").exists()


def test_one_bad_row_saves_nothing_and_lists_each_mistake(world, login):
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
    response = post(client, world, upload)
    body = response.content.decode()
    assert User.objects.count() == before
    assert "未导入任何数据" in body
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


def test_wrong_columns_and_wrong_file_type_are_refused_clearly(world, login):
    client = login(world.users["institution_head"])
    body = post(client, world, xlsx([["x"]], header=["名字"])).content.decode()
    assert "表格缺少列" in body
    assert "登录名" in body
    fake = SimpleUploadedFile("people.xlsx", b"name,role\nx,y\n")
    body = post(client, world, fake).content.decode()
    assert "不是 Excel 工作簿" in body


def test_the_template_downloads_with_the_headers_the_import_reads(world, login):
    response = login(world.users["institution_head"]).get("/orgs/people/import/template.xlsx")
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [c.value for c in wb.worksheets[0][1]] == HEADER


def test_institution_head_cannot_import_into_another_institution(world, login):
    client = login(world.users["outsider"])
    response = client.post("/orgs/people/import/", {"organization": world.inst_a.pk, "file": xlsx([])})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
