"""Food's section on the dashboards (registered in apps.py): the month's samples taken against
dishes due, missed meals, kitchen staff without a valid health certificate, health certificates
expiring within each site's reminder window and cold-chain alarms, per institution, in a fixed
number of grouped queries; and its rows of the monthly safety report."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core.periods import Period
from shuangfang.core.pgarrays import among
from shuangfang.dashboards.sections import Figure, uuid_path

from .ledgers import url_name
from .models import Fridge, HealthCertificate, Kitchen, KitchenStaff, Meal, Sample


def _grouped(qs, key: str) -> dict[int, int]:
    return {r[key]: r["n"] for r in qs.values(key).annotate(n=Count("pk")).order_by()}


def month_counts(ids: list[int], first: dt.date, last: dt.date) -> dict[str, dict[int, int]]:
    """Per institution id, from ``first`` to ``last``: samples taken, dishes due (meal window
    ended), meals missed, cold-chain alarms. Four queries (three without a refrigerator)."""
    from shuangfang.monitoring.models import Alarm

    devices = dict(
        Fridge.objects.filter(among("kitchen__organization_id", ids), device__isnull=False).values_list(
            "device_id", "kitchen__organization_id"
        )
    )
    per_device = _grouped(
        Alarm.objects.filter(device_id__in=devices, opened_at__date__gte=first, opened_at__date__lte=last),
        "device_id",
    )
    alarms: dict[int, int] = {}
    for device, n in per_device.items():
        alarms[devices[device]] = alarms.get(devices[device], 0) + n
    # Dishes due and meals missed in one pass over the period's meals (each meal joined to its
    # dishes: the missed meals counted once each).
    meals = (
        Meal.objects.filter(among("kitchen__organization_id", ids), day__gte=first, day__lte=last)
        .values("kitchen__organization_id")
        .annotate(
            due=Count("dishes", filter=Q(ends_at__lte=timezone.now())),
            missed=Count("pk", filter=Q(missed_at__isnull=False), distinct=True),
        )
        .order_by()
    )
    due, missed = {}, {}
    for row in meals:
        due[row["kitchen__organization_id"]] = row["due"]
        missed[row["kitchen__organization_id"]] = row["missed"]
    return {
        "taken": _grouped(
            Sample.objects.filter(among("organization_id", ids), meal__day__gte=first, meal__day__lte=last),
            "organization_id",
        ),
        "due": due,
        "missed": missed,
        "alarms": alarms,
    }


def figures(ids: list[int], today: dt.date) -> dict[int, list[Figure]]:
    first = today.replace(day=1)
    counts = month_counts(ids, first, today)
    expiring = certificates_expiring(ids, today)
    uncertified = staff_without_certificate(ids, today)
    kitchens = dict(
        Kitchen.objects.filter(among("organization_id", ids)).values_list("organization_id", "uuid")
    )
    # Labels translated and lists reversed once, not once per institution (hundreds on a bureau).
    taken, missed = _("Samples taken / dishes due this month"), _("Meals missed this month")
    certificates, cold_chain = _("Health certificates expiring"), _("Cold-chain alarms this month")
    no_certificate = _("Kitchen staff without a valid health certificate")
    samples = reverse(f"food:{url_name('samples')}")
    month = "&" + urlencode({"day_from": first.isoformat(), "day_to": today.isoformat()})
    alarms = reverse("monitoring:alarms")
    home = reverse("food:home")
    out = {}
    for i in ids:
        kitchen = uuid_path("food:kitchen", kitchens[i]) if i in kitchens else home
        staff = uuid_path("food:staff_list", kitchens[i]) if i in kitchens else kitchen
        out[i] = [
            Figure(
                taken,
                counts["taken"].get(i, 0),
                f"{samples}?organization={i}{month}",
                whole=counts["due"].get(i, 0),
            ),
            Figure(missed, counts["missed"].get(i, 0), kitchen, counted=False, bad=True),
            Figure(no_certificate, uncertified.get(i, 0), staff, counted=False, bad=True),
            Figure(certificates, expiring.get(i, 0), staff, counted=False, bad=True),
            Figure(
                cold_chain,
                counts["alarms"].get(i, 0),
                f"{alarms}?organization={i}",
                counted=False,
                bad=True,
            ),
        ]
    return out


def title() -> str:
    return _("Food safety")


def remind_rules() -> tuple[int, list[tuple[str, int]]]:
    """The reminder window (days) before a certificate expires: the default, and each site's own
    rule as ``(path, days)``. One query (and the seeding of the defaults if they are missing)."""
    from .choices import RuleKey
    from .models import FoodRule
    from .rules import rules_for

    rows = list(FoodRule.objects.filter(key=RuleKey.REMIND_DAYS).values_list("organization__path", "value"))
    default = [int(value) for path, value in rows if path is None]
    site = [(path, int(value)) for path, value in rows if path is not None]
    return (default[0] if default else int(rules_for(None)[RuleKey.REMIND_DAYS].value)), site


def remind_days_at(path: str, default: int, site: list[tuple[str, int]]) -> int:
    """The window in force at the organisation at ``path``, as ``rules.value`` reads it: its own
    rule, else the nearest bureau's, else the default."""
    own = [(len(p), v) for p, v in site if path.startswith(p)]
    return max(own)[1] if own else default


def staff_without_certificate(ids: list[int], day: dt.date) -> dict[int, int]:
    """Active kitchen staff with no health certificate valid on ``day`` (as
    ``staff.without_valid_certificate`` finds them for one kitchen), per institution. One query."""
    valid = HealthCertificate.objects.filter(staff=OuterRef("pk"), valid_until__gte=day)
    return _grouped(
        KitchenStaff.objects.filter(among("kitchen__organization_id", ids), is_active=True).filter(
            ~Exists(valid)
        ),
        "kitchen__organization_id",
    )


def certificates_expiring(ids: list[int], day: dt.date) -> dict[int, int]:
    """Health certificates of active kitchen staff expiring from ``day`` within each site's
    reminder window (as ``stats.figures`` counts them for one kitchen). Two queries."""
    default, site = remind_rules()
    out = dict.fromkeys(ids, 0)
    if not ids:
        return out
    longest = max([default, *(v for _, v in site)])
    rows = HealthCertificate.objects.filter(
        among("staff__kitchen__organization_id", ids),
        staff__is_active=True,
        valid_until__gte=day,
        valid_until__lte=day + dt.timedelta(days=longest),
    ).values_list("staff__kitchen__organization_id", "staff__kitchen__organization__path", "valid_until")
    windows: dict[str, int] = {}
    for org, path, until in rows:
        if path not in windows:
            windows[path] = remind_days_at(path, default, site)
        if until <= day + dt.timedelta(days=windows[path]):
            out[org] += 1
    return out


def report_rows(ids: list[int], period: Period) -> list[tuple[str, str, int]]:
    """The period's kitchen figures over ``ids`` for the safety report; nothing without a kitchen."""
    if not Kitchen.objects.filter(organization_id__in=ids).exists():
        return []
    c = month_counts(ids, period.start, period.last_day)
    group = _("Food safety")
    return [
        (group, _("Dishes due for a sample"), sum(c["due"].values())),
        (group, _("Samples taken"), sum(c["taken"].values())),
        (group, _("Meals missed"), sum(c["missed"].values())),
        (
            group,
            _("Health certificates expiring at period end"),
            sum(certificates_expiring(ids, period.last_day).values()),
        ),
        (group, _("Cold-chain alarms"), sum(c["alarms"].values())),
    ]
