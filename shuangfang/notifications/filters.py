import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import Channel, DeliveryStatus, IncidentStatus


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DeliveryStatus.choices)
    channel = django_filters.ChoiceFilter(
        label=pgettext_lazy("notification", "Channel"), choices=Channel.choices
    )
    q = django_filters.CharFilter(label=_("Search"), method="search")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)

    def search(self, qs, name, value):
        return qs.filter(notification__title__icontains=value) | qs.filter(address__icontains=value)


class IncidentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=IncidentStatus.choices)

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
