from __future__ import annotations

import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shuangfang.core.forms import add_service_errors as _form_error
from shuangfang.core.listing import Column, ListPage
from shuangfang.core.tenancy import get_for_user, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import Organization, User
from shuangfang.orgs.roles import Role

from . import links
from .choices import Channel, ContactKind, IncidentStatus, StepTarget
from .contacts import set_contact, set_quiet_hours, verify_contact
from .filters import DeliveryFilter, IncidentFilter
from .forms import ContactForm, PolicyForm, ProviderForm, QuietForm, StepFormSet, VerifyForm
from .incidents import acknowledge_incident
from .models import Contact, Delivery, EscalationPolicy, Incident, Notification, Preference, Provider
from .planning import mark_read
from .policies import POLICY_FIELDS, StepSpec, save_policy, snapshot_policy
from .providers import receipt_token, record_receipt, save_provider
from .sealing import readable

# --- Inbox ---------------------------------------------------------------------------------------


@require_perm("notifications.inbox")
def inbox(request: AuthedRequest) -> HttpResponse:
    notes = list(Notification.objects.filter(recipient=request.user).select_related("incident")[:50])
    unread = Notification.objects.filter(recipient=request.user, read_at__isnull=True).count()
    return render(request, "notifications/inbox.html", {"notes": notes, "unread": unread})


@require_perm("notifications.inbox")
@require_POST
def inbox_open(request: AuthedRequest, uuid) -> HttpResponse:
    note = get_for_user(
        Notification.objects.filter(recipient=request.user), request.user, "notifications.inbox", uuid=uuid
    )
    mark_read(actor=request.user, notification=note)
    if note.incident_id and note.incident:
        return redirect("notifications:incident", uuid=note.incident.uuid)
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts=None):
        return redirect(note.url)
    return redirect("notifications:inbox")


# --- Incidents -----------------------------------------------------------------------------------


@require_perm("notifications.incidents")
def incidents(request: AuthedRequest) -> HttpResponse:
    qs = Incident.objects.for_user(request.user, "notifications.incidents").select_related(
        "organization", "acknowledged_by"
    )
    page = ListPage(
        request,
        qs,
        columns=[
            Column(_("Opened at"), lambda i: i.opened_at),
            Column(_("Institution"), lambda i: i.organization),
            Column(_("Title"), lambda i: i.shown_title, link=lambda i: f"{i.uuid}/"),
            Column(_("Severity"), lambda i: i.get_severity_display()),
            Column(_("Status"), lambda i: i.get_status_display()),
            Column(_("Acknowledged by"), lambda i: i.acknowledged_by or ""),
            Column(_("Acknowledged at"), lambda i: i.acknowledged_at),
        ],
        template="notifications/incidents.html",
        filterset_class=IncidentFilter,
        export_name="incidents",
    )
    return page.response()


@require_perm("notifications.inbox")
def incident_detail(request: AuthedRequest, uuid) -> HttpResponse:
    incident = _incident_for(request.user, uuid)
    deliveries = (
        Delivery.objects.filter(notification__incident=incident)
        .select_related("notification__recipient", "provider")
        .order_by("created_at", "id")
    )
    return render(
        request,
        "notifications/incident.html",
        {
            "incident": incident,
            "deliveries": deliveries,
            "can_ack": incident.status == IncidentStatus.OPEN,
            "steps": [_step_text(s) for s in incident.policy_snapshot.get("steps", [])],
        },
    )


def _step_text(step: dict) -> str:
    target = StepTarget(step.get("target", StepTarget.USER)).label
    who = str(target)
    if step.get("role"):
        who = f"{target}：{Role(step['role']).label}"
    channels = "、".join(str(Channel(c).label) for c in step.get("channels", []) if c in Channel.values)
    return _("%(who)s by %(channels)s, then wait %(minutes)s min") % {
        "who": who,
        "channels": channels,
        "minutes": step.get("wait_minutes", 0),
    }


def _incident_for(user: User, uuid) -> Incident:
    """Visible to incident viewers of the institution, and to anyone it was sent to."""
    mine = Incident.objects.filter(notifications__recipient=user, uuid=uuid).first()
    if mine is not None:
        return mine
    return get_for_user(Incident, user, "notifications.incidents", uuid=uuid)


@require_perm("notifications.inbox")
@require_POST
def incident_ack(request: AuthedRequest, uuid) -> HttpResponse:
    incident = _incident_for(request.user, uuid)
    try:
        acknowledge_incident(incident=incident, actor=request.user, via="inbox")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Acknowledged. The escalation has stopped."))
    return redirect("notifications:incident", uuid=incident.uuid)


