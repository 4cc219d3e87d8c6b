import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import Kind
from .models import Report


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices, empty_label=_("All"))

    class Meta:
        model = Report
        fields = ["kind"]
