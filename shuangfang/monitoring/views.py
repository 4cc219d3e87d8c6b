from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuangfang.core.forms import add_service_errors as _form_error
from shuangfang.core.listing import Column, ListPage
from shuangfang.core.tenancy import can, get_for_user, has_perm_anywhere, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.core.vocabulary import Severity
from shuangfang.orgs.models import Organization

from . import catalogue
from .alarms import acknowledge_alarm, alarm_label, clear_alarm
from .choices import AlarmStatus, DeviceKind, DeviceStatus
from .devices import register_device, rotate_token
from .filters import AlarmFilter, DeviceFilter
from .forms import AcknowledgeForm, ClearForm, DeviceForm, SiteRuleForm
from .models import Alarm, AlarmRule, Channel, Device, DeviceEvent, Reading, Rollup
from .mqtt import topic_for
from .panels import alarm_panels
from .rules import cite_in_rule, set_site_rule
from .schemas import sample_payload

MONITOR_DEVICES = 300
MONITOR_ALARMS = 50


def _org_filter(request: AuthedRequest, qs, field: str = "organization"):
    org_uuid = request.GET.get("org")
    if org_uuid:
        org = get_for_user(Organization, request.user, "monitoring.view", uuid=org_uuid)
        qs = qs.filter(**{f"{field}__path__startswith": org.path})
    return qs


def _live_context(request: AuthedRequest) -> dict[str, Any]:
    devices_qs = _org_filter(
        request, Device.objects.for_user(request.user, "monitoring.view").filter(is_active=True)
    )
    alarms_qs = _org_filter(request, Alarm.objects.for_user(request.user, "monitoring.view").active())
    alarming_ids = set(alarms_qs.values_list("device_id", flat=True).distinct()[:5000])
    counts = devices_qs.aggregate(
        n_total=Count("id"),
        n_online=Count("id", filter=Q(online=True)),
        n_offline=Count("id", filter=Q(online=False, last_seen_at__isnull=False)),
        n_new=Count("id", filter=Q(last_seen_at__isnull=True)),
    )
    counts = {k[2:]: v for k, v in counts.items()}
    counts["alarming"] = len(alarming_ids)
    alarms = list(
        alarms_qs.select_related("device", "organization").order_by("status", "-severity", "-last_seen_at")[
            :MONITOR_ALARMS
        ]
    )
    for a in alarms:
        a.label = alarm_label(a.alarm_type)
    devices = list(
        devices_qs.select_related("organization").order_by("organization__name", "building", "floor", "name")[
            :MONITOR_DEVICES
        ]
    )
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for d in devices:
        groups[(d.organization.name, d.building or "—", d.floor or "—")].append(
            {"device": d, "status": d.status(alarming=d.pk in alarming_ids)}
        )
    return {
        "counts": counts,
        "alarms": alarms,
        "groups": [
            {"institution": k[0], "building": k[1], "floor": k[2], "devices": v} for k, v in groups.items()
        ],
        "truncated": counts["total"] > MONITOR_DEVICES,
        "statuses": DeviceStatus,
        "query": request.GET.urlencode(),
        "now": timezone.now(),
    }


@require_perm("monitoring.view")
def monitor(request: AuthedRequest) -> HttpResponse:
    ctx = _live_context(request)
    ctx["institutions"] = Organization.objects.for_user(request.user, "monitoring.view").filter(
        kind="institution"
    )
    ctx["can_manage"] = has_perm_anywhere(request.user, "monitoring.manage")
    return render(request, "monitoring/monitor.html", ctx)


@require_perm("monitoring.view")
def live(request: AuthedRequest) -> HttpResponse:
    return render(request, "monitoring/_live.html", _live_context(request))


# --- Devices ---------------------------------------------------------------------------------------


@require_perm("monitoring.view")
def device_list(request: AuthedRequest) -> HttpResponse:
    qs = Device.objects.for_user(request.user, "monitoring.view").select_related("organization")
    alarming = set(
        Alarm.objects.for_user(request.user, "monitoring.view")
        .active()
        .values_list("device_id", flat=True)[:5000]
    )
    page = ListPage(
        request,
        qs,
        filterset_class=DeviceFilter,
        columns=[
            Column(_("Name"), lambda d: d.name, link=lambda d: reverse("monitoring:device", args=[d.uuid])),
            Column(_("Device id"), lambda d: d.code),
            Column(_("Device type"), lambda d: d.get_kind_display()),
            Column(_("Institution"), lambda d: d.organization.name),
            Column(_("Place"), lambda d: d.place),
            Column(_("Status"), lambda d: DeviceStatus(d.status(d.pk in alarming)).label),
            Column(_("Last seen"), lambda d: d.last_seen_at),
            Column(_("Rejected messages"), lambda d: d.rejected_count),
        ],
        template="monitoring/devices.html",
        export_name="devices",
        context={"can_manage": has_perm_anywhere(request.user, "monitoring.manage")},
    )
    return page.response()


