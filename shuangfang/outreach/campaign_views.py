"""Campaign pages for the bureau: the list with a new campaign, and a campaign's figures."""

from __future__ import annotations

from urllib.parse import quote

from django import forms
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shuangfang.core.tenancy import get_for_user
from shuangfang.core.types import AuthedRequest
from shuangfang.core.widgets import IsoDateInput
from shuangfang.orgs.models import BUREAU_KINDS, Organization
from shuangfang.relief.forms import show_errors
from shuangfang.relief.views import relief_perm

from . import campaigns
from .campaign_models import Campaign
from .choices import Action, CampaignKind


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CampaignKind.choices)
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=IsoDateInput())
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=IsoDateInput())
    key_areas = forms.CharField(
        label=gettext_lazy("Key areas (one a line)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    patrols_per_week = forms.IntegerField(
        label=gettext_lazy("Patrols per week (target)"), min_value=0, initial=7
    )
    night_patrols_per_weather_night = forms.IntegerField(
        label=gettext_lazy("Night patrols per extreme-weather night (target)"),
        min_value=0,
        initial=1,
        required=False,  # blank: the campaign's value (1 for a new one)
        help_text=gettext_lazy(
            "Patrols each station should start during every night of its extreme-weather night-patrol "
            "plan (cold wave, heat wave); 0 = no target."
        ),
    )


def _bureau(request: AuthedRequest) -> tuple[Organization, list[Organization]]:
    mine = list(
        Organization.objects.for_user(request.user, "outreach.campaign")
        .filter(kind__in=BUREAU_KINDS, is_active=True)
        .order_by("path")
    )
    if not mine:
        raise Http404
    return next((b for b in mine if str(b.uuid) == request.GET.get("org")), mine[0]), mine


def _initial() -> dict:
    dates = campaigns.default_dates(CampaignKind.WINTER, timezone.localdate())
    assert dates is not None
    return {"kind": CampaignKind.WINTER, "name": "寒冬送温暖", "starts_on": dates[0], "ends_on": dates[1]}


@relief_perm("outreach.campaign")
def campaign_list(request: AuthedRequest) -> HttpResponse:
    bureau, mine = _bureau(request)
    form = CampaignForm(request.POST or None, initial=_initial())
    if request.method == "POST" and form.is_valid():
        try:
            c = campaigns.save_campaign(actor=request.user, organization=bureau, data=form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return redirect("outreach:campaign", uuid=c.uuid)
    ctx = {
        "bureau": bureau,
        "bureaus": mine,
        "campaigns": Campaign.objects.filter(organization=bureau),
        "form": form,
        "today": timezone.localdate(),
    }
    return render(request, "outreach/campaigns.html", ctx, status=400 if form.errors else 200)


@relief_perm("outreach.campaign")
def campaign_detail(request: AuthedRequest, uuid) -> HttpResponse:
    campaign = get_for_user(Campaign, request.user, "outreach.campaign", uuid=uuid)
    data = None
    if request.method == "POST":
        data = request.POST
    initial = {f: getattr(campaign, f) for f in CampaignForm.base_fields}
    form = CampaignForm(data, initial=initial)
    if data is not None and form.is_valid():
        try:
            campaigns.save_campaign(
                actor=request.user,
                organization=campaign.organization,
                data=form.cleaned_data,
                campaign=campaign,
            )
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return redirect("outreach:campaign", uuid=campaign.uuid)
    campaign.refresh_from_db()
    ctx = {
        "campaign": campaign,
        "rows": campaigns.figures(campaign),
        "areas": campaigns.area_figures(campaign),
        "actions": Action.choices,
        "form": form,
    }
    return render(request, "outreach/campaign.html", ctx, status=400 if form.errors else 200)


@relief_perm("outreach.campaign")
def campaign_report(request: AuthedRequest, uuid, fmt: str) -> HttpResponse | FileResponse:
    """The campaign report for the bureau: figures per institution and per key area (counts only,
    no names), as PDF or Excel; every export is audited."""
    from shuangfang.core.exports import XLSX, clean_text, write_workbook
    from shuangfang.core.pdf import pdf_response, render_pdf

    campaign = get_for_user(Campaign, request.user, "outreach.campaign", uuid=uuid)
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    today = timezone.localdate()
    sheets = campaigns.report_sheets(
        campaign, campaigns.figures(campaign, today), campaigns.area_figures(campaign)
    )
    campaigns.record_export(actor=request.user, campaign=campaign, fmt=fmt)
    name = f"{campaign.name}-{today:%Y%m%d}"
    if fmt == "pdf":
        ctx = {"campaign": campaign, "sheets": sheets, "today": today}
        return pdf_response(render_pdf("outreach/campaign_report.html", ctx, request=request), f"{name}.pdf")
    response = FileResponse(write_workbook(sheets), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(clean_text(name))}.xlsx"
    return response
