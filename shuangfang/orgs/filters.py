import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Membership, Organization
from .roles import Role


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    organization = django_filters.ModelChoiceFilter(
        label=_("Organisation"), queryset=Organization.objects.none(), method="in_org", empty_label=_("All")
    )
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=Role.choices, method="with_role", empty_label=_("All")
    )
    is_active = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("1", _("Active")), ("0", _("Deactivated"))],
        method="with_status",
        empty_label=_("All"),
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["organization"].queryset = Organization.objects.for_user(request.user, "people.view")

    def search(self, qs, name, value):
        return qs.filter(Q(name__icontains=value) | Q(username__icontains=value) | Q(phone__icontains=value))

    def in_org(self, qs, name, value):
        return qs.filter(
            pk__in=Membership.objects.filter(organization__path__startswith=value.path).values("user_id")
        )

    def with_status(self, qs, name, value):
        return qs.filter(is_active=value == "1")

    def with_role(self, qs, name, value):
        return qs.filter(pk__in=Membership.objects.filter(role=value).values("user_id"))
