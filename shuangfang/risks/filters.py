import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shuangfang.orgs.filters import InstitutionFilterSet

from .choices import FactorClass, PointKind, RiskLevel
from .models import HazardFactor, RiskPoint


class _InstitutionFilter(InstitutionFilterSet):
    institution_perm = "risk.view"


class PointFilter(_InstitutionFilter):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=PointKind.choices)
    level = django_filters.ChoiceFilter(
        label=_("Level"), choices=RiskLevel.choices, field_name="inherent_level"
    )

    class Meta:
        model = RiskPoint
        fields: list[str] = []

    def search(self, qs, name, value):
        return qs.filter(Q(name__icontains=value) | Q(code__icontains=value) | Q(area__icontains=value))


class InventoryFilter(_InstitutionFilter):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(
        label=_("Type"), choices=PointKind.choices, field_name="risk_point__kind"
    )
    level = django_filters.ChoiceFilter(
        label=_("Level"), choices=RiskLevel.choices, field_name="inherent_level"
    )
    factor_class = django_filters.ChoiceFilter(label=_("GB/T 13861 class"), choices=FactorClass.choices)

    class Meta:
        model = HazardFactor
        fields: list[str] = []

    def search(self, qs, name, value):
        return qs.filter(
            Q(description__icontains=value)
            | Q(risk_point__name__icontains=value)
            | Q(risk_point__code__icontains=value)
        )
