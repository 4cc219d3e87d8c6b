"""Assessment pages: the scores of a bureau's institutions, one institution's breakdown (with its
departments) and the bureau's scheme editor. Scores are computed in :mod:`.scores`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shuangfang.core import periods
from shuangfang.core.exports import xlsx_response
from shuangfang.core.forms import add_service_errors
from shuangfang.core.tenancy import can, get_for_user, highest_node, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.core.views import bad_request
from shuangfang.orgs.models import BUREAU_KINDS, Organization, OrgKind, institutions_under

from . import registry, scores, services
from .forms import SchemeForm
from .models import ScoringScheme

VIEW = "assessment.view"
CONFIGURE = "assessment.configure"


def get_bureau(user, uuid, perm: str = VIEW) -> Organization:
    return get_for_user(Organization.objects.filter(kind__in=BUREAU_KINDS), user, perm, uuid=uuid)


def get_institution(user, uuid) -> Organization:
    return get_for_user(
        Organization.objects.filter(kind=OrgKind.INSTITUTION).select_related("parent"), user, VIEW, uuid=uuid
    )


def _asked_period(request) -> periods.Period:
    """The period in ``?period=``, the current month without one; a ``ValidationError`` for a
    value that is not a period (never another period in its place)."""
    return periods.parse_or(request.GET.get("period"), periods.current())


def _period_ctx(request, period: periods.Period) -> dict:
    today = timezone.localdate()
    return {
        "period": period,
        "period_choices": periods.offered(today),
        "last_day": period.measured_until(today),
        "to_date": period.is_running(today),
    }


@require_perm(VIEW)
def index(request: AuthedRequest) -> HttpResponse:
    """Send the user to the highest node they may score: a bureau's table or their institution."""
    top = highest_node(request.user, VIEW)
    name = "assessment:institution" if top.kind == OrgKind.INSTITUTION else "assessment:bureau"
    return redirect(name, uuid=top.uuid)


def bureau_rows(org: Organization, period: periods.Period) -> list[tuple[Organization, scores.Score]]:
    insts = institutions_under(org)
    return scores.ranked(insts, scores.institution_scores(insts, period.start, period.end))


@require_perm(VIEW)
def bureau(request: AuthedRequest, uuid) -> HttpResponse:
    org = get_bureau(request.user, uuid)
    try:
        period = _asked_period(request)
    except ValidationError as exc:
        return bad_request(request, exc)
    rows = bureau_rows(org, period)
    if request.GET.get("export") == "xlsx":
        return _export(org, period, rows)
    own = ScoringScheme.objects.filter(organization=org, is_current=True).exists()
    cols = scores.columns(rows)
    return render(
        request,
        "assessment/bureau.html",
        {
            "org": org,
            "rows": [
                {
                    "rank": n,
                    "inst": inst,
                    "score": s,
                    "cells": scores.cells(s, cols),
                    "url": reverse("assessment:institution", kwargs={"uuid": inst.uuid})
                    + f"?period={period.key}",
                }
                for n, (inst, s) in enumerate(rows, 1)
            ],
            "indicators": cols,
            "adjusted": any(s.scheme.counts_adjustments for _i, s in rows),
            "can_configure": can(request.user, CONFIGURE, org),
            "own_scheme": own,
            **_period_ctx(request, period),
        },
    )


def _export(org: Organization, period: periods.Period, rows) -> HttpResponse:
    headers = [
        pgettext("assessment", "Rank"),
        _("Institution"),
        pgettext("assessment", "Above"),
        pgettext("assessment", "Score"),
    ]
    figures, points = pgettext("assessment", "records"), pgettext("assessment", "points")
    cols = scores.columns(rows)
    for _code, label in cols:
        headers += [f"{label} · {figures}", f"{label} · {points}"]
    headers += [
        pgettext("assessment", "Bonus (rewards)"),
        pgettext("assessment", "Deduction (penalties)"),
        pgettext("assessment", "Scheme"),
    ]

    def lines():
        for n, (inst, s) in enumerate(rows, 1):
            line = [n, inst.name, inst.parent.name if inst.parent else "", s.total]
            for p in scores.cells(s, cols):
                if p is None:
                    line += ["", pgettext("assessment", "not in the scheme")]
                else:
                    line += [p.figures, p.points if not p.excluded else pgettext("assessment", "left out")]
            line += [s.bonus, s.penalty, str(s.scheme)]
            yield line

    name = _("assessment-scores") + f"-{org.name}-{period.key}.xlsx"
    return xlsx_response(name, headers, lines(), title=period.key)


