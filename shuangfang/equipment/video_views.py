"""Camera and recorder pages: the cameras with their latest retention check, one camera's page
(with the link out to the vendor's live view; the product does not stream video)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shuangfang.core.forms import add_service_errors
from shuangfang.core.listing import Column, ListPage
from shuangfang.core.tenancy import get_for_user, has_perm_anywhere, require_perm
from shuangfang.core.types import AuthedRequest

from . import video
from .catalogue import RETENTION_RULE_TEXT
from .forms import CameraForm, RecorderForm
from .models import Camera, RetentionCheck


def _latest(camera: Camera) -> RetentionCheck | None:
    return camera.checks.order_by("-day").first()


COLUMNS = [
    Column(gettext_lazy("Camera"), lambda c: c.name, link=lambda c: c.get_absolute_url()),
    Column(gettext_lazy("Place"), lambda c: c.risk_point or ""),
    Column(gettext_lazy("Recorder"), lambda c: f"{c.recorder.name} · {c.channel}"),
    Column(gettext_lazy("Institution"), lambda c: c.organization.name),
    Column(gettext_lazy("Latest retention check"), lambda c: c.latest_text),
]


@require_perm("equipment.view")
def cameras(request: AuthedRequest) -> HttpResponse:
    qs = (
        Camera.objects.for_user(request.user, "equipment.view")
        .filter(is_active=True)
        .select_related("organization", "recorder", "risk_point")
        .with_latest()
    )
    page = ListPage(
        request,
        qs,
        columns=COLUMNS,
        template="equipment/cameras.html",
        export_name="cameras",
        context={
            "rule": RETENTION_RULE_TEXT,
            "can_manage": has_perm_anywhere(request.user, "equipment.manage"),
        },
    )
    return page.response()


@require_perm("equipment.view")
def camera(request: AuthedRequest, uuid) -> HttpResponse:
    cam = get_for_user(
        Camera.objects.select_related("organization", "recorder", "risk_point"),
        request.user,
        "equipment.view",
        uuid=uuid,
    )
    return render(
        request,
        "equipment/camera.html",
        {
            "camera": cam,
            "checks": list(cam.checks.all()[:31]),
            "live_url": cam.live_url or cam.recorder.live_url,
        },
    )


@require_perm("equipment.manage")
def recorder_create(request: AuthedRequest) -> HttpResponse:
    form = RecorderForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            video.create_recorder(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("equipment:camera_create")
    return render(request, "equipment/form.html", {"form": form, "title": _("Register a video recorder")})


@require_perm("equipment.manage")
def camera_create(request: AuthedRequest) -> HttpResponse:
    form = CameraForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            cam = video.create_camera(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(cam.get_absolute_url())
    return render(request, "equipment/form.html", {"form": form, "title": _("Register a camera")})
