import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import BUREAU_KINDS, Membership, Organization, OrgKind
from .roles import Role

MAX_MENU = 60


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
            ).filter(kind__in=[OrgKind.INSTITUTION, *BUREAU_KINDS])

    def in_institution(self, qs, name, value):
        return in_scope(qs, value)


def in_scope(qs, org: Organization, field: str = "organization"):
    """The records of an institution (its departments' too) or of every institution under a
    bureau: what a dashboard counts for it."""
    if org.kind == OrgKind.INSTITUTION:
        return qs.filter(**{f"{field}__institution": org})
    return qs.filter(**{f"{field}__institution__path__startswith": org.path})


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
            orgs = Organization.objects.for_user(request.user, "people.view")
            # A bureau user picks among bureaus and institutions (hundreds of departments would make
            # the menu useless and slow); an institution user also sees its departments.
            if orgs.filter(kind=OrgKind.INSTITUTION).count() > 1:
                orgs = orgs.exclude(kind=OrgKind.DEPARTMENT)
            if orgs.count() > MAX_MENU:
                # Past a few dozen units a menu is slow to render and slow to use: type a name instead.
                by_name = django_filters.CharFilter(
                    field_name="organization", label=_("Organisation name"), method="in_org_named"
                )
                by_name.parent = self
                by_name.model = self._meta.model
                self.filters["organization"] = by_name
            else:
                self.filters["organization"].queryset = orgs

    def search(self, qs, name, value):
        return qs.filter(Q(name__icontains=value) | Q(username__icontains=value) | Q(phone__icontains=value))

    def in_org(self, qs, name, value):
        return qs.filter(
            pk__in=Membership.objects.filter(organization__path__startswith=value.path).values("user_id")
        )

    def in_org_named(self, qs, name, value):
        roots = Organization.objects.filter(name__icontains=value).values_list("path", flat=True)[:MAX_MENU]
        cond = Q(pk__in=[])
        for path in roots:
            cond |= Q(organization__path__startswith=path)
        return qs.filter(pk__in=Membership.objects.filter(cond).values("user_id"))

    def with_status(self, qs, name, value):
        return qs.filter(is_active=value == "1")

    def with_role(self, qs, name, value):
        return qs.filter(pk__in=Membership.objects.filter(role=value).values("user_id"))
