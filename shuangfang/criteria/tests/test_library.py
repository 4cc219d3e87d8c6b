"""The criteria library: the shipped data as read (incomplete shown as incomplete), the import
(JSON and Excel, all or nothing, versions superseding each other), the bureau's refinement, the pages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from shuangfang.core.exports import write_workbook
from shuangfang.criteria import services
from shuangfang.criteria.importing import parse_json, parse_upload
from shuangfang.criteria.models import Criterion, Standard
from shuangfang.criteria.seed import SHIPPED

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 12, 1)


def doc(**over) -> dict:
    item = {
        "code": "p-2026-1-1",
        "number": "（一）",
        "text": "测试情形甲；",
        "sources": ["https://example.org/a"],
    }
    std = {
        "code": "p-2026",
        "version": "2026-01-01",
        "title": "测试判定标准",
        "date": "2026-01-01",
        "institution_types": ["elderly_care"],
        "sources": ["https://example.org/a"],
        "official_counts": {"categories": 1, "situations": 1},
        "categories": [{"article": "第一条", "title": "类别", "complete": True, "items": [item]}],
    }
    std.update(over)
    return {"standards": [std]}


def upload(d: dict, name: str = "c.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, json.dumps(d, ensure_ascii=False).encode())


def test_the_shipped_text_is_loaded_as_read_and_incomplete_standards_say_so():
    elderly = Standard.objects.get(code="elderly-2023")
    assert elderly.criteria.count() == 7 and elderly.official_situations == 22
    assert not elderly.complete
    assert elderly.articles.get(number="第四条").complete
    assert "not retrieved" in elderly.articles.get(number="第六条").missing.lower()
    c = Criterion.objects.get(code="elderly-2023-4-1")
    assert c.text == "建筑设施经鉴定属于C级、D级危房或者经住房城乡建设部门研判建筑安全存在重大隐患；"
    assert c.verified_by == 4 and "e-nian.com" in c.sources[0]
    child = Standard.objects.get(code="child-welfare-2024")
    assert child.criteria.get().truncated
    assert Standard.objects.get(code="rescue-mgmt").criteria.count() == 0
    # Every criterion text in the database is one of the file's texts: nothing was added.
    shipped = json.dumps(json.loads(SHIPPED.read_text()), ensure_ascii=False)
    assert all(t in shipped for t in Criterion.objects.values_list("text", flat=True))


def test_gb35181_and_the_unverified_2026_standard_are_loaded_as_the_file_has_them():
    fire = json.loads(SHIPPED.read_text())["fire_standard"]
    old = Standard.objects.get(code="GB35181-2017")
    # The file's ten direct elements are the 2017 edition's (clauses 6.x), word for word.
    assert dict(old.criteria.values_list("number", "text")) == {
        e["clause"]: e["text"] for e in fire["direct_elements"]
    }
    assert not old.complete and old.criteria.count() == 10
    new = Standard.objects.get(code="GB35181-2025")
    assert (new.issued_on, new.effective_from) == (dt.date(2025, 4, 25), dt.date(2025, 11, 1))
    assert new.supersedes is not None and new.supersedes.code == "GB35181-2017"
    assert not new.complete and not new.criteria.exists()
    # A national elderly-care standard reported in 2026: listed as unverified, no date, nothing citable.
    gb = Standard.objects.get(code="elderly-gb-2026")
    assert (gb.version, gb.issued_on, gb.effective_from, gb.supersedes) == ("unverified", None, None, None)
    assert not gb.complete and not gb.criteria.exists()
    assert services.resolve("elderly-2023-4-3", on=ON).standard.code == "elderly-2023"  # still citable


def test_resolve_refuses_unknown_cut_off_and_superseded_codes():
    assert services.resolve("elderly-2023-4-3", on=ON).standard.code == "elderly-2023"
    with pytest.raises(ValidationError, match="no major-hazard criterion"):
        services.resolve("elderly-2023-9-9", on=ON)
    with pytest.raises(ValidationError, match="not obtained in full"):
        services.resolve("child-welfare-2024-3-1", on=ON)
    # GB 35181-2017 was replaced by GB 35181-2025 from 2025-11-01 (text not obtained): not citable.
    assert services.resolve("GB35181-2017-6.9", on=dt.date(2025, 10, 31)).number == "6.9"
    with pytest.raises(ValidationError):
        services.resolve("GB35181-2017-6.9", on=ON)


def test_a_new_version_supersedes_from_its_date_and_the_old_rows_stay(world):
    services.import_standards(actor=world.users["admin"], standards=parse_upload(upload(doc())))
    old = services.resolve("p-2026-1-1", on=ON)
    newer = doc(version="2027-01-01", date="2027-01-01", supersedes="p-2026@2026-01-01")
    newer["standards"][0]["categories"][0]["items"][0]["text"] = "测试情形甲（修订）；"
    services.import_standards(actor=world.users["admin"], standards=parse_json(json.dumps(newer)))
    assert services.resolve("p-2026-1-1", on=ON) == old
    assert services.resolve("p-2026-1-1", on=dt.date(2027, 2, 1)).text == "测试情形甲（修订）；"
    assert Criterion.objects.filter(pk=old.pk, text="测试情形甲；").exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (json.dumps({"standards": [{"code": "x", "title": "t"}]}).encode(), "version or a date"),
        (
            json.dumps(doc(categories=[{"title": "c", "items": [{"code": "a-1"}]}])).encode(),
            "“text” is missing",
        ),
        (json.dumps(doc(supersedes="nothing@1")).encode(), "no standard “nothing@1”"),
        (json.dumps(doc(institution_types=["zoo"])).encode(), "unknown institution type"),
        (json.dumps(doc(date="2026-13-01")).encode(), "not a date"),
    ],
)
def test_bad_files_are_refused_with_the_reason_and_nothing_is_saved(world, content, reason):
    before = Standard.objects.count(), Criterion.objects.count()
    with pytest.raises(ValidationError, match=reason):
        services.import_standards(
            actor=world.users["admin"], standards=parse_upload(SimpleUploadedFile("c.json", content))
        )
    assert (Standard.objects.count(), Criterion.objects.count()) == before


def test_a_text_once_imported_whole_never_changes_within_a_version(world):
    services.import_standards(actor=world.users["admin"], standards=parse_json(json.dumps(doc())))
    changed = doc()
    changed["standards"][0]["categories"][0]["items"][0]["text"] = "改过的；"
    with pytest.raises(ValidationError, match="import a new version"):
        services.import_standards(actor=world.users["admin"], standards=parse_json(json.dumps(changed)))
    assert Criterion.objects.get(code="p-2026-1-1").text == "测试情形甲；"


def test_excel_import_in_the_documented_shape(world):
    fields: list[list] = [["code", "x-2026"], ["version", "1"], ["title", "表格标准"]]
    fields += [["institution_types", "elderly_care"], ["official_situations", 2]]
    items = [
        ["第一条", "类别", "x-1", "（一）", "情形一；", "https://example.org", ""],
        ["第二条", "类别二", "", "", "", "", "未取得"],
    ]
    header = ["article", "category", "code", "number", "text", "sources", "missing"]
    book = write_workbook([("standard", ["field", "value"], fields), ("items", header, items)])
    parsed = parse_upload(SimpleUploadedFile("c.xlsx", book.read()))
    result = services.import_standards(actor=world.users["admin"], standards=parsed)
    std = result.standards[0]
    assert std.criteria.get().text == "情形一；" and not std.complete
    assert std.articles.get(number="第二条").missing == "未取得"


def test_a_bureau_refinement_is_its_own_list_and_outsiders_of_other_bureaus_do_not_see_it(world):
    sup = world.users["bureau_supervisor"]
    with pytest.raises(PermissionDenied):  # the national list is not the supervisor's
        services.import_standards(actor=sup, standards=parse_json(json.dumps(doc())))
    ref = doc(code="bz-relief", refines="rescue-mgmt", institution_types=["relief_station"])
    result = services.import_standards(actor=sup, standards=parse_json(json.dumps(ref)), bureau=world.bureau)
    std = result.standards[0]
    assert std.kind == "refinement" and std.organization == world.bureau and std.refines is not None
    assert std.refines.code == "rescue-mgmt"
    assert services.resolve("p-2026-1-1", organization=world.inst_a, on=ON).standard == std
    with pytest.raises(ValidationError):
        services.resolve("p-2026-1-1", on=ON)  # not a national criterion


def test_pages(login, world):
    client = login(world.users["staff"])
    page = client.get(reverse("criteria:list")).content.decode()
    assert "养老机构重大事故隐患判定标准" in page
    std = Standard.objects.get(code="elderly-2023")
    page = client.get(std.get_absolute_url()).content.decode()
    assert "建筑设施经鉴定属于C级" in page and "badge-incomplete" in page
    with translation.override("zh-hans"):  # a placeholder version is shown in words, not as a code
        listed = client.get(reverse("criteria:list")).content.decode()
    assert "未注明日期" in listed and "未经核实" in listed and "undated" not in listed
    admin = login(world.users["admin"])
    r = admin.post(
        reverse("criteria:import"), {"owner": "national", "file": upload(doc(code="bad"), "x.txt")}
    )
    assert r.status_code == 200 and "form-errors" in r.content.decode()
    r = admin.post(reverse("criteria:import"), {"owner": "national", "file": upload(doc())})
    assert r.status_code == 302 and Standard.objects.filter(code="p-2026").exists()


def test_structured_notes_of_the_import_file_are_shown_as_lines_not_python_values(login, world):
    std = Standard.objects.get(code="elderly-2023")
    std.notes = {
        "seen": [{"clause": "7.1", "heading": "总平面布置"}, "7.2"],
        "complete": True,
    }
    std.save(update_fields=["notes"])
    page = login(world.users["staff"]).get(std.get_absolute_url()).content.decode()
    assert "{'" not in page and "True" not in page
    assert "<code>clause</code> 7.1 <code>heading</code> 总平面布置 <br>7.2" in page
