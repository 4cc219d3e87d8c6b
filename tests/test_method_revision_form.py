"""A method's new version is made with a form (scale options and bands as rows), not JSON or the
shell: saved unchanged it makes an identical new version; a band changed in the form is in force."""

from __future__ import annotations

from django.urls import reverse

from shuangfang.risks.models import AssessmentMethod
from tests.test_edit_forms import _post_data


def _root(world, login):
    return login(world.root)


def test_a_method_revised_through_the_form(world, login):
    lec = AssessmentMethod.objects.get(code="lec", is_current=True)
    client = _root(world, login)
    url = reverse("risks:method_revise", args=[lec.uuid])
    page = client.get(url)
    assert page.status_code == 200
    assert (
        "bound method" not in page.content.decode()
        and "作业条件危险性分析法（LEC） 的新版本" in page.content.decode()
    )
    data = _post_data(page.content.decode(), "formula")
    # Unchanged: no new version (tests/test_edit_forms.py walks this page too).
    assert client.post(url, data).status_code == 302
    assert AssessmentMethod.objects.get(code="lec", is_current=True).pk == lec.pk
    # The lowest band's name changed in the form.
    last = max(k for k in data if k.startswith("b-") and k.endswith("-label") and data[k] != [""])
    data[last] = ["稍有危险（修订）"]
    assert client.post(url, data).status_code == 302
    v2 = AssessmentMethod.objects.get(code="lec", is_current=True)
    assert v2.version == lec.version + 1 and "稍有危险（修订）" in [b["label"] for b in v2.bands]
    assert (v2.scales, v2.formula) == (lec.scales, lec.formula)
    assert AssessmentMethod.objects.filter(code="lec").count() == 2  # the past version stays


def test_a_band_gap_is_refused_with_the_reason(world, login):
    lec = AssessmentMethod.objects.get(code="lec", is_current=True)
    client = _root(world, login)
    url = reverse("risks:method_revise", args=[lec.uuid])
    data = _post_data(client.get(url).content.decode(), "formula")
    data["b-0-DELETE"] = ["on"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert AssessmentMethod.objects.get(code="lec", is_current=True).pk == lec.pk
    assert "不在任何分级区间" in response.content.decode()


def test_only_a_platform_administrator_revises(world, login):
    lec = AssessmentMethod.objects.get(code="lec", is_current=True)
    for who in ("admin", "bureau_supervisor", "safety_officer"):
        assert login(world.users[who]).get(reverse("risks:method_revise", args=[lec.uuid])).status_code == 403
