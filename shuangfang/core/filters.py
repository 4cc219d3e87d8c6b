"""Filter pieces shared by the lists of several apps."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from shuangfang.orgs.models import Organization, OrgKind


class InstitutionFilterSet(django_filters.FilterSet):
    """A filterset with an ``institution`` choice: the institutions the user may read with
    ``institution_perm``; it keeps the records of that institution and of its departments
    (``organization__institution``), as the dashboards count them."""

    institution_perm = ""

    institution = django_filters.ModelChoiceFilter(
        label=_("Institution"), queryset=Organization.objects.none(), method="in_institution"
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["institution"].queryset = Organization.objects.for_user(
                request.user, self.institution_perm
            ).filter(kind=OrgKind.INSTITUTION)

    def in_institution(self, qs, name, value):
        return qs.filter(organization__institution=value)


def date_filter(label, field_name: str, lookup_expr: str) -> django_filters.DateFilter:
    """A date bound with the browser's date picker (``lookup_expr`` gte/lte, or date__gte/date__lte
    on a datetime field)."""
    return django_filters.DateFilter(
        label=label,
        field_name=field_name,
        lookup_expr=lookup_expr,
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
