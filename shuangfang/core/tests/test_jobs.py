"""Big exports run in the background with progress (issue 23): the request returns at once with a
progress page, the worker replays the list as its owner, the file has exactly the rows the page
would have exported, the owner is told, nobody else sees the job, failures are shown, old jobs go."""

from __future__ import annotations

import datetime as dt
import io
from functools import partial

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shuangfang.core import jobs
from shuangfang.core.models import Job, OutboxEvent
from shuangfang.hazards import services
from shuangfang.hazards.choices import Source

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _hazards(world, n: int) -> None:
    for i in range(n):
        services.report_hazard(
            actor=world.users["staff"],
            organization=world.inst_a,
            description=f"插座烧焦 {i}",
            source=Source.SNAP,
            location="厨房",
        )


def _sheet_rows(data: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def test_a_big_export_becomes_a_job_whose_file_matches_the_immediate_export(
    world, login, settings, django_capture_on_commit_callbacks
):
    _hazards(world, 7)
    officer = login(world.users["safety_officer"])
    settings.EXPORT_IMMEDIATE_ROWS = 100
    immediate = officer.get("/hazards/?export=xlsx&status=reported")
    assert immediate.status_code == 200
    expected = _sheet_rows(b"".join(immediate.streaming_content))
    assert len(expected) == 1 + 7

    settings.EXPORT_IMMEDIATE_ROWS = 5
    jobs.PROGRESS_EVERY, old = 2, jobs.PROGRESS_EVERY
    try:
        with django_capture_on_commit_callbacks(execute=True):
            r = officer.get("/hazards/?export=xlsx&status=reported")
    finally:
        jobs.PROGRESS_EVERY = old
    assert r.status_code == 302
    job = Job.objects.get()
    assert r["Location"] == reverse("core:job", kwargs={"uuid": job.uuid})
    assert (job.status, job.total, job.done, job.percent) == (Job.DONE, 7, 7, 100)
    assert job.path == "/hazards/?export=xlsx&status=reported" and job.filename.endswith(".xlsx")

    page = officer.get(r["Location"])
    file_url = reverse("core:job_file", kwargs={"uuid": job.uuid})
    assert page.status_code == 200 and file_url in page.content.decode()
    got = officer.get(file_url)
    assert _sheet_rows(b"".join(got.streaming_content)) == expected
    assert officer.get(reverse("core:jobs")).content.decode().count(str(job.uuid)) >= 1

    notice = OutboxEvent.objects.get(kind="job.finished")
    assert notice.payload["recipient_ids"] == [world.users["safety_officer"].pk]
    assert notice.payload["url"] == reverse("core:job", kwargs={"uuid": job.uuid})

    for who in ("department_head", "institution_head", "outsider"):
        other = login(world.users[who])
        assert other.get(reverse("core:job", kwargs={"uuid": job.uuid})).status_code == 404
        assert other.get(reverse("core:job_file", kwargs={"uuid": job.uuid})).status_code == 404


def test_the_progress_page_polls_until_the_job_ends(world, login, settings):
    _hazards(world, 3)
    officer = login(world.users["safety_officer"])
    settings.EXPORT_IMMEDIATE_ROWS = 1
    r = officer.get("/hazards/?export=xlsx")  # no commit callbacks here: the job stays queued
    job = Job.objects.get()
    html = officer.get(r["Location"]).content.decode()
    assert job.status == Job.QUEUED and 'hx-trigger="every 1s"' in html and "<progress" in html
    jobs.run(job)
    partial = officer.get(r["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "every 1s" not in partial and reverse("core:job_file", kwargs={"uuid": job.uuid}) in partial

    assert "HX-Redirect" not in officer.get(r["Location"], HTTP_HX_REQUEST="true")  # a file: stay


def test_a_job_that_made_a_page_takes_the_waiting_person_there(world, login):
    officer = login(world.users["safety_officer"])
    job = Job.objects.create(
        owner=world.users["safety_officer"],
        organization=world.inst_a,
        title="季报",
        path="/reports/",
        status=Job.DONE,
        result_url="/reports/x/",
    )
    url = reverse("core:job", kwargs={"uuid": job.uuid})
    assert officer.get(url, HTTP_HX_REQUEST="true")["HX-Redirect"] == "/reports/x/"
    # Opened later from the list, the page stays and offers the way there.
    page = officer.get(url)
    assert "HX-Redirect" not in page and 'href="/reports/x/"' in page.content.decode()


def test_a_job_replays_the_page_with_its_owners_rights_and_fails_visibly(world, login):
    """A job cannot show more than its owner may see: replayed as the owner, a page they may not
    open fails the job (and says so) instead of exporting."""
    job = Job.objects.create(
        owner=world.users["staff"], organization=world.inst_a, title="x", path="/ops/outbox/?export=xlsx"
    )
    jobs.run(job)
    job.refresh_from_db()
    assert job.status == Job.FAILED and not job.file
    assert job.error == "你已无权打开此页面，因此未导出。"  # in the language it was asked in
    html = login(world.users["staff"]).get(reverse("core:job", kwargs={"uuid": job.uuid})).content.decode()
    assert job.error in html


def test_finished_jobs_and_their_files_are_pruned_after_the_keep_days(world, settings):
    settings.JOB_KEEP_DAYS = 7
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = Job.objects.create(owner=world.users["staff"], organization=world.inst_a, title="a", path="/")
        jobs.FLOW.move(old, "fail", actor=None, error="x")
        waiting = Job.objects.create(owner=world.users["staff"], organization=world.inst_a, title="b")
    assert jobs.prune(now=start + dt.timedelta(days=6)) == 0
    assert jobs.prune(now=start + dt.timedelta(days=8)) == 1
    assert list(Job.objects.all()) == [waiting]  # a job not finished is never pruned


def test_random_moves_on_jobs_stay_in_the_table(world):
    """Property test of ``jobs.FLOW``: only the system moves a job, only along the table."""
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hsettings
    from hypothesis import strategies as st

    from shuangfang.core.tests.workflow_checks import PEOPLE_AND_SYSTEM, attempt

    actions = sorted(jobs.FLOW.rows)

    @hsettings(
        max_examples=25,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(st.tuples(st.sampled_from(actions), st.sampled_from(PEOPLE_AND_SYSTEM)), max_size=4))
    def walk(steps):
        job = Job.objects.create(owner=world.users["staff"], organization=world.inst_a, title="t")
        for action, who in steps:
            job.refresh_from_db()
            actor = None if who is None else world.user(who)
            attempt(jobs.FLOW, [job], action, actor, partial(jobs.FLOW.move, job, action, actor=actor))

    walk()


def test_city_statistics_over_the_limit_are_made_by_a_worker(
    world, login, settings, django_capture_on_commit_callbacks
):
    _hazards(world, 4)
    officer = login(world.users["safety_officer"])
    immediate = officer.get("/hazards/statistics/?export=xlsx")
    assert immediate.status_code == 200
    expected = _sheet_rows(b"".join(immediate.streaming_content))
    settings.EXPORT_IMMEDIATE_ROWS = 3
    with django_capture_on_commit_callbacks(execute=True):
        r = officer.get("/hazards/statistics/?export=xlsx")
    job = Job.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("core:job", kwargs={"uuid": job.uuid})
    assert job.status == Job.DONE and job.filename.endswith(".xlsx")
    got = officer.get(reverse("core:job_file", kwargs={"uuid": job.uuid}))
    assert _sheet_rows(b"".join(got.streaming_content)) == expected


def test_a_long_pdf_ledger_is_typeset_by_a_worker(world, login, settings, django_capture_on_commit_callbacks):
    _hazards(world, 3)
    officer = login(world.users["safety_officer"])
    url = reverse("hazards:ledger_pdf")
    settings.PDF_IMMEDIATE_ROWS = 3
    assert officer.get(url).content.startswith(b"%PDF")  # at the limit: made at once
    settings.PDF_IMMEDIATE_ROWS = 2
    with django_capture_on_commit_callbacks(execute=True):
        r = officer.get(url)
    job = Job.objects.get()
    assert r.status_code == 302 and job.status == Job.DONE and job.filename.endswith(".pdf")
    got = officer.get(reverse("core:job_file", kwargs={"uuid": job.uuid}))
    assert b"".join(got.streaming_content).startswith(b"%PDF")
