"""Equipment on the four-colour map (``risks.maps.register_point_flags``): a risk point whose
equipment is past its service life is flagged on its pin, with a link to each such item. One query
for all the points of a floor."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.risks.maps import PointFlag

from .models import Equipment


def past_life_flags(points) -> dict[int, list[PointFlag]]:
    today = timezone.localdate()
    items = Equipment.objects.filter(
        risk_point_id__in=[p.pk for p in points], is_active=True, expires_on__lte=today
    ).order_by("number")
    flags: dict[int, list[PointFlag]] = {}
    for item in items:
        text = _("%(code)s %(name)s is past its service life (%(date)s)") % {
            "code": item.code,
            "name": item.name,
            "date": item.expires_on.isoformat() if item.expires_on else "",
        }
        flags.setdefault(item.risk_point_id, []).append(PointFlag(text, item.get_absolute_url()))
    return flags
