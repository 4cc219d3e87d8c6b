"""Every edit form, opened with its object and saved unchanged, changes nothing, in Chinese and English.

The edit pages are found in the URL conf (every name ending in ``edit``, plus the pages listed in
``OTHER_EDIT_PAGES``); their objects come from the permission-matrix cases that already build one.
Every null date/time field of the object is given a value first, so a widget that renders a date
the browser's picker cannot show (``2027/12/05`` in Chinese) loses it and fails here. The whole
database (audit, outbox and bookkeeping tables aside) is compared before and after the save.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.apps import apps
from django.db import models
from django.forms.models import model_to_dict
from django.urls import reverse

from shuangfang.core.matrix import Case
from tests.test_permission_matrix import CASES, _url_names

# Edit pages whose name does not end in "edit": (url name, the field that marks its form).
OTHER_EDIT_PAGES = {
    "risks:palette": "bureau",
    "notifications:channels": "q-quiet_start",
    "risks:method_revise": "formula",
}
# Pages for platform administrators (superusers) only.
ROOT_PAGES = {"risks:method_revise"}
# Who opens each page: the first allowed persona in this order.
OPENERS = ["safety_officer", "institution_head", "admin", "bureau_supervisor", "staff"]
# Rows written as a record of the save, not the object itself.
LOG_TABLES = {
    "core.auditentry",
    "core.outboxevent",
    "core.scheduledrun",
    "sessions.session",
    "admin.logentry",
}
VOLATILE_FIELDS = {"updated_at", "modified_at", "last_login", "password"}

SOME_DATE = dt.date(2027, 12, 5)
SOME_TIME = dt.time(7, 30)
SOME_MOMENT = dt.datetime(2027, 12, 5, 7, 30, tzinfo=dt.UTC)


def _edit_pages() -> list[str]:
    names = {n for n in _url_names() if n.split(":")[-1].endswith("edit")}
    return sorted(names | set(OTHER_EDIT_PAGES))


def _case(url_name: str) -> Case:
    for case in CASES:
        if case.url_name == url_name and case.method == "get":
            return case
    raise AssertionError(f"{url_name}: no GET case in a tests/matrix.py to build its object")


def _object_with_uuid(value):
    for model in apps.get_models():
        if any(f.name == "uuid" for f in model._meta.fields):
            obj = model._default_manager.filter(uuid=value).first()
            if obj is not None:
                return obj
    return None


def _fill_dates(obj) -> None:
    """Give each empty date, time and moment of the object a value, so losing one shows."""
    changed = []
    for f in obj._meta.concrete_fields:
        if getattr(obj, f.attname) is not None or not f.editable or getattr(f, "auto_now", False):
            continue
        if getattr(f, "auto_now_add", False):
            continue
        if isinstance(f, models.DateTimeField):
            setattr(obj, f.attname, SOME_MOMENT)
        elif isinstance(f, models.DateField):
            setattr(obj, f.attname, SOME_DATE)
        elif isinstance(f, models.TimeField):
            setattr(obj, f.attname, SOME_TIME)
        else:
            continue
        changed.append(f.attname)
    if changed:
        obj.save(update_fields=changed)


def _snapshot() -> dict[str, list[str]]:
    """Each table as a sorted list of its rows (without the numeric key: a child row replaced by an
    equal one is no change)."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in LOG_TABLES or not model._meta.managed:
            continue
        fields = [
            f.name for f in model._meta.concrete_fields if f.name not in VOLATILE_FIELDS and not f.primary_key
        ]
        rows = []
        for obj in model._default_manager.all():
            row = model_to_dict(obj, fields=fields)
            for k, v in list(row.items()):
                if isinstance(v, list) and v and isinstance(v[0], models.Model):
                    row[k] = sorted(o.pk for o in v)
            rows.append(repr(sorted(row.items())))
        state[label] = sorted(rows)
    return state


# The HTML value sanitisation of typed inputs: what a browser shows and submits for a value attribute.
_VALID = {
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "time": re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"),
    "datetime-local": re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?"),
    "number": re.compile(r"-?(\d+|\d*\.\d+)([eE][-+]?\d+)?"),
    "color": re.compile(r"#[0-9a-fA-F]{6}"),
    "month": re.compile(r"\d{4}-\d{2}"),
}


def _sanitize(kind: str, value: str) -> str:
    """A browser empties a date, time or number input whose value it cannot read (``2027/12/05``)."""
    pattern = _VALID.get(kind)
    if pattern is None or pattern.fullmatch(value):
        return value
    return "#000000" if kind == "color" else ""


