"""Drill photos and session materials: upload (managers) and the scoped view that serves them
(anyone who may see the drill or session; an outsider gets 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuangfang.core.photos import serve_file
from shuangfang.core.tenancy import get_for_user, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.readiness import attachments
from shuangfang.readiness.models import Attachment, Drill, Session

from .common import error_text


def _added(request: AuthedRequest, add, **owner) -> None:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
        return
    try:
        add(actor=request.user, upload=upload, title=request.POST.get("title", ""), **owner)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("File attached."))


@require_perm("readiness.manage")
@require_POST
def drill_photo_add(request: AuthedRequest, uuid) -> HttpResponse:
    drill = get_for_user(
        Drill.objects.select_related("organization"), request.user, "readiness.manage", uuid=uuid
    )
    _added(request, attachments.add_drill_photo, drill=drill)
    return redirect("readiness:drill", uuid=drill.uuid)


@require_perm("readiness.manage")
@require_POST
def session_material_add(request: AuthedRequest, uuid) -> HttpResponse:
    session = get_for_user(
        Session.objects.select_related("organization"), request.user, "readiness.manage", uuid=uuid
    )
    _added(request, attachments.add_session_material, session=session)
    return redirect("readiness:session", uuid=session.uuid)


@require_perm("readiness.view")
def attachment(request: AuthedRequest, uuid, name: str = "") -> HttpResponseBase:
    """The file as uploaded, or (``name``) a photo's "display" or "thumb" copy."""
    att = get_for_user(Attachment, request.user, "readiness.view", uuid=uuid)
    if name not in ("", "display", "thumb"):
        raise Http404
    return serve_file({"display": att.display, "thumb": att.thumb}.get(name) or att.stored_name)
