"""Filters of the ledgers: the institution, a month (the printable ledger is one month) or a date
range, and each ledger's own questions."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangfang.core.filters import date_filter
from shuangfang.orgs.models import Organization

from .choices import DisinfectionMethod, MealKind, SampleStatus


class MonthField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = (int(x) for x in value.split("-"))
            return dt.date(year, month, 1)
        except (TypeError, ValueError):
            raise ValidationError(_("Give the month as YYYY-MM.")) from None


class MonthFilter(django_filters.Filter):
    field_class = MonthField


def month_range(first: dt.date) -> tuple[dt.date, dt.date]:
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


class LedgerFilter(django_filters.FilterSet):
    """Base: ``date_field`` names the day each row belongs to (a date or a datetime lookup)."""

    date_field = ""
    organization = django_filters.ModelChoiceFilter(
        label=_("Institution"), queryset=Organization.objects.none(), field_name="organization"
    )
    month = MonthFilter(
        label=_("Month (YYYY-MM)"), method="in_month", widget=forms.TextInput(attrs={"type": "month"})
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["organization"].queryset = (
                Organization.objects.for_user(request.user, "food.view").institutions().order_by("name")
            )

    def in_month(self, qs, name, value):
        first, last = month_range(value)
        return qs.filter(**{f"{self.date_field}__gte": first, f"{self.date_field}__lte": last})


class PurchaseLineFilter(LedgerFilter):
    date_field = "purchase__delivered_at__date"
    q = django_filters.CharFilter(label=_("Food or supplier"), method="search")
    accepted = django_filters.BooleanFilter(label=_("Accepted"))
    no_ticket = django_filters.BooleanFilter(label=_("Without a ticket photo"), method="without_ticket")
    day_from = date_filter(_("From"), "purchase__delivered_at", "date__gte")
    day_to = date_filter(_("To"), "purchase__delivered_at", "date__lte")

    def search(self, qs, name, value):
        return qs.filter(Q(item__name__icontains=value) | Q(purchase__supplier__name__icontains=value))

    def without_ticket(self, qs, name, value):
        return qs.filter(purchase__original="") if value else qs.exclude(purchase__original="")


class SampleFilter(LedgerFilter):
    date_field = "meal__day"
    kind = django_filters.ChoiceFilter(label=_("Meal"), field_name="meal__kind", choices=MealKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SampleStatus.choices)
    flagged = django_filters.BooleanFilter(
        label=_("Under weight or disposed of early"), method="only_flagged"
    )
    day_from = date_filter(_("From"), "meal__day", "gte")
    day_to = date_filter(_("To"), "meal__day", "lte")

    def only_flagged(self, qs, name, value):
        q = Q(flagged_weight_at__isnull=False) | Q(flagged_early_at__isnull=False)
        return qs.filter(q) if value else qs.exclude(q)


class DisinfectionFilter(LedgerFilter):
    date_field = "meal__day"
    method = django_filters.ChoiceFilter(label=_("Method"), choices=DisinfectionMethod.choices)
    day_from = date_filter(_("From"), "meal__day", "gte")
    day_to = date_filter(_("To"), "meal__day", "lte")


class MorningCheckFilter(LedgerFilter):
    date_field = "day"
    fit = django_filters.BooleanFilter(label=_("On duty today"))
    day_from = date_filter(_("From"), "day", "gte")
    day_to = date_filter(_("To"), "day", "lte")


class SupplierFilter(LedgerFilter):
    date_field = "created_at__date"
    q = django_filters.CharFilter(label=_("Name"), field_name="name", lookup_expr="icontains")
    blocked = django_filters.BooleanFilter(label=_("Licence expired or missing"), method="only_blocked")

    def only_blocked(self, qs, name, value):
        from .models import Supplier

        usable = Supplier.objects.usable(timezone.localdate()).values("pk")
        return qs.exclude(pk__in=usable) if value else qs.filter(pk__in=usable)