def _credentials(device: Device, token: str | None) -> dict[str, Any]:
    return {
        "token": token,
        "topic": topic_for(device),
        "http_url": "/api/v1/monitoring/ingest",
        "mqtt_username": device.code,
        "sample": json.dumps(sample_payload(device.code, device.kind), ensure_ascii=False, indent=2),
    }


@require_perm("monitoring.manage")
def device_create(request: AuthedRequest) -> HttpResponse:
    form = DeviceForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            device, token = register_device(actor=request.user, **data)
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            return render(
                request,
                "monitoring/credentials.html",
                {
                    "device": device,
                    **_credentials(device, token),
                    "breadcrumb": device.organization.ancestors(),
                },
            )
    return render(request, "monitoring/device_form.html", {"form": form})


@require_perm("monitoring.view")
def device_detail(request: AuthedRequest, uuid) -> HttpResponse:
    device = get_for_user(
        Device.objects.select_related("organization", "department", "gateway", "risk_point"),
        request.user,
        "monitoring.view",
        uuid=uuid,
    )
    channels = list(Channel.objects.filter(device=device))
    known = {c.key for c in channels}
    latest = [
        {
            "key": c.key,
            "label": catalogue.channel_label(c.key, c.label),
            "unit": c.unit,
            "value": device.last_values.get(c.key),
        }
        for c in channels
    ] + [
        {"key": k, "label": catalogue.channel_label(k), "unit": "", "value": v}
        for k, v in sorted(device.last_values.items())
        if k not in known and not k.startswith("_")
    ]
    alarms = list(Alarm.objects.filter(device=device).order_by("-opened_at")[:20])
    for a in alarms:
        a.label = alarm_label(a.alarm_type)
    return render(
        request,
        "monitoring/device.html",
        {
            "device": device,
            "latest": latest,
            "alarms": alarms,
            "events": DeviceEvent.objects.filter(device=device)[:20],
            "status": device.status(any(a.is_active for a in alarms)),
            "can_manage": can(request.user, "monitoring.manage", device.organization),
            "breadcrumb": device.organization.ancestors(),
            **_credentials(device, None),
        },
    )


@require_perm("monitoring.view")
def device_readings(request: AuthedRequest, uuid) -> JsonResponse:
    """Chart data: raw readings for short spans, minute rollups for longer ones."""
    device = get_for_user(Device, request.user, "monitoring.view", uuid=uuid)
    try:
        hours = max(1, min(int(request.GET.get("hours", 6)), 24 * 30))
    except ValueError:
        hours = 6
    since = timezone.now() - dt.timedelta(hours=hours)
    series: dict[str, list[list[Any]]] = defaultdict(list)
    if hours <= 24:
        rows = (
            Reading.objects.filter(device=device, ts__gte=since)
            .order_by("-ts")
            .values_list("channel", "ts", "value")[:5000]
        )
        for channel, ts, value in reversed(list(rows)):
            series[channel].append([ts.isoformat(), value])
    else:
        for r in Rollup.objects.filter(device=device, seconds=3600, ts__gte=since).order_by("ts")[:5000]:
            series[r.channel].append([r.ts.isoformat(), round(r.avg, 3)])
    stored = dict(Channel.objects.filter(device=device).values_list("key", "label"))
    return JsonResponse(
        {
            "series": [
                {"name": catalogue.channel_label(k, stored.get(k, "")), "key": k, "data": v}
                for k, v in sorted(series.items())
            ]
        }
    )


@require_perm("monitoring.manage")
@require_POST
def device_rotate(request: AuthedRequest, uuid) -> HttpResponse:
    device = get_for_user(Device, request.user, "monitoring.manage", uuid=uuid)
    token = rotate_token(actor=request.user, device=device)
    return render(
        request,
        "monitoring/credentials.html",
        {"device": device, **_credentials(device, token), "breadcrumb": device.organization.ancestors()},
    )


# --- Alarms ----------------------------------------------------------------------------------------


@require_perm("monitoring.view")
def alarm_list(request: AuthedRequest) -> HttpResponse:
    qs = Alarm.objects.for_user(request.user, "monitoring.view").select_related("device", "organization")
    page = ListPage(
        request,
        qs,
        filterset_class=AlarmFilter,
        columns=[
            Column(
                _("Alarm"),
                lambda a: alarm_label(a.alarm_type),
                link=lambda a: reverse("monitoring:alarm", args=[a.uuid]),
            ),
            Column(_("Severity"), lambda a: Severity(a.severity).label),
            Column(_("Status"), lambda a: AlarmStatus(a.status).label),
            Column(_("Device"), lambda a: a.device.name),
            Column(_("Institution"), lambda a: a.organization.name),
            Column(_("Place"), lambda a: a.device.place),
            Column(_("Last value"), lambda a: a.last_value),
            Column(_("Count"), lambda a: a.count),
            Column(_("Opened"), lambda a: a.opened_at),
            Column(_("Flapping"), lambda a: a.flapping),
        ],
        template="monitoring/alarms.html",
        export_name="alarms",
    )
    return page.response()