@require_perm(VIEW)
def institution(request: AuthedRequest, uuid) -> HttpResponse:
    inst = get_institution(request.user, uuid)
    try:
        period = _asked_period(request)
    except ValidationError as exc:
        return bad_request(request, exc)
    score = scores.institution_scores([inst], period.start, period.end)[inst.pk]
    depts = scores.departments_of(inst)
    dept_scores = scores.department_scores(inst, period.start, period.end, departments=depts)
    parent = inst.parent
    back = ""
    if parent is not None and parent.kind in BUREAU_KINDS and can(request.user, VIEW, parent):
        back = reverse("assessment:bureau", kwargs={"uuid": parent.uuid}) + f"?period={period.key}"
    scheme_url = ""
    if score.scheme.bureau_id is not None:
        owner = Organization.objects.filter(pk=score.scheme.bureau_id).only("uuid", "path").first()
        if owner is not None and can(request.user, CONFIGURE, owner):
            scheme_url = reverse("assessment:scheme", kwargs={"uuid": owner.uuid})
    return render(
        request,
        "assessment/institution.html",
        {
            "inst": inst,
            "score": score,
            "departments": [(d, dept_scores[d.pk]) for d in depts],
            "back": back,
            "scheme_url": scheme_url,
            **_period_ctx(request, period),
        },
    )


@require_perm(CONFIGURE)
def scheme(request: AuthedRequest, uuid) -> HttpResponse:
    org = get_bureau(request.user, uuid, CONFIGURE)
    in_force = scores.schemes_for([org])[org.pk]
    period = periods.current()
    insts = institutions_under(org)
    current_scores = scores.institution_scores(insts, period.start, period.end)
    proposed = None
    form = SchemeForm(request.POST or None, initial_scheme=in_force)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "clear":
            try:
                services.clear_scheme(actor=request.user, bureau=org, note=request.POST.get("note", ""))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The bureau's own scheme was withdrawn."))
            return redirect("assessment:scheme", uuid=org.uuid)
        if form.is_valid():
            try:
                rules = services.validate_rules(form.rules())
                bonus_cap, penalty_cap = services.validate_caps(**form.caps())
                if action == "preview":
                    ref = scores.SchemeRef(
                        rules=scores.ordered_rules(rules), bonus_cap=bonus_cap, penalty_cap=penalty_cap
                    )
                    proposed = scores.institution_scores(insts, period.start, period.end, scheme=ref)
                else:
                    services.save_scheme(
                        actor=request.user,
                        bureau=org,
                        rules=rules,
                        note=form.cleaned_data["note"],
                        **form.caps(),
                    )
                    messages.success(request, _("Scheme saved; scores now use the new weights."))
                    return redirect("assessment:scheme", uuid=org.uuid)
            except ValidationError as exc:
                add_service_errors(form, exc)
    versions = list(
        ScoringScheme.objects.filter(organization=org)
        .select_related("created_by")
        .prefetch_related("rules")[:10]
    )
    preview = [
        {
            "inst": inst,
            "now": current_scores[inst.pk].total,
            "proposed": proposed[inst.pk].total if proposed else None,
        }
        for inst, _s in scores.ranked(insts, current_scores)
    ]
    return render(
        request,
        "assessment/scheme.html",
        {
            "org": org,
            "form": form,
            "rows": form.bound_rows(),
            "groups": form.bound_groups(),
            "in_force": in_force,
            "own": in_force.bureau_id == org.pk,
            "versions": versions,
            "preview": preview,
            "previewed": proposed is not None,
            "period": period,
            "indicators": registry.labels(),
            "table_url": reverse("assessment:bureau", kwargs={"uuid": org.uuid}),
        },
    )
