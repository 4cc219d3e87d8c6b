"""Filter dropdowns that stay small: search-as-you-type for long lists.

A bureau user's "Institution" filter used to render every institution and department of the city
(two queries and hundreds of ``<option>`` on every list page, a quarter of the page's time). A list
registers a **chooser** once, by name, with the permission it is scoped by and the rows it offers::

    choosers.register("hazards.institution", "hazard.view",
                      lambda user: Organization.objects.for_user(user, "hazard.view").exclude(...))

and its filter calls :func:`attach` in ``__init__``. For a person whose scope is one institution (a
short list) the field stays an ordinary ``<select>``. For anyone who sees more (a district or a
bureau), the field is a ``<select>`` holding only the chosen row (no query when nothing is chosen)
and a search box beside it: typing asks ``/choose/?list=<name>&q=…`` (htmx) for the first matches, which
replace the select's options. Matching is by name, on the same scoped rows the filter accepts, so a
person can never pick, or learn the name of, a row outside their scope.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import permissions
from .tenancy import _memberships, has_perm_anywhere, require_perm, scope_roots

SUGGESTIONS = 20  # matches offered at a time


@dataclass(frozen=True)
class Chooser:
    name: str
    perm: str
    rows: Callable[..., QuerySet]  # (user) -> the scoped rows offered
    search: tuple[str, ...] = ("name",)


_REGISTRY: dict[str, Chooser] = {}


def register(
    name: str, perm: str, rows: Callable[..., QuerySet], search: tuple[str, ...] = ("name",)
) -> None:
    permissions.get(perm)  # fail at import on an undeclared permission
    _REGISTRY[name] = Chooser(name, perm, rows, search)


def wide_scope(user, perm: str) -> bool:
    """Whether ``user``'s scope for ``perm`` reaches above one institution (a district, a bureau,
    everywhere): then lists of institutions or departments are long. Free: it reads the memberships
    the request has already loaded (``core.tenancy``, cached across requests)."""
    roots = scope_roots(user, perm)
    if roots is None:
        return True
    narrow: set[str] = set()
    for m in _memberships(user):
        org = m.organization
        if org.institution_id is not None:
            narrow.add(org.path)
            if org.institution is not None:
                narrow.add(org.institution.path)
    return any(root not in narrow for root in roots)


class SearchSelect(forms.Select):
    """A ``<select>`` that renders only the chosen option, with a search box that loads matches."""

    template_name = "core/widgets/search_select.html"

    def __init__(self, chooser: str, attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.chooser = chooser

    def optgroups(self, name, value, attrs=None):
        chosen = [v for v in value if v not in ("", None)]
        iterator: Any = self.choices  # a ModelChoiceIterator: its field and queryset
        options = [self.create_option(name, "", iterator.field.empty_label or "", False, 0)]
        if chosen:
            for i, obj in enumerate(iterator.queryset.filter(pk__in=chosen)[:5], start=1):
                options.append(
                    self.create_option(name, str(obj.pk), iterator.field.label_from_instance(obj), True, i)
                )
        return [(None, options, 0)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["suggest_url"] = reverse("core:choose")
        context["widget"]["chooser"] = self.chooser
        context["widget"]["search_label"] = _("Type to search")
        return context


def attach(filterset, field: str, chooser: str, request: HttpRequest | None) -> None:
    """Give ``filterset.filters[field]`` the chooser's rows, as a search box when they are many."""
    spec = _REGISTRY[chooser]
    if request is None:
        return
    flt = filterset.filters[field]
    flt.queryset = spec.rows(request.user)
    if wide_scope(request.user, spec.perm):
        flt.extra["widget"] = SearchSelect(chooser)


@require_perm("org.view")
def suggest(request: HttpRequest) -> HttpResponse:
    """``<option>`` rows for the search box of chooser ``?list=<name>``: the chosen row (named by
    ``?field=<the filter's name>`` and that parameter) first, then the first matches of ``?q=``."""
    name = request.GET.get("list", "")
    spec = _REGISTRY.get(name)
    if spec is None:
        if name:
            raise Http404
        return HttpResponse("")
    if not has_perm_anywhere(request.user, spec.perm):
        raise PermissionDenied(spec.perm)
    rows = spec.rows(request.user)
    term = request.GET.get("q", "").strip()[:60]
    chosen = request.GET.get(request.GET.get("field", ""), "")
    found = list(rows.filter(pk=int(chosen))[:1]) if chosen.isdigit() else []
    matches = rows.exclude(pk__in=[o.pk for o in found])
    if term:
        cond = Q()
        for field in spec.search:
            cond |= Q(**{f"{field}__icontains": term})
        matches = matches.filter(cond)
    found += list(matches.order_by(*spec.search, "pk")[:SUGGESTIONS])
    context = {"rows": found, "chosen": found[0].pk if found and chosen.isdigit() else None, "term": term}
    return HttpResponse(render_to_string("core/widgets/_options.html", context, request=request))
