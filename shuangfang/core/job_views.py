"""A person's background jobs: the progress page (polled by htmx until the job ends), the file,
and the list of their recent jobs. Only the owner sees a job (404 for anyone else)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import importing, jobs
from .exports import XLSX, write_workbook
from .models import Job
from .tenancy import get_for_user, organization_model
from .uploads import check_spreadsheet


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_spreadsheet(upload)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None
        return upload


def _own(request: HttpRequest, uuid) -> Job:
    return get_object_or_404(Job, uuid=uuid, owner=request.user)


@login_required
def job_page(request: HttpRequest, uuid) -> HttpResponse:
    job = _own(request, uuid)
    ctx = {"job": job}
    htmx = getattr(request, "htmx", None)
    response = render(request, "core/_job.html" if htmx else "core/job.html", ctx)
    if htmx and job.status == Job.DONE and job.result_url and not job.file:
        # The person waited on the page for a page (a generated report): take them there.
        response["HX-Redirect"] = job.result_url
    return response


@login_required
def job_file(request: HttpRequest, uuid) -> FileResponse:
    job = _own(request, uuid)
    if job.status != Job.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.filter(owner=request.user)[:50]  # type: ignore[misc]  # login_required
    return render(request, "core/jobs.html", {"jobs": jobs})


@login_required
def import_page(request: HttpRequest, name: str, uuid) -> HttpResponseBase:
    """One registered sheet's import for one organisation: the template (``?template=1``), the
    column help and the upload, which becomes a background job (``core.importing``)."""
    sheet = importing.SHEETS.get(name)
    if sheet is None:
        raise Http404
    org = get_for_user(organization_model(), request.user, sheet.perm, uuid=uuid)
    if org.kind not in sheet.kinds:
        raise Http404
    if request.GET.get("template"):
        headers, rows = importing.template(sheet)
        filename = f"{sheet.title}-{_('template')}.xlsx"
        return FileResponse(
            write_workbook([(str(sheet.title), headers, rows)]), as_attachment=True, filename=filename
        )
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            title = f"{sheet.title} · {org.name}"
            params = {"sheet": sheet.name, "organization": org.pk}
            return jobs.submit(request, "core.import", title, params, upload=form.cleaned_data["file"])
        status = 400
    else:
        status = 200
    with translation.override("zh-hans"):
        zh = {c.key: str(c.label) for c in sheet.columns}
    columns = [(c, zh[c.key]) for c in sheet.columns]
    ctx = {"sheet": sheet, "org": org, "form": form, "columns": columns}
    return render(request, "core/import.html", ctx, status=status)


@login_required
def import_choose(request: HttpRequest, name: str) -> HttpResponse:
    """Which institution a sheet is imported into, when the person manages several (a bureau)."""
    sheet = importing.SHEETS.get(name)
    if sheet is None:
        raise Http404
    orgs = organization_model().objects.for_user(request.user, sheet.perm)
    orgs = orgs.filter(kind__in=sheet.kinds)
    orgs = list(orgs.order_by("path")[:500])
    if not orgs:
        raise Http404
    if len(orgs) == 1:
        return redirect("core:import", name=name, uuid=orgs[0].uuid)
    return render(request, "core/import_choose.html", {"sheet": sheet, "orgs": orgs})


# The permission is the sheet's own (``Sheet.perm``), checked against the organisation in the view.
import_page.required_permission = import_choose.required_permission = "core.importing.Sheet.perm"  # type: ignore[attr-defined]
