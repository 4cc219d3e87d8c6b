"""The product's URLs plus the two same-run baselines of ``bench_web.py``: a bare Django view and a
bare 50-row template page. Served only by the bench's own server, never by the product."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.template import engines
from django.urls import path

from shuangfang.config.urls import urlpatterns as product
from shuangfang.hazards.models import Hazard

PAGE = engines["django"].from_string(
    """<!doctype html><html lang="zh-hans"><head><meta charset="utf-8"><title>基准</title></head><body>
<table><thead><tr>{% for h in headers %}<th>{{ h }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></body></html>"""
)
COLUMNS = (
    "number",
    "title",
    "organization__name",
    "location",
    "grade",
    "category",
    "source",
    "status",
    "responsible__name",
    "deadline",
    "closed_on_time",
    "reported_at",
)


@login_not_required
def bare(request):
    """One indexed read, a small JSON answer."""
    row = Hazard.objects.filter(pk=int(request.GET.get("pk", "1"))).values("uuid", "number", "title").first()
    return JsonResponse({"hazard": row}, json_dumps_params={"default": str})


@login_not_required
def bare_page(request):
    """50 rows × 12 cells from one query through a template: what a list page must at least do."""
    rows = list(Hazard.objects.order_by("-reported_at").values_list(*COLUMNS)[:50])
    return HttpResponse(PAGE.render({"headers": COLUMNS, "rows": rows}, request))


urlpatterns = [
    path("bench/bare", bare),
    path("bench/bare-page", bare_page),
    *product,
]
