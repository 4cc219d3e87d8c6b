"""Pages of repeat wanderers and reminder letters."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shuangfang.core.tenancy import can, get_for_user
from shuangfang.core.types import AuthedRequest

from . import letters, persons
from .forms import LETTER_FORMS, LetterForm, TemplateForm, show_errors
from .models import Letter, Person
from .views import chosen_station, relief_perm


@relief_perm("relief.view")
def letter_list(request: AuthedRequest) -> HttpResponse:
    """Letters of the station, and the repeat wanderers without one yet."""
    station, mine = chosen_station(request)
    rows = Letter.objects.filter(organization=station).select_related("person")[:100]
    written = Letter.objects.filter(organization=station).values("person_id")
    waiting = Person.objects.filter(
        organization=station, repeat_wanderer=True, anonymised_at__isnull=True
    ).exclude(pk__in=written)
    ctx = {
        "station": station,
        "stations": mine,
        "letters": rows,
        "waiting": waiting.order_by("name")[:50],
        "can_manage": can(request.user, "relief.manage", station),
        "can_template": can(request.user, "relief.approve", station),
    }
    return render(request, "relief/letters.html", ctx)


@relief_perm("relief.manage")
def letter_new(request: AuthedRequest, uuid) -> HttpResponse:
    person = get_for_user(Person, request.user, "relief.manage", uuid=uuid)
    persons.log_view(actor=request.user, person=person, where=request.path)
    last = person.cases.order_by("-registered_at").first()
    initial = {"home_area": person.hukou_place, "difficulty": last.reason if last else ""}
    form = LetterForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            letter = letters.draft(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(
                request, _("Letter %(n)s drafted: check the text, then send it.") % {"n": letter.number}
            )
            return redirect("relief:letter", uuid=letter.uuid)
    status = 400 if form.errors else 200
    return render(request, "relief/letter_new.html", {"form": form, "person": person}, status=status)


def _page(request: AuthedRequest, letter: Letter, *, forms=None, status=200) -> HttpResponse:
    persons.log_view(actor=request.user, person=letter.person, where=request.path)
    forms = forms or {}
    actions = [t.action for t in letters.FLOW.actions_for(letter, request.user)]
    initial = {"send": {"body": letter.body}}
    ctx = {
        "letter": letter,
        "forms": {a: forms.get(a) or LETTER_FORMS[a](prefix=a, initial=initial.get(a)) for a in actions},
    }
    return render(request, "relief/letter.html", ctx, status=status)


@relief_perm("relief.view")
def letter_detail(request: AuthedRequest, uuid) -> HttpResponse:
    return _page(
        request, get_for_user(Letter.objects.select_related("person"), request.user, "relief.view", uuid=uuid)
    )


@relief_perm("relief.manage")
@require_POST
def letter_move(request: AuthedRequest, uuid) -> HttpResponse:
    letter = get_for_user(Letter.objects.select_related("person"), request.user, "relief.manage", uuid=uuid)
    action = request.POST.get("action", "")
    if action not in LETTER_FORMS:
        raise Http404
    form = LETTER_FORMS[action](request.POST, prefix=action)
    if form.is_valid():
        try:
            letters.move(letter, action, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("relief:letter", uuid=letter.uuid)
    return _page(request, letter, forms={action: form}, status=400)


@relief_perm("relief.approve")
def letter_template(request: AuthedRequest) -> HttpResponse:
    station, _mine = chosen_station(request, "relief.approve")
    tpl = letters.template_for(station)
    initial = {"subject": tpl.subject, "body": tpl.body, "answer_days": tpl.answer_days}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            letters.save_template(actor=request.user, organization=station, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{request.path}?org={station.uuid}")
    ctx = {"form": form, "station": station, "placeholders": [f"${p}" for p in letters.PLACEHOLDERS]}
    return render(request, "relief/letter_template.html", ctx, status=400 if form.errors else 200)
