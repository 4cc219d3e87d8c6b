"""Pages of relief casework. Everyone without the page's permission at a relief station gets 404
(an elderly home's staff learn nothing, not even that the pages exist)."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from shuangfang.core.photos import serve_file
from shuangfang.core.tenancy import can, get_for_user, has_perm_anywhere, require_perm
from shuangfang.core.types import AuthedRequest
from shuangfang.orgs.models import InstitutionType, Organization

from . import cases, persons, stay
from .choices import CLOSED_STATUSES, CaseStatus
from .forms import MOVE_FORMS, RECORD_FORMS, RegisterForm, show_errors
from .models import Case, Person


def relief_perm(perm: str) -> Callable:
    """``require_perm`` that answers 404 instead of 403 to someone without ``perm`` anywhere."""

    def decorator(view: Callable) -> Callable:
        inner = require_perm(perm)(view)

        @functools.wraps(inner)
        def wrapped(request, *args, **kwargs):
            if not has_perm_anywhere(request.user, perm):
                raise Http404
            return inner(request, *args, **kwargs)

        return wrapped

    return decorator


def stations(user, perm: str = "relief.view") -> list[Organization]:
    return list(
        Organization.objects.for_user(user, perm)
        .institutions()
        .filter(institution_type=InstitutionType.RELIEF_STATION, is_active=True)
        .order_by("name")
    )


def chosen_station(request: AuthedRequest, perm: str = "relief.view") -> tuple[Organization, list]:
    mine = stations(request.user, perm)
    if not mine:
        raise Http404
    pick = next((s for s in mine if str(s.uuid) == request.GET.get("org")), mine[0])
    return pick, mine


@relief_perm("relief.view")
def index(request: AuthedRequest) -> HttpResponse:
    """The reception desk's board: people at entry, the "still here" list, the last departures."""
    station, mine = chosen_station(request)
    qs = Case.objects.filter(organization=station).select_related("person")
    today = timezone.localdate()
    ctx = {
        "station": station,
        "stations": mine,
        "entering": qs.exclude(status__in=[*CLOSED_STATUSES, CaseStatus.IN_STATION]).order_by(
            "registered_at"
        ),
        "here": stay.still_here(qs, today),
        "recent": qs.filter(status__in=CLOSED_STATUSES).order_by("-registered_at")[:10],
        "can_manage": can(request.user, "relief.manage", station),
        "can_export": can(request.user, "relief.export", station),
        "today": today,
    }
    return render(request, "relief/index.html", ctx)


@relief_perm("relief.manage")
def register(request: AuthedRequest) -> HttpResponse:
    station, _mine = chosen_station(request, "relief.manage")
    form = RegisterForm(request.POST or None, request.FILES or None)
    candidates: list[Person] = []
    if request.method == "POST" and form.is_valid():
        fields = form.person_fields()
        candidates = persons.matches(station, fields)
        choice = request.POST.get("match", "")
        matched = next((p for p in candidates if str(p.uuid) == choice), None)
        if candidates and not choice:
            form.add_error(None, _("This may be someone the station helped before: confirm below."))
        else:
            try:
                case = cases.open_case(
                    actor=request.user,
                    organization=station,
                    person_fields=fields,
                    case_fields=form.case_fields(),
                    person=matched,
                    accept_id_warning=form.cleaned_data["accept_id_warning"],
                    photo=form.cleaned_data.get("photo"),
                )
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                messages.success(request, _("Registered as %(n)s.") % {"n": case.number})
                return redirect("relief:case", uuid=case.uuid)
    ctx = {"form": form, "station": station, "candidates": [(p, persons.masked(p)) for p in candidates]}
    return render(request, "relief/register.html", ctx, status=400 if form.errors else 200)


def _detail(request: AuthedRequest, case: Case, *, forms=None, revealed=None, status=200) -> HttpResponse:
    from . import documents

    persons.log_view(actor=request.user, person=case.person, where=request.path)
    manage = can(request.user, "relief.manage", case.organization)
    actions = [t.action for t in cases.FLOW.actions_for(case, request.user)] if manage else []
    forms = forms or {}
    move_forms = {a: forms.get(a) or MOVE_FORMS[a](prefix=a) for a in actions}
    record_forms = {}
    if manage and case.status not in CLOSED_STATUSES:
        initial: dict[str, dict] = {
            "stay": {"zone": case.zone, "bed": case.bed, "services_note": case.services_note},
            "search": {"on": timezone.localdate(), "done": True},
        }
        record_forms = {
            k: forms.get(k) or f(prefix=k, initial=initial.get(k)) for k, f in RECORD_FORMS.items()
        }
    ctx = {
        "case": case,
        "person": case.person,
        "identity": revealed or persons.masked(case.person),
        "revealed": revealed is not None,
        "can_reveal": can(request.user, "relief.show_identity", case.organization),
        "move_forms": move_forms,
        "record_forms": record_forms,
        "items": case.items.all(),
        "open_items": [i for i in case.items.all() if not i.returned_at and not i.prohibited],
        "extensions": case.extensions.select_related("by"),
        "searches": case.searches.all(),
        "period_end": stay.period_end(case) if case.admitted_at else None,
        "documents": documents.available(case),
        "history": case.person.cases.exclude(pk=case.pk).order_by("-registered_at"),
    }
    return render(request, "relief/case.html", ctx, status=status)