@login_not_required
def ack_link(request, token: str) -> HttpResponse:
    """The one-tap link from an SMS, a robot message or an email. GET shows what will be
    acknowledged (link previews must not acknowledge); POST acknowledges. No login needed."""
    try:
        claim = links.read_token(token)
    except links.ExpiredLink:
        return render(
            request,
            "notifications/ack_link.html",
            {"error": _("This link has expired. Open the inbox to acknowledge.")},
            status=410,
        )
    except links.BadLink:
        return render(
            request, "notifications/ack_link.html", {"error": _("This link is not valid.")}, status=400
        )
    incident = (
        Incident.objects.filter(pk=claim.incident_id)
        .select_related("organization", "acknowledged_by")
        .first()
    )
    user = User.objects.filter(pk=claim.user_id, is_active=True).first()
    if incident is None or user is None:
        return render(
            request, "notifications/ack_link.html", {"error": _("This link is not valid.")}, status=400
        )
    done = False
    if request.method == "POST":
        try:
            incident = acknowledge_incident(incident=incident, actor=user, via="link")
            done = True
        except (ValidationError, PermissionDenied) as exc:
            return render(
                request,
                "notifications/ack_link.html",
                {"error": " ".join(getattr(exc, "messages", [_("Not allowed.")])), "incident": incident},
                status=400,
            )
    return render(
        request,
        "notifications/ack_link.html",
        {"incident": incident, "person": user, "done": done, "token": token},
    )


# --- Delivery log ------------------------------------------------------------------------------


@require_perm("notifications.log")
def delivery_log(request: AuthedRequest) -> HttpResponse:
    qs = Delivery.objects.for_user(request.user, "notifications.log").select_related(
        "notification", "notification__recipient", "organization"
    )
    page = ListPage(
        request,
        qs,
        columns=[
            Column(_("Created at"), lambda d: d.created_at),
            Column(pgettext("recipient", "To"), lambda d: d.notification.recipient or _("group")),
            Column(pgettext("notification", "Channel"), lambda d: d.get_channel_display()),
            Column(_("Address"), lambda d: d.address),
            Column(_("Message"), lambda d: d.notification.shown_title),
            Column(_("Status"), lambda d: d.get_status_display()),
            Column(_("Attempts"), lambda d: d.attempts),
            Column(_("Error"), lambda d: d.last_error),
            Column(_("Sent at"), lambda d: d.sent_at),
        ],
        template="notifications/log.html",
        filterset_class=DeliveryFilter,
        export_name="deliveries",
    )
    return page.response()


# --- My channels -------------------------------------------------------------------------------


@require_perm("notifications.inbox")
def my_channels(request: AuthedRequest) -> HttpResponse:
    contacts = {c.kind: c for c in Contact.objects.filter(user=request.user)}
    pref = Preference.objects.filter(user=request.user).first()
    contact_form = ContactForm(prefix="c")
    quiet_form = QuietForm(
        prefix="q", initial={"quiet_start": pref.quiet_start, "quiet_end": pref.quiet_end} if pref else None
    )
    verify_form = VerifyForm(prefix="v")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "contact":
                contact_form = ContactForm(request.POST, prefix="c")
                if contact_form.is_valid():
                    set_contact(actor=request.user, **contact_form.cleaned_data)
                    messages.success(request, _("A code was sent. Enter it below to verify."))
                    return redirect("notifications:channels")
            elif action == "verify":
                verify_form = VerifyForm(request.POST, prefix="v")
                if verify_form.is_valid():
                    verify_contact(actor=request.user, **verify_form.cleaned_data)
                    messages.success(request, _("Verified."))
                    return redirect("notifications:channels")
            elif action == "quiet":
                quiet_form = QuietForm(request.POST, prefix="q")
                if quiet_form.is_valid():
                    set_quiet_hours(actor=request.user, **quiet_form.cleaned_data)
                    messages.success(request, _("Saved."))
                    return redirect("notifications:channels")
        except ValidationError as exc:
            form = {"contact": contact_form, "verify": verify_form}.get(action or "", quiet_form)
            _form_error(form, exc)
    return render(
        request,
        "notifications/channels.html",
        {
            "phone": contacts.get(ContactKind.PHONE),
            "email": contacts.get(ContactKind.EMAIL),
            "contact_form": contact_form,
            "verify_form": verify_form,
            "quiet_form": quiet_form,
        },
    )


# --- Providers ---------------------------------------------------------------------------------


@require_perm("notifications.configure")
def providers(request: AuthedRequest) -> HttpResponse:
    qs = list(
        Provider.objects.for_user(request.user, "notifications.configure").select_related("organization")
    )
    for p in qs:  # a secret no configured key opens is said so (never a 500): re-enter it
        p.secret_unreadable = bool(p.secret_sealed) and not readable(p.secret_sealed)
    institutions = Organization.objects.for_user(request.user, "notifications.configure").institutions()
    return render(request, "notifications/providers.html", {"providers": qs, "institutions": institutions})


@require_perm("notifications.configure")
def provider_create(request: AuthedRequest, uuid) -> HttpResponse:
    institution = get_for_user(
        Organization.objects.institutions(), request.user, "notifications.configure", uuid=uuid
    )
    return _provider_form(request, institution, None)


@require_perm("notifications.configure")
def provider_edit(request: AuthedRequest, uuid) -> HttpResponse:
    provider = get_for_user(Provider, request.user, "notifications.configure", uuid=uuid)
    return _provider_form(request, provider.organization, provider)


