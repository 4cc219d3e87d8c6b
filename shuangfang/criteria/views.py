"""The criteria library pages: the list of standards, one standard's text with its gaps, the import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shuangfang.core.forms import add_service_errors
from shuangfang.core.tenancy import has_perm_anywhere, require_perm
from shuangfang.core.types import AuthedRequest

from . import services
from .choices import INSTITUTION_TYPE_LABELS
from .forms import ImportForm
from .importing import parse_upload
from .models import Standard


@require_perm("criteria.view")
def library(request: AuthedRequest) -> HttpResponse:
    itype = request.GET.get("type", "")
    qs = services.standards_for(request.user).annotate(items=Count("criteria"))
    if itype in INSTITUTION_TYPE_LABELS:
        qs = [s for s in qs if itype in s.institution_types]  # type: ignore[assignment]
    in_force = set(services.current(Standard.objects.all()).values_list("pk", flat=True))
    return render(
        request,
        "criteria/list.html",
        {
            "standards": qs,
            "in_force": in_force,
            "itype": itype,
            "types": INSTITUTION_TYPE_LABELS,
            "can_import": has_perm_anywhere(request.user, "criteria.import"),
        },
    )


def _note_lines(value) -> list[list[tuple[str, object]]]:
    """A note of the import file as lines of (key, value) pairs: a list gives one line per item, a
    mapping one pair per key (the key shown as the code it is), anything else one bare value."""
    items = value if isinstance(value, list) else [value]
    lines: list[list[tuple[str, object]]] = []
    for item in items:
        if isinstance(item, dict):
            lines.append([(str(k), v) for k, v in item.items()])
        else:
            lines.append([("", item)])
    return lines


@require_perm("criteria.view")
def standard(request: AuthedRequest, uuid) -> HttpResponse:
    if not has_perm_anywhere(request.user, "criteria.view"):
        raise PermissionDenied("criteria.view")
    obj = services.standards_for(request.user).filter(uuid=uuid).first()
    if obj is None:
        raise Http404
    articles = obj.articles.prefetch_related("criteria")
    return render(
        request,
        "criteria/standard.html",
        {
            "standard": obj,
            "articles": articles,
            "items": obj.criteria.count(),
            "in_force": services.current(Standard.objects.filter(pk=obj.pk)).exists(),
            "types": [INSTITUTION_TYPE_LABELS.get(t, t) for t in obj.institution_types],
            "notes": [(k, _note_lines(v)) for k, v in sorted(obj.notes.items())],
        },
    )


@require_perm("criteria.import")
def import_file(request: AuthedRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            parsed = parse_upload(form.cleaned_data["file"])
            result = services.import_standards(actor=request.user, standards=parsed, bureau=form.bureau())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Imported %(s)d standard(s): %(n)d new situations, %(u)d updated.")
                % {"s": len(result.standards), "n": result.new_items, "u": result.updated_items},
            )
            return redirect(result.standards[0].get_absolute_url())
    return render(request, "criteria/import.html", {"form": form})
