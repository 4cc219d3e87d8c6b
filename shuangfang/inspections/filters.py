import django_filters
from django.utils.translation import gettext_lazy as _

from shuangfang.core.filters import date_filter
from shuangfang.core.vocabulary import SIX_CHECK_CHOICES
from shuangfang.orgs.filters import InstitutionFilterSet
from shuangfang.orgs.models import Organization, OrgKind

from .choices import TaskStatus
from .models import Checkpoint, Plan, Task


class LedgerFilter(InstitutionFilterSet):
    institution_perm = "inspection.view"
    # Shown at once; the others wait behind 更多 (core/_filter_split.html).
    common = ("status", "since", "until")

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[c for c in TaskStatus.choices if c[0] != TaskStatus.OPEN],
        empty_label=_("All"),
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"),
        choices=SIX_CHECK_CHOICES,
        field_name="plan__checklist__category",
        empty_label=_("All"),
    )
    plan = django_filters.ModelChoiceFilter(
        label=_("Plan"), queryset=Plan.objects.none(), to_field_name="uuid", empty_label=_("All")
    )
    checkpoint = django_filters.ModelChoiceFilter(
        label=_("Checkpoint"), queryset=Checkpoint.objects.none(), to_field_name="uuid", empty_label=_("All")
    )
    since = date_filter(_("From"), "window_start", "date__gte")
    until = date_filter(_("Until"), "window_start", "date__lte")

    department = django_filters.ModelChoiceFilter(
        label=_("Department"),
        queryset=Organization.objects.none(),
        field_name="assignee_post__department",
        empty_label=_("All"),
    )
    no_department = django_filters.BooleanFilter(
        label=_("Without a department"),
        field_name="assignee_post__department",
        lookup_expr="isnull",
        widget=django_filters.widgets.BooleanWidget(),
    )
    with_open = django_filters.BooleanFilter(
        label=_("Include tasks still to do"), method="keep", widget=django_filters.widgets.BooleanWidget()
    )

    class Meta:
        model = Task
        fields: list[str] = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            visible = Organization.objects.for_user(request.user, "inspection.view")
            self.filters["department"].queryset = visible.filter(kind=OrgKind.DEPARTMENT)
            self.filters["plan"].queryset = Plan.objects.for_user(request.user, "inspection.view")
            self.filters["checkpoint"].queryset = Checkpoint.objects.for_user(request.user, "inspection.view")

    def keep(self, qs, name, value):
        return qs  # read by the view: the ledger leaves tasks still to do out unless asked
