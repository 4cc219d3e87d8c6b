"""Responsibility letter pages: list and tracking, templates and generation, a letter with the
signature pad, the printable PDF, change / revoke / renew."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuangfang.core.forms import add_service_errors
from shuangfang.core.listing import Column, ListPage
from shuangfang.core.pdf import pdf_response
from shuangfang.core.tenancy import can, get_for_user, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import Organization
from shuangfang.readiness import letters
from shuangfang.readiness.forms import GenerateForm, TemplateForm
from shuangfang.readiness.models import Letter, LetterTemplate

from .common import chosen_institution, error_text


@require_perm("readiness.view")
def letter_list(request: AuthedRequest) -> HttpResponse:
    qs = (
        letters.visible(request.user)
        .select_related("organization", "holder")
        .order_by("-year", "status", "holder__name")
    )
    if request.GET.get("status") in ("issued", "signed", "revoked"):
        qs = qs.filter(status=request.GET["status"])
    insts, chosen = chosen_institution(request, "readiness.letters")
    columns = [
        Column(
            _("Letter"),
            lambda x: f"{x.year} {x.title}",
            link=lambda x: reverse("readiness:letter", kwargs={"uuid": x.uuid}),
        ),
        Column(_("Holder"), lambda x: str(x.holder)),
        Column(_("Post"), lambda x: x.holder_party),
        Column(_("Institution"), lambda x: x.organization.name),
        Column(_("Status"), lambda x: x.get_status_display()),
        Column(_("Signed at"), lambda x: x.signed_at),
    ]
    ctx = {
        "tracking": letters.tracking(qs.model.objects.filter(pk__in=qs.values("pk"))),
        "institution": chosen,
        "institutions": insts,
        "generate": GenerateForm(
            templates=letters.templates_for(chosen), initial={"year": timezone.localdate().year}
        )
        if chosen
        else None,
    }
    return ListPage(
        request, qs, columns=columns, template="readiness/letters.html", export_name="letters", context=ctx
    ).response()


@require_perm("readiness.letters")
def templates(request: AuthedRequest) -> HttpResponse:
    orgs = list(
        Organization.objects.for_user(request.user, "readiness.letters")
        .bureaus_and_institutions()
        .order_by("path")
    )
    org = next((o for o in orgs if str(o.uuid) == request.GET.get("org")), orgs[0] if orgs else None)
    if org is None:
        raise Http404
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            letters.save_template(actor=request.user, organization=org, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{request.path}?org={org.uuid}")
    ctx = {
        "orgs": orgs,
        "org": org,
        "form": form,
        "templates": LetterTemplate.objects.filter(organization_id__in=org.ancestor_ids),
    }
    return render(request, "readiness/templates.html", ctx)


@require_perm("readiness.letters")
@require_POST
def generate(request: AuthedRequest, uuid) -> HttpResponse:
    institution = get_for_user(
        Organization.objects.institutions(), request.user, "readiness.letters", uuid=uuid
    )
    form = GenerateForm(request.POST, templates=letters.templates_for(institution))
    back = f"{reverse('readiness:letters')}?org={institution.uuid}"
    if not form.is_valid():
        messages.error(request, _("Choose a template and a year."))
        return redirect(back)
    try:
        made = letters.generate_letters(actor=request.user, institution=institution, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("%(n)s letters issued.") % {"n": len(made)})
    return redirect(back)


def _letter(request: AuthedRequest, uuid) -> Letter:
    letter = get_for_user(
        Letter.objects.select_related("organization", "holder", "template"),
        request.user,
        "readiness.view",
        uuid=uuid,
    )
    if letter.holder_id != request.user.pk and not can(request.user, "readiness.status", letter.organization):
        raise Http404
    return letter


@require_perm("readiness.view")
def letter_detail(request: AuthedRequest, uuid) -> HttpResponse:
    letter = _letter(request, uuid)
    actions = {t.action for t in letters.FLOW.actions_for(letter, request.user)}
    ctx = {
        "l": letter,
        "duties": [d for d in letter.duties.splitlines() if d.strip()],
        "can_sign": "sign" in actions,
        "can_change": "amend" in actions,
        "intact": letters.verify(letter) if letter.status == "signed" else None,
    }
    return render(request, "readiness/letter.html", ctx)


@require_perm("readiness.view")
@require_POST
def letter_sign(request: AuthedRequest, uuid) -> HttpResponse:
    letter = _letter(request, uuid)
    try:
        png = letters.signature_from_data_url(request.POST.get("signature", ""))
        letters.sign_letter(actor=request.user, letter=letter, png=png)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Signed. The signed PDF is kept with its fingerprint."))
    return redirect("readiness:letter", uuid=letter.uuid)


@require_perm("readiness.view")
def letter_pdf(request: AuthedRequest, uuid) -> HttpResponse:
    letter = _letter(request, uuid)
    if letter.status == "signed" and letter.signed_pdf:
        data = bytes(letter.signed_pdf)
    else:
        data = letters.render_letter_pdf(letter, signature=None)
    return pdf_response(data, f"{letter.year}-{letter.title}-{letter.holder}.pdf")


@require_perm("readiness.letters")
@require_POST
def letter_change(request: AuthedRequest, uuid) -> HttpResponse:
    letter = get_for_user(
        Letter.objects.select_related("organization", "template"),
        request.user,
        "readiness.letters",
        uuid=uuid,
    )
    action = request.POST.get("action")
    reason = request.POST.get("reason", "")[:200]
    try:
        if action == "amend":
            letters.amend_letter(
                actor=request.user, letter=letter, duties=request.POST.get("duties", "")[:6000]
            )
            messages.success(request, _("Changed: the holder signs again."))
        elif action == "renew":
            made = letters.renew_letter(actor=request.user, letter=letter, reason=reason)
            messages.success(request, _("Revoked; %(n)s new letters issued.") % {"n": len(made)})
        else:
            letters.revoke_letter(actor=request.user, letter=letter, reason=reason)
            messages.success(request, _("Revoked."))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return redirect("readiness:letter", uuid=letter.uuid)
