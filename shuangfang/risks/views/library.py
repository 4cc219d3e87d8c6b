"""The risk-point library: browse, adopt into an institution, edit a bureau's entry."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuangfang.core.forms import add_service_errors as _form_error
from shuangfang.core.tenancy import can, has_perm_anywhere, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import Organization
from shuangfang.risks import services
from shuangfang.risks.forms import AdoptForm, LibraryEntryForm, institutions_for
from shuangfang.risks.library_forms import FactorFormSet, factors_from, initial_rows
from shuangfang.risks.models import LibraryEntry


@require_perm("risk.view")
def library(request: AuthedRequest) -> HttpResponse:
    orgs = list(institutions_for(request.user, "risk.view")) or list(
        Organization.objects.for_user(request.user, "risk.view").order_by("depth")[:1]
    )
    itype = request.GET.get("type") or (orgs[0].institution_type if orgs and orgs[0].institution_type else "")
    anchor = orgs[0] if orgs else None
    entries = services.library_for(anchor, itype or None) if anchor else []
    from shuangfang.orgs.models import InstitutionType

    return render(
        request,
        "risks/library.html",
        {
            "entries": entries,
            "itype": itype,
            "types": [t for t in InstitutionType if t != InstitutionType.OTHER],
            "adopt_form": AdoptForm(user=request.user),
            "can_edit": has_perm_anywhere(request.user, "risk.edit"),
            "can_library": has_perm_anywhere(request.user, "risk.library"),
        },
    )


def _entry(request, uuid, perm: str) -> LibraryEntry:
    if not has_perm_anywhere(request.user, perm):
        raise PermissionDenied(perm)
    entry = LibraryEntry.objects.filter(uuid=uuid).first()
    if entry is None:
        raise Http404
    return entry


@require_POST
@require_perm("risk.edit")
def library_adopt(request: AuthedRequest, uuid) -> HttpResponse:
    entry = _entry(request, uuid, "risk.edit")
    form = AdoptForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            point = services.adopt_library_entry(
                actor=request.user,
                institution=form.cleaned_data["institution"],
                entry=entry,
                name=form.cleaned_data["name"] or None,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(name)s adopted; adjust it to your institution.") % {"name": point})
            return redirect("risks:point", uuid=point.uuid)
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return render(request, "risks/form.html", {"form": form, "title": _("Adopt %(name)s") % {"name": entry}})


@require_perm("risk.library")
def library_edit(request: AuthedRequest, uuid) -> HttpResponse:
    entry = _entry(request, uuid, "risk.library")
    if entry.organization_id and not can(request.user, "risk.library", entry.organization):
        raise Http404
    initial = {"name": entry.name, "kind": entry.kind, "area": entry.area, "source": entry.source}
    form = LibraryEntryForm(request.POST or None, user=request.user, initial=initial)
    factors = FactorFormSet(request.POST or None, prefix="f", initial=initial_rows(entry.factors))
    if request.method == "POST" and form.is_valid() and factors.is_valid():
        data = dict(form.cleaned_data)
        data["factors"] = factors_from(factors.cleaned_data)
        bureau = data.pop("bureau")
        try:
            services.save_library_entry(actor=request.user, bureau=bureau, entry=entry, **data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved in the bureau's library."))
            return redirect(f"{_url('risks:library')}?type={entry.institution_type}")
    return render(
        request,
        "risks/library_form.html",
        {"form": form, "factors": factors, "title": _("Edit library entry %(name)s") % {"name": entry}},
    )


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)
