"""Equipment pages: the ledger, an item's page (what its QR label opens), labels, reporting a
problem, documents and visits."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shuangfang.core.forms import add_service_errors
from shuangfang.core.listing import Column, ListPage
from shuangfang.core.pdf import pdf_response, render_pdf
from shuangfang.core.photos import serve_file
from shuangfang.core.qr import qr_png
from shuangfang.core.tenancy import can, get_for_user, require_perm
from shuangfang.core.types import AuthedRequest

from . import services
from .filters import EquipmentFilter
from .forms import DocumentForm, EquipmentForm, ReportForm, VisitForm
from .models import Document, Equipment

COLUMNS = [
    Column(gettext_lazy("Code"), lambda e: e.code, link=lambda e: e.get_absolute_url()),
    Column(gettext_lazy("Name"), lambda e: e.name),
    Column(gettext_lazy("Kind"), lambda e: e.get_kind_display()),
    Column(gettext_lazy("Place"), lambda e: e.place),
    Column(gettext_lazy("Institution"), lambda e: e.organization.name),
    Column(gettext_lazy("End of service life"), lambda e: e.expires_on),
    Column(gettext_lazy("Next statutory inspection"), lambda e: e.next_inspection_on),
    Column(gettext_lazy("Flag"), lambda e: _flag(e)),
]


def _flag(e: Equipment) -> str:
    today = timezone.localdate()
    flags = []
    if e.past_life(today):
        flags.append(_("Past its service life: scrap it"))
    if e.inspection_overdue(today):
        flags.append(_("Statutory inspection overdue"))
    return "; ".join(flags)


def _qs(user, perm="equipment.view"):
    return Equipment.objects.for_user(user, perm).select_related("organization", "risk_point")


@require_perm("equipment.view")
def equipment_list(request: AuthedRequest) -> HttpResponse:
    from shuangfang.orgs.models import Organization, OrgKind

    from . import stats

    institutions = list(
        Organization.objects.for_user(request.user, "equipment.view")
        .filter(kind=OrgKind.INSTITUTION)
        .order_by("name")
    )
    per = stats.figures([i.pk for i in institutions])
    figures = stats.total(per.values())
    by_institution = [{"institution": i, **per[i.pk]} for i in institutions] if len(institutions) > 1 else []
    page = ListPage(
        request,
        _qs(request.user).filter(is_active=True),
        filterset_class=EquipmentFilter,
        columns=COLUMNS,
        template="equipment/list.html",
        export_name="equipment-ledger",
        context={
            "can_manage": can_manage_somewhere(request.user),
            "figures": figures,
            "by_institution": by_institution,
        },
    )
    return page.response()


def can_manage_somewhere(user) -> bool:
    from shuangfang.core.tenancy import has_perm_anywhere

    return has_perm_anywhere(user, "equipment.manage")


def _form_data(form) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "organization"}


@require_perm("equipment.manage")
def create(request: AuthedRequest) -> HttpResponse:
    form = EquipmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.register_equipment(
                actor=request.user, organization=form.cleaned_data["organization"], **_form_data(form)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Registered as %(code)s.") % {"code": item.code})
            return redirect(item.get_absolute_url())
    return render(request, "equipment/form.html", {"form": form, "title": _("Register equipment")})


@require_perm("equipment.manage")
def edit(request: AuthedRequest, uuid) -> HttpResponse:
    item = get_for_user(_qs(request.user), request.user, "equipment.manage", uuid=uuid)
    initial = {f: getattr(item, f) for f in services.FIELDS}
    initial["risk_point"] = item.risk_point.uuid if item.risk_point else None
    form = EquipmentForm(request.POST or None, user=request.user, item=item, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_equipment(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(item.get_absolute_url())
    return render(request, "equipment/form.html", {"form": form, "title": str(item), "item": item})


@require_perm("equipment.view")
def detail(request: AuthedRequest, uuid) -> HttpResponse:
    """What the QR label opens: the item, its checks due now (done on the spot) and a button to
    report a problem with it."""
    from shuangfang.inspections.taskflow import my_tasks_page

    item = get_for_user(_qs(request.user), request.user, "equipment.view", uuid=uuid)
    tasks = []
    if item.checkpoint_id and can(request.user, "inspection.do", item.organization):
        tasks = my_tasks_page(request.user, checkpoint=item.checkpoint)
    today = timezone.localdate()
    return render(
        request,
        "equipment/detail.html",
        {
            "item": item,
            "kind": item.kind_data,
            "tasks": tasks,
            "documents": list(item.documents.all()),
            "visits": list(item.visits.select_related("report")),
            "past_life": item.past_life(today),
            "overdue": item.inspection_overdue(today),
            "can_manage": can(request.user, "equipment.manage", item.organization),
            "can_report": can(request.user, "hazard.report", item.organization),
        },
    )


@require_perm("hazard.report")
def report(request: AuthedRequest, uuid) -> HttpResponse:
    item = get_for_user(_qs(request.user, "hazard.report"), request.user, "hazard.report", uuid=uuid)
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        photo = form.cleaned_data.get("photo")
        try:
            hazard = services.report_problem(
                actor=request.user,
                item=item,
                description=form.cleaned_data["description"],
                photos=[photo] if photo else [],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Reported as %(number)s. Thank you.") % {"number": hazard.number})
            return redirect("hazards:detail", uuid=hazard.uuid)
    return render(request, "equipment/report.html", {"form": form, "item": item})


# --- Labels --------------------------------------------------------------------------------------


@require_perm("equipment.view")
def label_png(request: AuthedRequest, uuid) -> HttpResponse:
    item = get_for_user(_qs(request.user), request.user, "equipment.view", uuid=uuid)
    return HttpResponse(qr_png(item.get_absolute_url(), scale=8), content_type="image/png")


LABELS_MAX = 300


@require_perm("equipment.view")
def labels_pdf(request: AuthedRequest) -> HttpResponse:
    """Printable QR labels (the filtered ledger, or one item with ``?item=<uuid>``)."""
    qs = _qs(request.user).filter(is_active=True)
    if request.GET.get("item"):
        qs = qs.filter(pk=get_for_user(qs, request.user, "equipment.view", uuid=request.GET["item"]).pk)
    else:
        qs = EquipmentFilter(request.GET or None, queryset=qs, request=request).qs
    items = list(qs[: LABELS_MAX + 1])
    if not items:
        messages.info(request, _("No equipment to print a label for."))
        return redirect("equipment:list")
    if len(items) > LABELS_MAX:
        messages.error(
            request, _("Choose at most %(n)s items to print (filter the list).") % {"n": LABELS_MAX}
        )
        return redirect("equipment:list")
    labels = [
        {"item": e, "qr": base64.b64encode(qr_png(e.get_absolute_url(), scale=5)).decode()} for e in items
    ]
    data = render_pdf("equipment/labels_pdf.html", {"labels": labels}, request=request)
    return pdf_response(data, "equipment-labels.pdf")


# --- Documents and visits ------------------------------------------------------------------------


@require_perm("equipment.manage")
def add_document(request: AuthedRequest, uuid) -> HttpResponse:
    item = get_for_user(_qs(request.user), request.user, "equipment.manage", uuid=uuid)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_document(
                actor=request.user,
                item=item,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(item.get_absolute_url())
    return render(
        request,
        "equipment/form.html",
        {"form": form, "title": _("Add a document"), "item": item, "multipart": True},
    )


@require_perm("equipment.view")
def document(request: AuthedRequest, uuid) -> HttpResponse | FileResponse:
    doc = Document.objects.select_related("equipment").filter(uuid=uuid).first()
    if doc is None:
        raise Http404
    get_for_user(Equipment, request.user, "equipment.view", pk=doc.equipment_id)
    ext = doc.stored_name.rsplit(".", 1)[-1]
    return serve_file(doc.stored_name, download_name=f"{doc.equipment.code}-{doc.uuid.hex[:8]}.{ext}")


@require_perm("equipment.manage")
def add_visit(request: AuthedRequest, uuid) -> HttpResponse:
    item = get_for_user(_qs(request.user), request.user, "equipment.manage", uuid=uuid)
    form = VisitForm(
        request.POST or None, request.FILES or None, initial={"visited_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_visit(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Visit recorded."))
            return redirect(item.get_absolute_url())
    return render(
        request,
        "equipment/form.html",
        {"form": form, "title": _("Record a maintenance visit"), "item": item, "multipart": True},
    )


@require_POST
@require_perm("equipment.manage")
def retire(request: AuthedRequest, uuid) -> HttpResponse:
    item = get_for_user(_qs(request.user), request.user, "equipment.manage", uuid=uuid)
    services.update_equipment(actor=request.user, item=item, is_active=False)
    messages.success(request, _("%(item)s is no longer in use.") % {"item": item})
    return redirect(reverse("equipment:list"))
