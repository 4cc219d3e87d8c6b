from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangfang.core.widgets import IsoDateInput, IsoDateTimeInput

from .models import Organization, OrgKind, Post, TokenScope, User
from .roles import Role
from .services import default_token_expiry


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "kind", "institution_type", "code", "address", "phone", "is_active"]

    def __init__(self, *args, parent: Organization | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["kind"]
        elif parent is not None:
            allowed = {
                OrgKind.BUREAU: [OrgKind.DISTRICT_BUREAU, OrgKind.INSTITUTION],
                OrgKind.DISTRICT_BUREAU: [OrgKind.INSTITUTION],
                OrgKind.INSTITUTION: [OrgKind.DEPARTMENT],
                OrgKind.DEPARTMENT: [OrgKind.DEPARTMENT],
            }[OrgKind(parent.kind)]
            self.fields["kind"].choices = [(k.value, k.label) for k in allowed]  # type: ignore[attr-defined]
            self.fields["kind"].initial = allowed[0].value
        self.fields["institution_type"].help_text = _("Only for institutions.")


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["name", "department", "duties", "is_active"]

    def __init__(self, *args, institution: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            institution=institution, kind=OrgKind.DEPARTMENT
        )


def org_label(org: Organization) -> str:
    """A department is shown with its institution: "汴州市救助管理站 / 后勤保障科"."""
    if org.kind == OrgKind.DEPARTMENT and org.institution_id and org.institution is not None:
        return f"{org.institution.name} / {org.name}"
    return org.name


class MembershipFieldsMixin(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organisation"), queryset=Organization.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    post = forms.ModelChoiceField(label=_("Post"), queryset=Post.objects.none(), required=False)
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=IsoDateInput(),
        help_text=_("Required for a third-party assessor."),
    )

    def setup_scope(self, actor) -> None:
        orgs = (
            Organization.objects.for_user(actor, "org.manage")
            .filter(is_active=True)
            .select_related("institution")
        )
        self.fields["organization"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["organization"].label_from_instance = org_label  # type: ignore[attr-defined]
        self.fields["post"].queryset = Post.objects.for_user(actor, "org.manage").select_related(  # type: ignore[attr-defined]
            "organization"
        )
        self.fields["post"].label_from_instance = lambda p: f"{p.organization} · {p.name}"  # type: ignore[attr-defined]


class PersonCreateForm(MembershipFieldsMixin):
    username = forms.CharField(label=_("Login name"), max_length=40)
    name = forms.CharField(label=_("Full name"), max_length=60)
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("Email"), required=False)

    field_order = ["username", "name", "phone", "email", "organization", "role", "post", "valid_until"]

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_scope(actor)


class MembershipForm(MembershipFieldsMixin):
    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_scope(actor)


class PersonForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "name", "phone", "email", "language"]


class LanguageForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language"]


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=60)
    scope = forms.ChoiceField(
        label=_("Rights"),
        choices=TokenScope.choices,
        initial=TokenScope.READ,
        required=False,
        help_text=_("A read-only token can read but not change anything."),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires at"),
        required=False,
        widget=IsoDateTimeInput(),
        help_text=_("Empty: %(days)d days from now."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = settings.API_TOKEN_DEFAULT_DAYS
        self.fields["expires_at"].help_text = self.fields["expires_at"].help_text % {"days": days}
        self.fields["expires_at"].initial = timezone.localtime(default_token_expiry()).replace(
            second=0, microsecond=0
        )
