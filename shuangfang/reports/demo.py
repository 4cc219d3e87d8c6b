"""Demo reports: the last month's and the last quarter's report of every demo institution and bureau,
computed from the demo records (real reports, generated as the nightly task would). Idempotent."""

from __future__ import annotations

from django.utils import timezone

from shuangfang.core.demo import register

from . import services
from .choices import Kind
from .models import Report
from .periods import last_ended


@register(90, "safety reports")
def build(city) -> None:
    today = timezone.localdate()
    for org in [city.city, city.district, *city.institutions.values()]:
        for kind in (Kind.MONTHLY, Kind.QUARTERLY):
            period = last_ended(kind, today)
            if not Report.objects.filter(organization=org, kind=kind, period_start=period.start).exists():
                services.generate(org, kind, period.start, actor=None, replace=False)
