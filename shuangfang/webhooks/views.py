"""Webhook subscriptions: the list with the form to add one, one subscription with its delivery log."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shuangfang.core.forms import add_service_errors
from shuangfang.core.ops import is_operator
from shuangfang.core.tenancy import get_for_user, require_perm
from shuangfang.core.types import AuthedRequest

from . import mem, services
from .forms import SubscriptionForm
from .models import MemUpload, Subscription


@require_perm("webhook.manage")
def subscriptions(request: AuthedRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None, user=request.user)
    secret = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            sub, secret = services.subscribe(
                actor=request.user, organization=d["organization"], url=d["url"], kinds=d["kinds"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Subscription saved. Copy the secret now: it is shown only once."))
            return render(request, "webhooks/secret.html", {"sub": sub, "secret": secret})
    subs = Subscription.objects.for_user(request.user, "webhook.manage").select_related("organization")
    return render(request, "webhooks/list.html", {"form": form, "subs": subs[:200], "kinds": services.KINDS})


@require_perm("webhook.manage")
def detail(request: AuthedRequest, uuid) -> HttpResponse:
    sub = get_for_user(
        Subscription.objects.select_related("organization"), request.user, "webhook.manage", uuid=uuid
    )
    deliveries = sub.deliveries.all()[:200]
    labels = [str(services.KINDS.get(k, k)) for k in sub.kinds]
    return render(request, "webhooks/detail.html", {"sub": sub, "deliveries": deliveries, "labels": labels})


@require_POST
@require_perm("webhook.manage")
def switch(request: AuthedRequest, uuid) -> HttpResponse:
    sub = get_for_user(Subscription, request.user, "webhook.manage", uuid=uuid)
    services.switch(actor=request.user, subscription=sub, on=request.POST.get("on") == "1")
    return redirect(sub.get_absolute_url())


MEM_STATES = {
    "waiting": Q(sent_at=None, superseded_at=None),
    "failing": Q(sent_at=None, superseded_at=None, attempts__gt=0),
    "sent": Q(sent_at__isnull=False),
    "superseded": Q(superseded_at__isnull=False),
}


@require_perm("system.operate")
def mem_log(request: AuthedRequest) -> HttpResponse:
    """The regulator upload's log (every institution's records: operators at the top only)."""
    if not is_operator(request.user):
        raise PermissionDenied("system.operate")
    state = request.GET.get("state", "")
    entity = request.GET.get("entity", "")
    rows = MemUpload.objects.all()
    if state in MEM_STATES:
        rows = rows.filter(MEM_STATES[state])
    if entity in mem.ENTITIES:
        rows = rows.filter(entity=entity)
    counts = [
        (name, MEM_STATE_LABELS[name], MemUpload.objects.filter(q).count())
        for name, q in MEM_STATES.items()
        if name != "superseded"
    ]
    target = urlsplit(settings.MEM_UPLOAD_URL).netloc if settings.MEM_UPLOAD_URL else ""
    ctx = {
        "rows": rows[:200],
        "counts": counts,
        "state": state,
        "entity": entity,
        "states": [(k, MEM_STATE_LABELS[k]) for k in MEM_STATES],
        "entities": [(k, MEM_ENTITY_LABELS[k]) for k in mem.ENTITIES],
        "labels": MEM_ENTITY_LABELS,
        "target": target,
    }
    return render(request, "webhooks/mem.html", ctx)


MEM_STATE_LABELS = {
    "waiting": gettext_lazy("Waiting to be sent"),
    "failing": gettext_lazy("Failing"),
    "sent": gettext_lazy("Accepted by the receiver"),
    "superseded": gettext_lazy("Replaced by a newer change"),
}
MEM_ENTITY_LABELS = {
    "object": gettext_lazy("Risk analysis object (institution)"),
    "unit": gettext_lazy("Risk analysis unit (risk point)"),
    "event": gettext_lazy("Risk event (hazard factor)"),
    "measure": gettext_lazy("Control measure"),
    "task": gettext_lazy("Check task (checklist item from a measure)"),
    "record": gettext_lazy("Check record (answer to such an item)"),
    "hazard": gettext_lazy("Hazard"),
}
