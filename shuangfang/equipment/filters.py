import datetime as dt

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangfang.orgs.filters import InstitutionFilterSet

from .catalogue import GROUPS, KIND_CHOICES, KINDS
from .models import Equipment

STATE_CHOICES = [
    ("past_life", _("Past its service life")),
    ("inspection_overdue", _("Statutory inspection overdue")),
    ("inspection_soon", _("Statutory inspection within 30 days")),
    ("repair_due", _("Repair and hydrostatic test due within 30 days or overdue")),
]


class EquipmentFilter(InstitutionFilterSet):
    institution_perm = "equipment.view"

    q = django_filters.CharFilter(label=_("Search"), method="search")
    group = django_filters.ChoiceFilter(
        label=_("Group"), choices=list(GROUPS.items()), method="in_group", empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=KIND_CHOICES, empty_label=_("All"))
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=STATE_CHOICES, method="in_state", empty_label=_("All")
    )

    class Meta:
        model = Equipment
        fields: list[str] = []

    def search(self, qs, name, value):
        return qs.filter(Q(name__icontains=value) | Q(code__icontains=value) | Q(location__icontains=value))

    def in_group(self, qs, name, value):
        return qs.filter(kind__in=[k.code for k in KINDS.values() if k.group == value])

    def in_state(self, qs, name, value):
        today = timezone.localdate()
        if value == "past_life":
            return qs.filter(expires_on__lte=today)
        if value == "inspection_overdue":
            return qs.filter(next_inspection_on__lt=today)
        if value == "repair_due":
            return qs.filter(next_repair_on__lte=today + dt.timedelta(days=30))
        return qs.filter(next_inspection_on__gte=today, next_inspection_on__lte=today + dt.timedelta(days=30))
