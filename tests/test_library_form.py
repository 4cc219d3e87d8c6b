"""The bureau library is edited with form rows (a factor a row, a measure a line), not JSON."""

from __future__ import annotations

from django.urls import reverse

from shuangfang.risks.models import LibraryEntry
from shuangfang.risks.tests.fixtures import library_entry
from tests.test_edit_forms import _post_data


def test_a_measure_changed_in_the_form_makes_the_bureau_copy(world, login):
    entry = library_entry(world)
    client = login(world.users["bureau_supervisor"])
    url = reverse("risks:library_edit", args=[entry.uuid])
    page = client.get(url).content.decode()
    assert "JSON" not in page
    data = _post_data(page, "f-0-description")
    first = data["f-0-measures"][0].splitlines()
    first[0] = first[0].split("｜")[0] + "（每班）｜" + "阀门是否关闭"
    data["f-0-measures"] = ["\n".join(first)]
    assert client.post(url, data).status_code == 302
    copy = LibraryEntry.objects.get(organization=world.bureau, replaces=entry)
    measure = copy.factors[0]["measures"][0]
    assert measure["description"].endswith("（每班）") and measure["what_to_check"] == "阀门是否关闭"
    assert copy.factors[1:] == entry.factors[1:]


def test_a_measure_line_without_a_category_is_refused(world, login):
    entry = library_entry(world)
    client = login(world.users["bureau_supervisor"])
    url = reverse("risks:library_edit", args=[entry.uuid])
    data = _post_data(client.get(url).content.decode(), "f-0-description")
    data["f-0-measures"] = ["没有类别的措施"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert "管理措施：" in response.content.decode()
    assert not LibraryEntry.objects.filter(organization=world.bureau).exists()
