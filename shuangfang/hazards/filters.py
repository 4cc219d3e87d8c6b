import datetime as dt

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core import choosers
from shuangfang.core.filters import date_filter
from shuangfang.core.vocabulary import CheckCategory, HazardGrade
from shuangfang.core.widgets import IsoDateInput, IsoDateRangeWidget
from shuangfang.orgs.models import Organization, OrgKind

from .choices import OPEN_STATUSES, Source, Status
from .stats import open_on_q, overdue_during_q

_DATE = IsoDateInput()


def _visible(user):
    return Organization.objects.for_user(user, "hazard.view")


choosers.register(
    "hazards.institution", "hazard.view", lambda user: _visible(user).exclude(kind=OrgKind.DEPARTMENT)
)
choosers.register(
    "hazards.department", "hazard.view", lambda user: _visible(user).filter(kind=OrgKind.DEPARTMENT)
)


class HazardFilter(django_filters.FilterSet):
    # Shown at once; the others wait behind 更多 (core/_filter_split.html). They offer the same to
    # everyone (no choices from a scope): an unfiltered page shows them without building the set.
    common = ("q", "status", "overdue")
    common_for_everyone = True

    q = django_filters.CharFilter(label=_("Search"), method="search")
    organization = django_filters.ModelChoiceFilter(
        label=_("Institution"), queryset=Organization.objects.none(), method="in_org"
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("open", pgettext_lazy("hazard", "Open")), *Status.choices],
        method="with_status",
    )
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=HazardGrade.choices)
    category = django_filters.ChoiceFilter(
        label=pgettext_lazy("hazard", "Category"), choices=CheckCategory.choices
    )
    source = django_filters.ChoiceFilter(label=pgettext_lazy("hazard", "Source"), choices=Source.choices)
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="only_overdue")
    supervised = django_filters.BooleanFilter(label=_("Under bureau supervision"))
    reported_from = date_filter(_("Reported from"), "reported_at", "date__gte")
    reported_to = date_filter(_("Reported to"), "reported_at", "date__lte")
    deadline_from = date_filter(_("Deadline from"), "deadline", "gte")
    deadline_to = date_filter(_("Deadline to"), "deadline", "lte")

    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Organization.objects.none(), field_name="department"
    )
    closed_from = django_filters.DateFilter(
        label=_("Closed from"), field_name="closed_at", lookup_expr="date__gte", widget=_DATE
    )
    closed_to = django_filters.DateFilter(
        label=_("Closed to"), field_name="closed_at", lookup_expr="date__lte", widget=_DATE
    )
    open_on = django_filters.DateFilter(label=_("Open at the end of"), method="only_open_on", widget=_DATE)
    overdue_during = django_filters.DateFromToRangeFilter(
        label=_("Overdue during"),
        method="only_overdue_during",
        widget=IsoDateRangeWidget(),
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        # Search-as-you-type when the lists are long (a bureau): core.choosers.
        choosers.attach(self, "organization", "hazards.institution", request)
        choosers.attach(self, "department", "hazards.department", request)

    def search(self, qs, name, value):
        return qs.filter(
            Q(number__icontains=value)
            | Q(title__icontains=value)
            | Q(location__icontains=value)
            | Q(description__icontains=value)
        )

    def in_org(self, qs, name, value):
        return qs.filter(organization__path__startswith=value.path)

    def with_status(self, qs, name, value):
        return qs.filter(status__in=OPEN_STATUSES) if value == "open" else qs.filter(status=value)

    def only_open_on(self, qs, name, value):
        return qs.filter(open_on_q(value))

    def only_overdue_during(self, qs, name, value):
        # The range field hands over datetimes (start of the first day, end of the last).
        if not value or not (value.start or value.stop):
            return qs
        first = timezone.localtime(value.start).date() if value.start else dt.date(2000, 1, 1)
        last = timezone.localtime(value.stop).date() if value.stop else timezone.localdate()
        return qs.filter(overdue_during_q(first, last))

    def only_overdue(self, qs, name, value):
        today = timezone.localdate()
        late = Q(status__in=OPEN_STATUSES, deadline__lt=today)
        return qs.filter(late) if value else qs.exclude(late)
