import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shuangfang.core.filters import date_filter
from shuangfang.orgs.models import Organization, OrgKind

from .choices import Status


class PublicReportFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    organization = django_filters.ModelChoiceFilter(
        label=_("Institution"), queryset=Organization.objects.none(), field_name="organization"
    )
    received_from = date_filter(_("Received from"), "received_at", "date__gte")
    received_to = date_filter(_("Received to"), "received_at", "date__lte")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["organization"].queryset = Organization.objects.for_user(
                request.user, "publicreport.triage"
            ).filter(kind=OrgKind.INSTITUTION)

    def search(self, qs, name, value):
        return qs.filter(Q(text__icontains=value) | Q(poster__risk_point__name__icontains=value))
