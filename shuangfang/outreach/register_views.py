"""At-risk register pages (bureau and district bureaus). 404 to anyone without the right anywhere
(``relief_perm``); numbers masked; every view of a person logged."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from shuangfang.core.photos import serve_file
from shuangfang.core.tenancy import can, get_for_user
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import BUREAU_KINDS, Organization, User
from shuangfang.relief.forms import show_errors
from shuangfang.relief.views import relief_perm

from . import register
from .choices import RiskCategory
from .register_models import AtRiskPerson, Revisit


class PersonForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("relief", "Name"), max_length=60)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=RiskCategory.choices)
    community = forms.CharField(label=gettext_lazy("Township and community"), max_length=120)
    guardian = forms.CharField(label=gettext_lazy("Guardian"), max_length=60, required=False)
    guardian_phone = forms.CharField(label=gettext_lazy("Guardian's phone"), max_length=30, required=False)
    id_number = forms.CharField(label=gettext_lazy("Document number"), max_length=30, required=False)
    features = forms.CharField(label=gettext_lazy("Distinguishing features"), max_length=200, required=False)
    notes = forms.CharField(
        label=gettext_lazy("Risk notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Revisited by"), queryset=User.objects.none(), required=False
    )
    photo = forms.FileField(
        label=gettext_lazy("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    consent = forms.BooleanField(
        label=gettext_lazy("The person or the guardian agreed to the photo"), required=False
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=gettext_lazy("Revisited by"), queryset=User.objects.none())


def _keepers_field(form: forms.Form, bureau: Organization, actor) -> None:
    field = form.fields["assignee"]
    field.queryset = register.keepers(bureau)  # type: ignore[attr-defined]
    field.label_from_instance = lambda u: u.name or u.username  # type: ignore[attr-defined]
    if not form.is_bound:
        form.initial.setdefault("assignee", actor.pk)


def _bureau(request: AuthedRequest) -> tuple[Organization, list[Organization]]:
    mine = list(
        Organization.objects.for_user(request.user, "outreach.register")
        .filter(kind__in=BUREAU_KINDS, is_active=True)
        .order_by("path")
    )
    if not mine:
        raise Http404
    pick = next((b for b in mine if str(b.uuid) == request.GET.get("org")), mine[0])
    return pick, mine


@relief_perm("outreach.register")
def register_list(request: AuthedRequest) -> HttpResponse:
    bureau, mine = _bureau(request)
    form = PersonForm(request.POST or None, request.FILES or None)
    _keepers_field(form, bureau, request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            person = register.add_person(
                actor=request.user,
                organization=bureau,
                fields=data,
                assignee=data.pop("assignee", None),
                photo=data.pop("photo", None),
                consent=data.pop("consent", False),
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return redirect("outreach:register_person", uuid=person.uuid)
    people = AtRiskPerson.objects.filter(organization=bureau, removed_at__isnull=True)
    due = Revisit.objects.filter(organization=bureau, done_at__isnull=True, person__removed_at__isnull=True)
    ctx = {
        "bureau": bureau,
        "bureaus": mine,
        "people": people,
        "due": due.select_related("person"),
        "form": form,
    }
    return render(request, "outreach/register.html", ctx, status=400 if form.errors else 200)


@relief_perm("outreach.register")
def register_person(request: AuthedRequest, uuid) -> HttpResponse:
    person = get_for_user(AtRiskPerson, request.user, "outreach.register", uuid=uuid)
    register.log_view(actor=request.user, person=person)
    assign_form = AssignForm(initial={"assignee": person.assignee_id})
    _keepers_field(assign_form, person.organization, request.user)
    ctx = {
        "person": person,
        "numbers": register.masked(person),
        "revisits": person.revisits.select_related("done_by", "assignee"),
        "can_reveal": can(request.user, "outreach.show_identity", person.organization),
        "assign_form": assign_form,
    }
    return render(request, "outreach/register_person.html", ctx)


@relief_perm("outreach.register")
@require_POST
def register_assign(request: AuthedRequest, uuid) -> HttpResponse:
    person = get_for_user(AtRiskPerson, request.user, "outreach.register", uuid=uuid)
    form = AssignForm(request.POST)
    _keepers_field(form, person.organization, request.user)
    if not form.is_valid():
        messages.error(request, _("Choose someone who keeps this register."))
        return redirect("outreach:register_person", uuid=person.uuid)
    try:
        register.assign(actor=request.user, person=person, assignee=form.cleaned_data["assignee"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Revisits assigned."))
    return redirect("outreach:register_person", uuid=person.uuid)


@relief_perm("outreach.register")
def register_photo(request: AuthedRequest, uuid) -> FileResponse:
    """The person's photo (taken with consent), for the register's keepers only; the thumbnail is
    part of the person page (whose view is logged), the full picture is logged when opened."""
    person = get_for_user(AtRiskPerson, request.user, "outreach.register", uuid=uuid)
    if request.GET.get("size") == "thumb":
        return serve_file(person.photo_thumb)
    response = serve_file(person.photo)
    register.log_view(actor=request.user, person=person)
    return response


@relief_perm("outreach.show_identity")
@require_POST
def register_identity(request: AuthedRequest, uuid) -> HttpResponse:
    person = get_for_user(AtRiskPerson, request.user, "outreach.show_identity", uuid=uuid)
    register.log_view(actor=request.user, person=person)
    ctx = {
        "person": person,
        "numbers": register.reveal(actor=request.user, person=person),
        "revisits": person.revisits.select_related("done_by"),
        "revealed": True,
    }
    return render(request, "outreach/register_person.html", ctx)


@relief_perm("outreach.register")
@require_POST
def register_remove(request: AuthedRequest, uuid) -> HttpResponse:
    person = get_for_user(AtRiskPerson, request.user, "outreach.register", uuid=uuid)
    try:
        register.remove_person(actor=request.user, person=person, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("outreach:register_person", uuid=person.uuid)
    messages.success(request, _("Removed from the register."))
    return redirect("outreach:register")


@relief_perm("outreach.register")
def revisit_done(request: AuthedRequest, uuid) -> HttpResponse:
    revisit = get_for_user(Revisit, request.user, "outreach.register", uuid=uuid)
    error = ""
    if request.method == "POST":
        try:
            register.complete_revisit(actor=request.user, revisit=revisit, note=request.POST.get("note", ""))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Revisit recorded."))
            return redirect("outreach:register_person", uuid=revisit.person.uuid)
    ctx = {"revisit": revisit, "error": error}
    return render(request, "outreach/revisit.html", ctx, status=400 if error else 200)
