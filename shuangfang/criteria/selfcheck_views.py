"""The self-check pages: the overview (who did it this year, what they found), a new self-check,
one self-check."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core.tenancy import get_for_user, has_perm_anywhere, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import Organization

from .choices import Answer
from .models import Criterion, SelfAssessment
from .selfcheck import Reply, overview, run_selfcheck
from .services import citable_for


@require_perm("criteria.selfcheck.view")
def selfchecks(request: AuthedRequest) -> HttpResponse:
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year
    return render(
        request,
        "criteria/selfchecks.html",
        {
            "rows": overview(request.user, year),
            "year": year,
            "can_run": has_perm_anywhere(request.user, "criteria.selfcheck"),
        },
    )


def _form_class(criteria: list[Criterion]) -> type[forms.Form]:
    fields: dict[str, forms.Field] = {
        "done_on": forms.DateField(
            label=gettext_lazy("Date of the self-check"),
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        ),
        "note": forms.CharField(
            label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
            max_length=settings.TEXT_MAX_CHARS,
        ),
    }  # fmt: skip
    for c in criteria:
        fields[f"a_{c.pk}"] = forms.ChoiceField(
            label=f"{c.code}", choices=Answer.choices, widget=forms.RadioSelect, required=True
        )
        fields[f"e_{c.pk}"] = forms.CharField(
            label=gettext_lazy("Evidence"),
            required=False,
            max_length=settings.TEXT_MAX_CHARS,
            widget=forms.Textarea(attrs={"rows": 1}),
        )
    return type("SelfCheckForm", (forms.Form,), fields)


@require_perm("criteria.selfcheck")
def selfcheck_new(request: AuthedRequest) -> HttpResponse:
    institutions = (
        Organization.objects.for_user(request.user, "criteria.selfcheck").institutions().order_by("path")
    )
    key = request.POST.get("institution") or request.GET.get("institution") or ""
    institution = institutions.filter(uuid=key).first() if key else institutions.first()
    if institution is None and key:
        raise Http404
    if institution is None:
        raise PermissionDenied("criteria.selfcheck")
    criteria = citable_for(institution)
    form = _form_class(criteria)(request.POST or None, initial={"done_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        replies = {c.code: Reply(d[f"a_{c.pk}"], d[f"e_{c.pk}"]) for c in criteria}
        try:
            a = run_selfcheck(
                actor=request.user,
                institution=institution,
                done_on=d["done_on"],
                replies=replies,
                note=d["note"],
            )
        except ValidationError as exc:
            for m in exc.messages:
                form.add_error(None, m)
        else:
            messages.success(
                request,
                _("Self-check saved: %(n)d situation(s) found, each filed as a major hazard.")
                % {"n": a.found},
            )
            return redirect(a.get_absolute_url())
    rows = [(c, form[f"a_{c.pk}"], form[f"e_{c.pk}"]) for c in criteria]
    standards = {c.standard for c in criteria}
    return render(
        request,
        "criteria/selfcheck_new.html",
        {
            "form": form,
            "rows": rows,
            "institution": institution,
            "institutions": institutions,
            "incomplete": [s for s in standards if not s.complete],
        },
    )


@require_perm("criteria.selfcheck.view")
def selfcheck(request: AuthedRequest, uuid) -> HttpResponse:
    a = get_for_user(
        SelfAssessment.objects.select_related("organization", "performed_by"),
        request.user,
        "criteria.selfcheck.view",
        uuid=uuid,
    )
    answers = a.answers.select_related("criterion__standard", "criterion__article")
    return render(request, "criteria/selfcheck.html", {"a": a, "answers": answers})