@require_perm("monitoring.view")
def alarm_detail(request: AuthedRequest, uuid) -> HttpResponse:
    alarm = get_for_user(
        Alarm.objects.select_related("device", "organization", "rule", "acknowledged_by", "cleared_by"),
        request.user,
        "monitoring.view",
        uuid=uuid,
    )
    can_handle = can(request.user, "alarm.handle", alarm.organization)
    return render(
        request,
        "monitoring/alarm.html",
        {
            "alarm": alarm,
            "label": alarm_label(alarm.alarm_type),
            "channel": catalogue.channel_label(alarm.channel) if alarm.channel else "",
            "reference": catalogue.reference_text(alarm.rule.reference if alarm.rule else ""),
            "can_handle": can_handle and alarm.is_active,
            "can_ack": can_handle and alarm.status == AlarmStatus.OPEN,
            "ack_form": AcknowledgeForm(),
            "clear_form": ClearForm(),
            "breadcrumb": alarm.organization.ancestors(),
            "panels": alarm_panels(request, alarm),
        },
    )


@require_perm("alarm.handle")
@require_POST
def alarm_acknowledge(request: AuthedRequest, uuid) -> HttpResponse:
    alarm = get_for_user(Alarm, request.user, "alarm.handle", uuid=uuid)
    form = AcknowledgeForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        acknowledge_alarm(actor=request.user, alarm=alarm, note=note)
        messages.success(request, _("Alarm acknowledged."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("monitoring:alarm", uuid=alarm.uuid)


@require_perm("alarm.handle")
@require_POST
def alarm_clear(request: AuthedRequest, uuid) -> HttpResponse:
    alarm = get_for_user(Alarm, request.user, "alarm.handle", uuid=uuid)
    form = ClearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why the alarm is cleared."))
        return redirect("monitoring:alarm", uuid=alarm.uuid)
    try:
        clear_alarm(
            actor=request.user,
            alarm=alarm,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Alarm cleared."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("monitoring:alarm", uuid=alarm.uuid)


# --- Rules -----------------------------------------------------------------------------------------


@require_perm("monitoring.view")
def rule_list(request: AuthedRequest) -> HttpResponse:
    institutions = list(
        Organization.objects.for_user(request.user, "monitoring.view").filter(kind="institution")
    )
    rules = list(
        AlarmRule.objects.filter(
            Q(organization__isnull=True) | Q(organization__in=institutions)
        ).select_related("organization")
    )
    for r in rules:
        r.label = alarm_label(r.alarm_type)  # type: ignore[attr-defined]
        r.channel_label = catalogue.channel_label(r.channel)  # type: ignore[attr-defined]
        r.reference_text = catalogue.reference_text(r.reference)  # type: ignore[attr-defined]
    manageable = [i for i in institutions if can(request.user, "monitoring.manage", i)]
    return render(
        request,
        "monitoring/rules.html",
        {"rules": rules, "manageable": manageable, "kinds": dict(DeviceKind.choices), "form": SiteRuleForm()},
    )


@require_perm("monitoring.manage")
@require_POST
def rule_tighten(request: AuthedRequest) -> HttpResponse:
    rule_id = request.POST.get("rule", "")
    base = AlarmRule.objects.defaults().filter(pk=int(rule_id)).first() if rule_id.isdigit() else None
    org_uuid = request.POST.get("organization", "")
    if base is None or not org_uuid:
        messages.error(request, _("Choose a default rule and an institution."))
        return redirect("monitoring:rules")
    org = Organization.objects.for_user(request.user, "monitoring.manage").filter(uuid=org_uuid).first()
    if org is None:
        messages.error(request, _("Choose a default rule and an institution."))
        return redirect("monitoring:rules")
    form = SiteRuleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a threshold and a number of samples."))
        return redirect("monitoring:rules")
    try:
        set_site_rule(
            actor=request.user,
            organization=org,
            base=base,
            threshold=form.cleaned_data["threshold"],
            samples=form.cleaned_data["samples"],
        )
        messages.success(request, _("Site setting saved for %(org)s.") % {"org": org.name})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("monitoring:rules")


@require_perm("monitoring.manage")
@require_POST
def rule_criterion(request: AuthedRequest) -> HttpResponse:
    """An institution's rule cites a major-hazard criterion (or no longer does: an empty code)."""
    rule_id = request.POST.get("rule", "")
    org_uuid = request.POST.get("organization", "")
    try:
        org = Organization.objects.for_user(request.user, "monitoring.manage").filter(uuid=org_uuid).first()
    except ValidationError:  # empty or not a uuid
        org = None
    base = AlarmRule.objects.filter(pk=int(rule_id)).first() if rule_id.isdigit() else None
    if base is None or org is None or base.organization_id not in (None, org.pk):
        messages.error(request, _("Choose a rule and an institution."))
        return redirect("monitoring:rules")
    try:
        cite_in_rule(actor=request.user, organization=org, base=base, code=request.POST.get("code", ""))
        messages.success(request, _("Criterion saved for %(org)s.") % {"org": org.name})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("monitoring:rules")
