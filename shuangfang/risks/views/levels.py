"""How levels are assessed and shown: the assessment methods, the bureau's overview by level and the
bureau's colour palette."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shuangfang.core import seedtext
from shuangfang.core.forms import add_service_errors as _form_error
from shuangfang.core.tenancy import require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import Organization, OrgKind
from shuangfang.risks import scoring, services
from shuangfang.risks.choices import (
    NATIONAL_NAMES,
    NATIONAL_PALETTE,
    SEED_NAMES,
    SEED_PALETTE,
    RiskLevel,
    palette_for,
)
from shuangfang.risks.forms import PaletteForm
from shuangfang.risks.models import AssessmentMethod, RiskPoint

from .common import user_palette


@require_perm("risk.view")
def methods(request: AuthedRequest) -> HttpResponse:
    palette = user_palette(request.user)
    rows = []
    for m in AssessmentMethod.objects.all():
        rows.append(
            {
                "method": m,
                "bands": [
                    {
                        **b,
                        "label": seedtext.pick(b, "label"),
                        "text": scoring.describe_band(b),
                        "colour": palette.colour(b["level"]),
                        "level_label": RiskLevel(b["level"]).label,
                    }
                    for b in m.bands
                ],
            }
        )
    return render(request, "risks/methods.html", {"rows": rows, "palette": palette})


@require_perm("risk.view")
def overview(request: AuthedRequest) -> HttpResponse:
    institutions = Organization.objects.for_user(request.user, "risk.view").filter(kind=OrgKind.INSTITUTION)
    today = timezone.localdate()
    counts = {
        row["organization"]: row
        for row in RiskPoint.objects.filter(organization__in=institutions, is_active=True)
        .values("organization")
        .annotate(
            total=Count("id"),
            l1=Count("id", filter=Q(inherent_level=1)),
            l2=Count("id", filter=Q(inherent_level=2)),
            l3=Count("id", filter=Q(inherent_level=3)),
            l4=Count("id", filter=Q(inherent_level=4)),
            unassessed=Count("id", filter=Q(inherent_level__isnull=True)),
            overdue=Count("id", filter=Q(next_review_on__lt=today)),
        )
    }
    palette = user_palette(request.user)
    rows: list[dict] = []
    for inst in institutions.order_by("path"):
        c: dict[str, Any] = dict(counts.get(inst.pk, {}))
        rows.append(
            {
                "inst": inst,
                **{k: c.get(k, 0) for k in ("total", "l1", "l2", "l3", "l4", "unassessed", "overdue")},
            }
        )
    totals = {
        k: sum(int(r[k]) for r in rows) for k in ("total", "l1", "l2", "l3", "l4", "unassessed", "overdue")
    }
    return render(request, "risks/overview.html", {"rows": rows, "totals": totals, "palette": palette})


@require_perm("risk.library")
def palette_edit(request: AuthedRequest) -> HttpResponse:
    form = PaletteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        preset = form.cleaned_data["preset"]
        if preset == "national":
            colours, names = dict(NATIONAL_PALETTE), dict(NATIONAL_NAMES)
        elif preset == "seed":
            colours, names = dict(SEED_PALETTE), dict(SEED_NAMES)
        else:
            colours = {lv: form.cleaned_data[f"colour_{lv}"] for lv in (1, 2, 3, 4)}
            names = {lv: form.cleaned_data[f"name_{lv}"].strip() for lv in (1, 2, 3, 4)}
        try:
            services.set_palette(
                actor=request.user, bureau=form.cleaned_data["bureau"], colours=colours, names=names
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Palette saved."))
            return redirect("risks:palette")
    bureau = form.fields["bureau"].queryset.first()  # type: ignore[attr-defined]
    return render(request, "risks/palette.html", {"form": form, "palette": palette_for(bureau)})


@require_perm("risk.view")
def method_revise(request: AuthedRequest, uuid) -> HttpResponse:
    """A new version of a method, edited as rows (scale options, bands). National data: platform
    administrators (superusers) only; the version in force stays for past assessments."""
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import get_object_or_404

    from shuangfang.risks import method_forms as mf

    if not request.user.is_superuser:
        raise PermissionDenied("risk.method")
    method = get_object_or_404(AssessmentMethod, uuid=uuid, is_current=True)
    data = request.POST or None
    form = mf.MethodForm(data, initial={"formula": method.formula, "boundary_rule": method.boundary_rule})
    options = mf.OptionFormSet(data, prefix="o", initial=mf.initial_options(method))
    bands = mf.BandFormSet(data, prefix="b", initial=method.bands)
    if request.method == "POST" and form.is_valid() and options.is_valid() and bands.is_valid():
        try:
            new = services.revise_method(
                actor=request.user,
                method=method,
                scales=mf.scales_from(method, options.cleaned_data),
                formula=form.cleaned_data["formula"],
                bands=mf.bands_from(bands.cleaned_data),
                boundary_rule=form.cleaned_data["boundary_rule"],
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            if new.pk == method.pk:
                messages.info(request, _("Nothing was changed: the version in force stays."))
            else:
                messages.success(request, _("A new version of the method is in force."))
            return redirect("risks:methods")
    title = _("New version of %(name)s") % {"name": method.display_name()}
    ctx = {"form": form, "options": options, "bands": bands, "title": title, "method": method}
    return render(request, "risks/method_form.html", ctx)