def _provider_form(
    request: AuthedRequest, institution: Organization, provider: Provider | None
) -> HttpResponse:
    initial = None
    if provider is not None:
        initial = {
            "kind": provider.kind,
            "name": provider.name,
            "endpoint": provider.endpoint,
            "access_key": provider.access_key,
            "secret_env": provider.secret_env,
            "params": json.dumps(provider.params, ensure_ascii=False, indent=1),
            "min_severity": provider.min_severity,
        }
    form = ProviderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_provider(
                actor=request.user, organization=institution, provider=provider, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("notifications:providers")
    title = _("Message provider for %(inst)s") % {"inst": institution.name}
    receipt_url = ""
    if provider is not None and provider.kind in {"aliyun_sms", "tencent_sms"}:
        receipt_url = f"{settings.SITE_URL}/notifications/receipts/{provider.uuid}/{receipt_token(provider)}/"
    return render(
        request,
        "notifications/form.html",
        {
            "form": form,
            "title": title,
            "has_secret": bool(provider and provider.secret_sealed),
            "receipt_url": receipt_url,
        },
    )


@login_not_required
@csrf_exempt
@require_POST
def receipt(request, uuid, token: str) -> HttpResponse:
    """Delivery reports pushed by an SMS provider (configure this URL in its console). Accepts the
    Aliyun SmsReport list (``biz_id``, ``success``, ``err_code``) and the Tencent status callback
    list (``sid``, ``report_status``, ``errmsg``)."""
    provider = Provider.objects.filter(uuid=uuid).first()
    if provider is None or not hmac.compare_digest(token, receipt_token(provider)):
        return JsonResponse({"code": 1, "result": 1, "msg": "unknown receiver"}, status=404)
    try:
        reports = json.loads(request.body or b"[]")
    except ValueError:
        return JsonResponse({"code": 1, "result": 1, "msg": "not JSON"}, status=400)
    if isinstance(reports, dict):
        reports = [reports]
    for r in reports if isinstance(reports, list) else []:
        if not isinstance(r, dict):
            continue
        if "biz_id" in r:
            ok = r.get("success") in (True, "true")
            record_receipt(
                provider=provider,
                ref=str(r["biz_id"]),
                delivered=ok,
                error=f"{r.get('err_code', '')}: {r.get('err_msg', '')}",
            )
        elif "sid" in r:
            ok = r.get("report_status") == "SUCCESS"
            record_receipt(
                provider=provider,
                ref=str(r["sid"]),
                delivered=ok,
                error=f"{r.get('errmsg', '')}: {r.get('description', '')}",
            )
    return JsonResponse({"code": 0, "result": 0, "msg": "成功", "errmsg": "OK"})


# --- Escalation policies -----------------------------------------------------------------------


@require_perm("notifications.configure")
def policies(request: AuthedRequest) -> HttpResponse:
    qs = (
        EscalationPolicy.objects.for_user(request.user, "notifications.configure")
        .select_related("organization")
        .prefetch_related("steps")
    )
    institutions = Organization.objects.for_user(request.user, "notifications.configure").institutions()
    rows = [(p, [_step_text(st) for st in snapshot_policy(p)["steps"]]) for p in qs]
    return render(request, "notifications/policies.html", {"rows": rows, "institutions": institutions})


@require_perm("notifications.configure")
def policy_create(request: AuthedRequest, uuid) -> HttpResponse:
    institution = get_for_user(
        Organization.objects.institutions(), request.user, "notifications.configure", uuid=uuid
    )
    return _policy_form(request, institution, None)


@require_perm("notifications.configure")
def policy_edit(request: AuthedRequest, uuid) -> HttpResponse:
    policy = get_for_user(EscalationPolicy, request.user, "notifications.configure", uuid=uuid)
    return _policy_form(request, policy.organization, policy)


def _policy_form(
    request: AuthedRequest, institution: Organization, policy: EscalationPolicy | None
) -> HttpResponse:
    initial = None
    steps_initial: list[dict] = []
    if policy is not None:
        initial = {f: getattr(policy, f) for f in POLICY_FIELDS}
        steps_initial = [
            {
                "target": st.target,
                "role": st.role,
                "user": st.user_id,
                "post": st.post_id,
                "channels": st.channels,
                "wait_minutes": st.wait_minutes,
            }
            for st in policy.steps.all()
        ]
    form = PolicyForm(request.POST or None, initial=initial)
    formset = StepFormSet(
        request.POST or None, initial=steps_initial, prefix="steps", form_kwargs={"institution": institution}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        steps = [
            StepSpec(
                target=f.cleaned_data["target"],
                role=f.cleaned_data.get("role") or "",
                user=f.cleaned_data.get("user"),
                post=f.cleaned_data.get("post"),
                channels=f.cleaned_data["channels"],
                wait_minutes=f.cleaned_data["wait_minutes"],
            )
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        try:
            save_policy(
                actor=request.user, organization=institution, policy=policy, steps=steps, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved. Incidents already open keep the policy they started with."))
            return redirect("notifications:policies")
    title = _("Escalation policy for %(inst)s") % {"inst": institution.name}
    return render(
        request, "notifications/policy_form.html", {"form": form, "formset": formset, "title": title}
    )
