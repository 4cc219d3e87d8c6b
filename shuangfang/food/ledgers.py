"""The ledgers inspectors ask for (台账): deliveries and acceptance, samples, tableware
disinfection, morning checks and the supplier file. Each is a filterable list with its Excel export
(``core.listing``) and a printable PDF of one month (``core.pdf``, Noto Sans CJK)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from shuangfang.core.listing import Column, ListPage, display
from shuangfang.core.pdf import pdf_response, render_pdf
from shuangfang.core.tenancy import require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.core.views import bad_request

from . import rules
from .choices import RuleKey
from .filters import DisinfectionFilter, MorningCheckFilter, PurchaseLineFilter, SampleFilter, SupplierFilter
from .meals import due_at
from .models import Disinfection, MorningCheck, PurchaseLine, Sample, Supplier, SupplierLicence

PDF_MAX_ROWS = 2000


def _yes(v: bool) -> str:
    return _("Yes") if v else _("No")


def _purchase_columns() -> list[Column]:
    link = lambda ln: reverse("food:purchase_detail", args=[ln.purchase.uuid])  # noqa: E731
    return [
        Column(_("Delivered at"), lambda ln: ln.purchase.delivered_at, link=link),
        Column(_("Institution"), lambda ln: ln.organization.name),
        Column(_("Supplier"), lambda ln: ln.purchase.supplier.name),
        Column(_("Food"), lambda ln: ln.item.name),
        Column(_("Quantity"), lambda ln: ln.quantity),
        Column(_("Unit"), lambda ln: ln.item.unit),
        Column(_("Batch"), lambda ln: ln.batch),
        Column(_("Production date"), lambda ln: ln.production_date),
        Column(_("Use by"), lambda ln: ln.use_by),
        Column(_("Sensory check"), lambda ln: _("Normal") if ln.sensory_ok else _("Abnormal")),
        Column(_("Temperature (°C)"), lambda ln: ln.temperature_c),
        Column(
            pgettext("acceptance", "Decision"), lambda ln: _("Accepted") if ln.accepted else _("Rejected")
        ),
        Column(_("Reason for rejection"), lambda ln: ln.reject_reason),
        Column(_("Ticket"), lambda ln: _("Yes") if ln.purchase.original else _("Missing")),
        Column(_("Accepted by"), lambda ln: ln.purchase.received_by),
    ]


def _sample_columns(keep: Callable[[Any], Any]) -> list[Column]:
    return [
        Column(
            _("Date"), lambda s: s.meal.day, link=lambda s: reverse("food:meal_detail", args=[s.meal.uuid])
        ),
        Column(_("Institution"), lambda s: s.organization.name),
        Column(_("Meal"), lambda s: s.meal.get_kind_display()),
        Column(_("Dish"), lambda s: s.dish.name),
        Column(_("Weight (g)"), lambda s: s.weight_g),
        Column(_("Container label"), lambda s: s.label),
        Column(_("Refrigerator"), lambda s: s.fridge.name if s.fridge else ""),
        Column(_("Put in at"), lambda s: s.taken_at),
        Column(_("Kept by"), lambda s: s.taken_by),
        Column(_("Keep until"), lambda s: due_at(s, keep(s))),
        Column(_("Disposed of at"), lambda s: s.disposed_at),
        Column(_("Disposed of by"), lambda s: s.disposed_by or ""),
        Column(_("Findings"), _sample_findings),
    ]


def _sample_findings(s: Sample) -> str:
    found = [
        str(t)
        for flag, t in (
            (s.flagged_weight_at, _("under weight")),
            (s.flagged_early_at, _("disposed of early")),
        )
        if flag
    ]
    return "、".join(found)


def _disinfection_columns() -> list[Column]:
    return [
        Column(
            _("Date"), lambda d: d.meal.day, link=lambda d: reverse("food:meal_detail", args=[d.meal.uuid])
        ),
        Column(_("Institution"), lambda d: d.organization.name),
        Column(_("Meal"), lambda d: d.meal.get_kind_display()),
        Column(_("Method"), lambda d: d.get_method_display()),
        Column(_("Tableware"), lambda d: d.items),
        Column(_("Minutes"), lambda d: d.minutes),
        Column(_("Temperature (°C)"), lambda d: d.temperature_c),
        Column(_("Done at"), lambda d: d.done_at),
        Column(_("Done by"), lambda d: d.done_by),
        Column(_("Note"), lambda d: d.note),
    ]


def _morning_columns() -> list[Column]:
    return [
        Column(_("Date"), lambda c: c.day, link=lambda c: reverse("food:staff_detail", args=[c.staff.uuid])),
        Column(_("Institution"), lambda c: c.organization.name),
        Column(_("Name"), lambda c: c.staff.name),
        Column(_("Body temperature (°C)"), lambda c: c.temperature_c),
        Column(_("Fever"), lambda c: _yes(c.fever)),
        Column(_("Diarrhoea or vomiting"), lambda c: _yes(c.diarrhoea)),
        Column(_("Wound or infection on the hands"), lambda c: _yes(c.hand_wound)),
        Column(_("Other symptoms"), lambda c: c.other),
        Column(_("On duty today"), lambda c: _yes(c.fit)),
        Column(_("Checked by"), lambda c: c.checked_by),
    ]


def _supplier_columns() -> list[Column]:
    today = timezone.localdate()

    def licences(s: Supplier) -> str:
        until = _("valid until")
        return "；".join(
            " ".join(
                x
                for x in (lc.get_kind_display(), lc.number, until, str(lc.valid_until or _("no expiry")))
                if x
            )
            for lc in s.licences.all()
        )

    def state(s: Supplier) -> str:
        ls = list(s.licences.all())
        if not ls:
            return _("No licence on file")
        if any(lc.valid_until is not None and lc.valid_until < today for lc in ls):
            return _("Licence expired")
        return _("Valid")

    return [
        Column(_("Name"), lambda s: s.name, link=lambda s: reverse("food:supplier_detail", args=[s.uuid])),
        Column(_("Institution"), lambda s: s.organization.name),
        Column(_("Contact person"), lambda s: s.contact),
        Column(_("Phone"), lambda s: s.phone),
        Column(_("Address"), lambda s: s.address),
        Column(_("Certificates"), licences),
        Column(_("State"), state),
        Column(_("Active"), lambda s: _yes(s.is_active)),
    ]


@dataclass(frozen=True)
class Ledger:
    title: Any
    filterset: type
    queryset: Callable[[AuthedRequest], Any]
    columns: Callable[[AuthedRequest], list[Column]]


def _keep_hours(request: AuthedRequest) -> Callable[[Sample], Any]:
    cache: dict[int, Any] = {}

    def keep(s: Sample):
        if s.organization_id not in cache:
            cache[s.organization_id] = rules.value(s.organization, RuleKey.SAMPLE_KEEP_HOURS)
        return cache[s.organization_id]

    return keep


LEDGERS: dict[str, Ledger] = {
    "purchases": Ledger(
        gettext_lazy("Purchase and acceptance ledger"),
        PurchaseLineFilter,
        lambda r: (
            PurchaseLine.objects.for_user(r.user, "food.view")
            .select_related("organization", "item", "purchase", "purchase__supplier", "purchase__received_by")
            .order_by("-purchase__delivered_at", "pk")
        ),
        lambda r: _purchase_columns(),
    ),
    "samples": Ledger(
        gettext_lazy("Sample ledger"),
        SampleFilter,
        lambda r: (
            Sample.objects.for_user(r.user, "food.view")
            .select_related("organization", "meal", "dish", "fridge", "taken_by", "disposed_by")
            .order_by("-meal__day", "meal__ends_at", "pk")
        ),
        lambda r: _sample_columns(_keep_hours(r)),
    ),
    "disinfection": Ledger(
        gettext_lazy("Tableware disinfection ledger"),
        DisinfectionFilter,
        lambda r: (
            Disinfection.objects.for_user(r.user, "food.view")
            .select_related("organization", "meal", "done_by")
            .order_by("-done_at")
        ),
        lambda r: _disinfection_columns(),
    ),
    "morning-checks": Ledger(
        gettext_lazy("Morning check ledger"),
        MorningCheckFilter,
        lambda r: (
            MorningCheck.objects.for_user(r.user, "food.view")
            .select_related("organization", "staff", "checked_by")
            .order_by("-day", "staff__name")
        ),
        lambda r: _morning_columns(),
    ),
    "suppliers": Ledger(
        gettext_lazy("Supplier file"),
        SupplierFilter,
        lambda r: (
            Supplier.objects.for_user(r.user, "food.view")
            .select_related("organization")
            .prefetch_related(Prefetch("licences", queryset=SupplierLicence.objects.order_by("kind")))
            .order_by("organization__name", "name")
        ),
        lambda r: _supplier_columns(),
    ),
}


def url_name(kind: str) -> str:
    return f"ledger_{kind.replace('-', '_')}"


def _ledger(kind: str) -> Ledger:
    ledger = LEDGERS.get(kind)
    if ledger is None:
        raise Http404
    return ledger


@require_perm("food.view")
def ledger(request: AuthedRequest, kind: str) -> HttpResponse:
    led = _ledger(kind)
    page = ListPage(
        request,
        led.queryset(request),
        filterset_class=led.filterset,
        columns=led.columns(request),
        template="food/ledger.html",
        export_name=str(led.title),
        context={
            "title": led.title,
            "kind": kind,
            "ledgers": [(key, x.title, reverse(f"food:{url_name(key)}")) for key, x in LEDGERS.items()],
            "pdf_url": reverse(f"food:{url_name(kind)}_pdf"),
        },
    )
    return page.response()


@require_perm("food.view")
def ledger_pdf(request: AuthedRequest, kind: str) -> HttpResponse:
    """One month of a ledger, printable (``?month=YYYY-MM``; default this month)."""
    led = _ledger(kind)
    params = request.GET.copy()
    params.setdefault("month", timezone.localdate().strftime("%Y-%m"))
    f = led.filterset(params, queryset=led.queryset(request), request=request)
    if not f.is_valid():
        return bad_request(request, " ".join(str(e) for errs in f.errors.values() for e in errs))
    cols = led.columns(request)
    objects = list(f.qs[: PDF_MAX_ROWS + 1])
    rows = [[display(c.value(o)) for c in cols] for o in objects[:PDF_MAX_ROWS]]
    org = f.form.cleaned_data.get("organization")
    data = render_pdf(
        "food/ledger_pdf.html",
        {
            "title": led.title,
            "headers": [c.label for c in cols],
            "rows": rows,
            "truncated": len(objects) > PDF_MAX_ROWS,
            "limit": PDF_MAX_ROWS,
            "month": f.form.cleaned_data["month"],
            "organization": org,
            "now": timezone.now(),
        },
        request=request,
    )
    return pdf_response(data, f"{led.title}-{params['month']}.pdf")