class _Forms(HTMLParser):
    """The fields of each ``<form method="post">`` of a page, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.forms: list[list[tuple[str, str]]] = []
        self._form: list[tuple[str, str]] | None = None
        self._select: str | None = None
        self._select_multiple = False
        self._select_first: tuple[str, str] | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._form = []
            self.forms.append(self._form)
        if self._form is None or a.get("disabled") is not None and "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            value = a.get("value", "on" if kind in {"checkbox", "radio"} else "")
            self._form.append((name, _sanitize(kind, value)))
        elif tag == "button" and name and a.get("type", "submit") == "submit":
            self._form.append((f"button:{name}", a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_multiple = name, "multiple" in a
            self._select_first, self._select_chosen = None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = (self._select, value)
            if "selected" in a:
                self._form.append((self._select, value))
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select and self._form is not None:
            if not self._select_chosen and not self._select_multiple and self._select_first:
                self._form.append(self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea and self._form is not None:
            self._form.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def _post_data(page: str, marker: str | None) -> dict:
    parser = _Forms()
    parser.feed(page)
    forms = [f for f in parser.forms if any(n != "csrfmiddlewaretoken" for n, _v in f)]
    if marker:
        forms = [f for f in forms if any(n == marker for n, _v in f)]
    assert forms, "no form found"
    form = max(forms, key=len)
    data: dict[str, list[str]] = {}
    button = None
    for name, value in form:
        if name.startswith("button:"):
            button = button or (name.removeprefix("button:"), value)
            continue
        data.setdefault(name, []).append(value)
    if button:
        data.setdefault(button[0], [button[1]])
    return data


def _prepare(world, url_name: str) -> dict | None:
    if url_name == "notifications:channels":
        from shuangfang.notifications.models import Preference

        Preference.objects.create(user=world.users["staff"], quiet_start=dt.time(22), quiet_end=SOME_TIME)
        return None
    case = _case(url_name)
    kwargs = case.kwargs(world) if case.kwargs else None
    if kwargs and "uuid" in kwargs:
        obj = _object_with_uuid(kwargs["uuid"])
        assert obj is not None, f"{url_name}: no object with uuid {kwargs['uuid']}"
        _fill_dates(obj)
    return kwargs


def _opener(world, url_name: str):
    if url_name == "notifications:channels":
        return world.users["staff"]
    if url_name in ROOT_PAGES:
        return world.root
    allowed = _case(url_name).allowed
    return world.users[next(p for p in OPENERS if p in allowed)]


def test_the_edit_pages_are_found():
    pages = _edit_pages()
    assert {"risks:point_edit", "duty:shift_edit", "orgs:person_edit", "risks:palette"} <= set(pages)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("url_name", _edit_pages())
def test_an_edit_form_saved_unchanged_changes_nothing(world, login, settings, url_name, language):
    settings.OUTBOUND_ALLOW = ["127.0.0.1/32"]  # the test provider's local address
    with time_machine.travel(dt.datetime(2027, 6, 1, 2, 0, tzinfo=dt.UTC), tick=False):
        kwargs = _prepare(world, url_name)
        client = login(_opener(world, url_name))
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        url = reverse(url_name, kwargs=kwargs)
        page = client.get(url)
        assert page.status_code == 200, f"{url_name}: {page.status_code}"
        data = _post_data(page.content.decode(), OTHER_EDIT_PAGES.get(url_name))
        before = _snapshot()
        response = client.post(url, data)
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 200:
            form = response.context.get("form") if response.context else None
            errors = form.errors if form is not None else None
            assert not errors, f"{url_name}: the unchanged form was refused: {errors}"
        after = _snapshot()
    changed = {
        label: {
            "before": sorted(set(rows) - set(after[label])),
            "after": sorted(set(after[label]) - set(rows)),
        }
        for label, rows in before.items()
        if rows != after[label]
    }
    assert not changed, f"{url_name} ({language}) changed {changed}"


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_date_and_time_field_uses_an_iso_widget():
    """Create forms and list filters too: a date a browser's picker cannot show is lost."""
    import django_filters
    from django import forms
    from django.utils.module_loading import autodiscover_modules

    from shuangfang.core import widgets

    autodiscover_modules("forms", "filters")
    wanted = {
        forms.DateTimeField: widgets.IsoDateTimeInput,
        forms.DateField: widgets.IsoDateInput,
        forms.TimeField: widgets.IsoTimeInput,
    }
    wrong = []
    for form in _subclasses(forms.BaseForm):
        if not form.__module__.startswith("shuangfang."):
            continue
        for name, field in getattr(form, "base_fields", {}).items():
            for kind, widget in wanted.items():
                if isinstance(field, kind) and not isinstance(field.widget, widget):
                    wrong.append(f"{form.__module__}.{form.__name__}.{name}")
                    break
    for filterset in _subclasses(django_filters.FilterSet):
        if not filterset.__module__.startswith("shuangfang."):
            continue
        for name, flt in filterset.base_filters.items():
            widget = flt.extra.get("widget")
            if isinstance(flt, django_filters.DateFromToRangeFilter):
                ok = isinstance(widget, widgets.IsoDateRangeWidget)
            elif isinstance(flt, django_filters.DateFilter | django_filters.TimeFilter):
                ok = isinstance(widget, widgets.IsoDateInput | widgets.IsoTimeInput)
            else:
                ok = True
            if not ok:
                wrong.append(f"{filterset.__module__}.{filterset.__name__}.{name}")
    assert not wrong, f"date/time fields with a widget that renders the locale's format: {wrong}"
