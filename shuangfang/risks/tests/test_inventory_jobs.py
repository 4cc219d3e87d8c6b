"""A big risk inventory is exported in the background (issue 23, "big exports: ledgers,
inventories, statistics"): over EXPORT_IMMEDIATE_ROWS factors (PDF: PDF_IMMEDIATE_ROWS) the request
answers at once with the job's progress page, a worker replays the export as its owner and the file
holds the same rows as the immediate one; smaller inventories are made in the request."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shuangfang.core.models import Job

from .fixtures import risk_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _rows(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))


def test_a_big_inventory_workbook_is_made_by_a_worker_with_the_same_rows(
    world, login, settings, django_capture_on_commit_callbacks
):
    rw = risk_world(world)
    staff = login(world.users["staff"])
    settings.EXPORT_IMMEDIATE_ROWS = 1
    immediate = staff.get("/risks/inventory/?export=xlsx")
    assert immediate.status_code == 200 and not Job.objects.exists()
    expected = _rows(b"".join(immediate.streaming_content))
    assert len(expected) == 2 and rw.factor.description in expected[1]

    settings.EXPORT_IMMEDIATE_ROWS = 0
    with django_capture_on_commit_callbacks(execute=True):
        r = staff.get("/risks/inventory/?export=xlsx")
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("core:job", kwargs={"uuid": job.uuid})
    assert (job.status, job.total, job.done, job.owner) == (Job.DONE, 1, 1, world.users["staff"])
    assert job.filename.endswith(".xlsx")
    got = staff.get(reverse("core:job_file", kwargs={"uuid": job.uuid}))
    assert _rows(b"".join(got.streaming_content)) == expected
    other = login(world.users["outsider"])
    assert other.get(reverse("core:job_file", kwargs={"uuid": job.uuid})).status_code == 404


def test_a_long_inventory_pdf_is_typeset_by_a_worker(
    world, login, settings, django_capture_on_commit_callbacks
):
    risk_world(world)
    staff = login(world.users["staff"])
    settings.PDF_IMMEDIATE_ROWS = 1
    assert staff.get("/risks/inventory/?export=pdf").content.startswith(b"%PDF")  # at the limit: at once
    assert not Job.objects.exists()
    settings.PDF_IMMEDIATE_ROWS = 0
    with django_capture_on_commit_callbacks(execute=True):
        r = staff.get("/risks/inventory/?export=pdf")
    job = Job.objects.get()
    assert r.status_code == 302 and job.status == Job.DONE and job.filename.endswith(".pdf")
    got = staff.get(reverse("core:job_file", kwargs={"uuid": job.uuid}))
    assert b"".join(got.streaming_content).startswith(b"%PDF")
