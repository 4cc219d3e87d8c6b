"""Relief's rows of the monthly safety report (registered in apps.py): the period's statistics of
the relief stations among the report's institutions (``stats.monthly``: counts, no names).
Nothing when no relief station is among them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shuangfang.core.periods import Period
from shuangfang.orgs.models import InstitutionType, Organization

from . import stats


def report_rows(ids: list[int], period: Period) -> list[tuple[str, str, int | float | None]]:
    stations = list(Organization.objects.filter(pk__in=ids, institution_type=InstitutionType.RELIEF_STATION))
    if not stations:
        return []
    return stats.rows(stats.monthly(stations, period))


def title() -> str:
    return _("Relief statistics")
