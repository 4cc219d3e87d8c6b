"""The forms of the 2014 工作规程 (求助登记表, 不予救助通知书, 自行离站声明书, 在站服务及离站登记表,
终止救助通知书) and the custody receipt as PDFs (CJK font, ``core.pdf``). The wording of the
notices is ours: the annex forms' text was not retrieved (domain-reference §5.1 lists them by name).
Numbers are masked unless the reader may show them; printing is logged like a view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuangfang.core import audit
from shuangfang.core.pdf import pdf_response, render_pdf
from shuangfang.core.tenancy import can, get_for_user
from shuangfang.core.types import AuthedRequest, Label

from . import persons
from .choices import CaseStatus, DepartureMode
from .models import Case, Letter
from .views import relief_perm

audit.register_actions({"relief.document_printed": _("Printed a help-seeker's document")})


@dataclass(frozen=True)
class Doc:
    label: Label
    available: Callable[[Case], bool]


DOCS: dict[str, Doc] = {
    "registration": Doc(_("Help-seeking registration form"), lambda c: True),
    "receipt": Doc(_("Item custody receipt"), lambda c: c.items.exists()),
    "refusal": Doc(_("Notice of refusal of assistance"), lambda c: c.status == CaseStatus.REFUSED),
    "self_departure": Doc(
        _("Self-departure declaration"), lambda c: c.departure_mode == DepartureMode.SELF_RETURN
    ),
    "departure": Doc(_("In-station service and departure register"), lambda c: c.admitted_at is not None),
    "termination": Doc(
        _("Notice of termination of assistance"), lambda c: c.departure_mode == DepartureMode.TERMINATED
    ),
}


def available(case: Case) -> list[tuple[str, Label]]:
    return [(k, d.label) for k, d in DOCS.items() if d.available(case)]


@relief_perm("relief.view")
def case_pdf(request: AuthedRequest, uuid) -> HttpResponse:
    case = get_for_user(
        Case.objects.select_related("person", "organization"), request.user, "relief.view", uuid=uuid
    )
    key = request.GET.get("doc", "registration")
    doc = DOCS.get(key)
    if doc is None or not doc.available(case):
        raise Http404
    person = case.person
    full = can(request.user, "relief.show_identity", case.organization)
    identity = {"id_number": person.id_number, "phone": person.phone} if full else persons.masked(person)
    audit.record(
        actor=request.user,
        action="relief.document_printed",
        obj=person,
        organization=case.organization,
        note=f"{case.number} {key}" + (" (full numbers)" if full else ""),
    )
    ctx = {
        "signatures": _signatures(case),
        "case": case,
        "person": person,
        "identity": identity,
        "masked": not full,
        "items": case.items.select_related("received_by", "returned_by"),
        "searches": case.searches.all(),
        "now": timezone.localtime(),
    }
    data = render_pdf(f"relief/pdf/{key}.html", ctx, request=request)
    return pdf_response(data, f"{case.number}-{key}.pdf")


@relief_perm("relief.view")
def letter_pdf(request: AuthedRequest, uuid) -> HttpResponse:
    letter = get_for_user(Letter.objects.select_related("person"), request.user, "relief.view", uuid=uuid)
    persons.log_view(actor=request.user, person=letter.person, where=request.path)
    return pdf_response(
        render_pdf("relief/pdf/letter.html", {"letter": letter}, request=request), f"{letter.number}.pdf"
    )


def _signatures(case: Case) -> list[str]:
    """The owner's signatures at the returns, as data URIs for the PDF."""
    import base64

    from django.core.files.storage import default_storage

    out = []
    names = case.items.exclude(return_signature="").values_list("return_signature", flat=True)
    for name in dict.fromkeys(names):
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as f:
                out.append("data:image/png;base64," + base64.b64encode(f.read()).decode())
    return out
