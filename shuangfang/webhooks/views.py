"""Webhook subscriptions: the list with the form to add one, one subscription with its delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuangfang.core.forms import add_service_errors
from shuangfang.core.tenancy import get_for_user, require_perm
from shuangfang.core.types import AuthedRequest

from . import services
from .forms import SubscriptionForm
from .models import Subscription


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
