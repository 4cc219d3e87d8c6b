import django_filters
from django.utils.translation import gettext_lazy as _

from shuangfang.orgs.filters import in_scope
from shuangfang.orgs.models import BUREAU_KINDS, Organization, OrgKind

from .choices import AlarmStatus, Category, DeviceKind, DeviceStatus
from .models import Alarm, Device


class _ScopedInstitution(django_filters.FilterSet):
    organization = django_filters.ModelChoiceFilter(
        label=_("Institution"), queryset=Organization.objects.none(), method="in_org"
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["organization"].queryset = Organization.objects.for_user(
                request.user, "monitoring.view"
            ).filter(kind__in=[OrgKind.INSTITUTION, *BUREAU_KINDS])

    def in_org(self, qs, name, value):
        # An institution with its departments, or every institution under a bureau (as counted
        # on the dashboards).
        return in_scope(qs, value)


class DeviceFilter(_ScopedInstitution):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Device type"), choices=DeviceKind.choices)
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=DeviceStatus.choices, method="with_status"
    )
    building = django_filters.CharFilter(label=_("Building"), lookup_expr="icontains")

    class Meta:
        model = Device
        fields = ["organization", "kind", "building"]

    def search(self, qs, name, value):
        from django.db.models import Q

        return qs.filter(Q(name__icontains=value) | Q(code__icontains=value) | Q(location__icontains=value))

    def with_status(self, qs, name, value):
        active = Alarm.objects.active().values("device_id")
        if value == DeviceStatus.NEW:
            return qs.filter(last_seen_at__isnull=True)
        if value == DeviceStatus.OFFLINE:
            return qs.filter(online=False, last_seen_at__isnull=False)
        if value == DeviceStatus.ALARMING:
            return qs.filter(online=True, pk__in=active)
        return qs.filter(online=True).exclude(pk__in=active)


ACTIVE = "active"


class AlarmFilter(_ScopedInstitution):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(ACTIVE, _("Active (open or acknowledged)")), *AlarmStatus.choices],
        method="with_status",
    )
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)

    class Meta:
        model = Alarm
        fields = ["organization", "status", "category"]

    def with_status(self, qs, name, value):
        if value == ACTIVE:
            return qs.filter(status__in=[AlarmStatus.OPEN, AlarmStatus.ACKNOWLEDGED])
        return qs.filter(status=value)