def _case(request: AuthedRequest, uuid, perm: str) -> Case:
    return get_for_user(Case.objects.select_related("person", "organization"), request.user, perm, uuid=uuid)


@relief_perm("relief.view")
def case_detail(request: AuthedRequest, uuid) -> HttpResponse:
    return _detail(request, _case(request, uuid, "relief.view"))


@relief_perm("relief.show_identity")
@require_POST
def case_identity(request: AuthedRequest, uuid) -> HttpResponse:
    case = _case(request, uuid, "relief.show_identity")
    return _detail(request, case, revealed=persons.reveal(actor=request.user, person=case.person))


@relief_perm("relief.manage")
@require_POST
def case_move(request: AuthedRequest, uuid) -> HttpResponse:
    case = _case(request, uuid, "relief.manage")
    action = request.POST.get("action", "")
    if action not in MOVE_FORMS:
        raise Http404
    form = MOVE_FORMS[action](request.POST, prefix=action)
    if form.is_valid():
        try:
            cases.move(case, action, actor=request.user, **form.cleaned_data)
        except PermissionDenied:
            raise
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("relief:case", uuid=case.uuid)
    return _detail(request, case, forms={action: form}, status=400)


@relief_perm("relief.manage")
@require_POST
def case_record(request: AuthedRequest, uuid) -> HttpResponse:
    """Custody items, returns, extensions, search actions and the stay (zone, bed, services)."""
    case = _case(request, uuid, "relief.manage")
    what = request.POST.get("what", "")
    if what == "return":
        try:
            ids = [int(i) for i in request.POST.getlist("items")]
            stay.return_items(
                actor=request.user, case=case, item_ids=ids, signature=request.POST.get("signature", "")
            )
        except ValueError:
            messages.error(request, _("Choose the items to return."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Items returned."))
        return redirect("relief:case", uuid=case.uuid)
    if what not in RECORD_FORMS:
        raise Http404
    form = RECORD_FORMS[what](request.POST, prefix=what)
    if form.is_valid():
        call: dict[str, Callable] = {
            "item": stay.take_item,
            "extend": stay.extend,
            "search": stay.record_search,
            "stay": stay.update_stay,
        }
        try:
            call[what](actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{reverse('relief:case', kwargs={'uuid': case.uuid})}#{what}")
    return _detail(request, case, forms={what: form}, status=400)


@relief_perm("relief.view")
def case_photo(request: AuthedRequest, uuid) -> FileResponse:
    case = _case(request, uuid, "relief.view")
    return serve_file(case.person.photo_thumb if request.GET.get("size") == "thumb" else case.person.photo)


@relief_perm("relief.export")
def export(request: AuthedRequest) -> FileResponse:
    """The station's cases as a spreadsheet: a separate right, and every export is audited. ID and
    phone numbers stay masked in the file."""
    from shuangfang.core import audit
    from shuangfang.core.exports import xlsx_response

    from .identity import mask_id

    station, _mine = chosen_station(request, "relief.export")
    rows = list(
        Case.objects.filter(organization=station).select_related("person").order_by("registered_at")[:10000]
    )
    audit.record(
        actor=request.user,
        action="relief.exported",
        obj=station,
        organization=station,
        note=_("%(n)s cases") % {"n": len(rows)},
    )
    headers = [
        _("Case number"),
        pgettext("relief", "Name"),
        _("Sex"),
        _("Date of birth"),
        _("Document number"),
        _("Status"),
        _("Registered at"),
        _("Admitted at"),
        _("Departed at"),
        _("Departure mode"),
    ]
    data = (
        (
            c.number,
            c.person.name,
            c.person.get_sex_display(),
            c.person.birth_date,
            mask_id(c.person.id_number),
            c.get_status_display(),
            _local(c.registered_at),
            _local(c.admitted_at),
            _local(c.departed_at),
            c.get_departure_mode_display(),
        )
        for c in rows
    )
    return xlsx_response(
        f"{station.name}-{timezone.localdate():%Y%m%d}.xlsx", headers, data, title=_("Cases")
    )


def _local(at):
    return timezone.localtime(at).replace(tzinfo=None) if at else None
