import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shuangfang.core.filters import date_filter
from shuangfang.orgs.models import Organization, OrgKind

from .choices import OPEN_STATUSES, Category, Grade, Source, Status


class HazardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    organization = django_filters.ModelChoiceFilter(
        label=_("Institution"), queryset=Organization.objects.none(), method="in_org"
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("open", pgettext_lazy("hazard", "Open")), *Status.choices],
        method="with_status",
    )
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=Grade.choices)
    category = django_filters.ChoiceFilter(
        label=pgettext_lazy("hazard", "Category"), choices=Category.choices
    )
    source = django_filters.ChoiceFilter(label=pgettext_lazy("hazard", "Source"), choices=Source.choices)
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="only_overdue")
    supervised = django_filters.BooleanFilter(label=_("Under bureau supervision"))
    reported_from = date_filter(_("Reported from"), "reported_at", "date__gte")
    reported_to = date_filter(_("Reported to"), "reported_at", "date__lte")
    deadline_from = date_filter(_("Deadline from"), "deadline", "gte")
    deadline_to = date_filter(_("Deadline to"), "deadline", "lte")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["organization"].queryset = Organization.objects.for_user(
                request.user, "hazard.view"
            ).exclude(kind=OrgKind.DEPARTMENT)

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

    def only_overdue(self, qs, name, value):
        today = timezone.localdate()
        late = Q(status__in=OPEN_STATUSES, deadline__lt=today)
        return qs.filter(late) if value else qs.exclude(late)
