"""The risk inventory (风险清单): the list, its PDF/Excel export, the import and its template."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from shuangfang.core import jobs
from shuangfang.core.exports import xlsx_response
from shuangfang.core.listing import Column, ListPage
from shuangfang.core.pdf import pdf_response, render_pdf
from shuangfang.core.tenancy import has_perm_anywhere, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.risks import control, inventory
from shuangfang.risks.filters import InventoryFilter
from shuangfang.risks.models import HazardFactor

from .common import user_palette

PDF_MAX = 2000  # rows of the PDF inventory (a printed ledger; the workbook has them all)


class InventoryPage(ListPage):
    """The inventory's page: the control columns of a page's risk points are computed once for the
    page (``risks.control``: one query per signal source, whatever the number of rows)."""

    signals: dict[int, control.Signals]

    def rows(self, objects) -> list[SafeString]:
        objects = list(objects)
        self.signals = control.signals_for(f.risk_point_id for f in objects)
        return super().rows(objects)

    def signal(self, factor: HazardFactor) -> control.Signals:
        if not hasattr(self, "signals") or factor.risk_point_id not in self.signals:
            self.signals = control.signals_for([factor.risk_point_id])  # the Excel export, row by row
        return self.signals[factor.risk_point_id]


def _inventory_qs(request):
    return (
        HazardFactor.objects.for_user(request.user, "risk.view")
        .filter(risk_point__is_active=True)
        .select_related("risk_point", "organization")
        .order_by("organization__path", "risk_point__number", "id")
    )


@require_perm("risk.view")
def inventory_list(request: AuthedRequest) -> HttpResponse:
    qs = _inventory_qs(request)
    if request.GET.get("export") in ("xlsx", "pdf"):
        f = InventoryFilter(request.GET or None, queryset=qs, request=request)
        filtered = f.qs if f.is_valid() else qs
        # A city's inventory runs to thousands of factors: over the limits (core.jobs) a worker
        # makes the file and the page shows its progress; smaller exports are made at once.
        if request.GET["export"] == "pdf":
            if wait := jobs.offload(request, filtered[:PDF_MAX].count(), _("Risk inventory (PDF)")):
                return wait
            rows = list(control.export_rows(filtered[:PDF_MAX]))
            headers = inventory.headers() + [str(h) for h in control.EXTRA_HEADERS]
            data = render_pdf(
                "risks/inventory_pdf.html",
                {
                    "headers": headers,
                    "rows": rows,
                    "now": timezone.localtime(),
                    "palette": user_palette(request.user),
                },
                request=request,
            )
            return pdf_response(data, "risk-inventory.pdf")
        total = filtered.count()
        title = _("Risk inventory (Excel)")
        if wait := jobs.offload(request, total, title, settings.EXPORT_IMMEDIATE_ROWS):
            return wait
        return xlsx_response(
            "risk-inventory.xlsx",
            inventory.headers() + [str(h) for h in control.EXTRA_HEADERS],
            jobs.count_rows(request, total, control.export_rows(filtered)),
            title="风险清单",
        )
    palette = user_palette(request.user)
    page = InventoryPage(
        request,
        qs,
        columns=[
            Column(_("Risk point"), lambda f: f.risk_point, link=lambda f: f.risk_point.get_absolute_url()),
            # The loop's verdict next to the point, where a phone shows it without scrolling.
            Column(_("Control status"), lambda f: page.signal(f).status_label),
            Column(_("Re-assessment"), lambda f: page.signal(f).reassessment_text),
            Column(_("Institution"), lambda f: f.organization.name),
            Column(_("Hazard factor"), lambda f: f.description),
            Column(_("GB/T 13861 class"), lambda f: f.get_factor_class_display()),
            Column(_("Possible accidents"), lambda f: "、".join(f.accident_types)),
            Column(_("Inherent level"), lambda f: f.get_inherent_level_display() if f.inherent_level else ""),
            Column(_("Residual level"), lambda f: f.get_residual_level_display() if f.residual_level else ""),
            Column(_("Monitoring method"), lambda f: page.signal(f).methods_text),
        ],
        template="risks/inventory.html",
        filterset_class=InventoryFilter,
        export_name="risk-inventory",
        context={"palette": palette, "can_edit": has_perm_anywhere(request.user, "risk.edit")},
    )
    return page.response()
