from shuangfang.core.matrix import ALL_IN_TENANT, Case

OPERATORS = frozenset({"admin"})  # the city bureau's administrator: the top of the tree

CASES = [
    Case("core:outbox", OPERATORS),
    Case("core:outbox", OPERATORS, method="post", data=lambda w: {"retry": []}),
]


def _job(w, status="done"):  # noqa: ARG001
    """A finished export of the safety officer's: only they see it (404 for anyone else)."""
    from django.core.files.base import ContentFile

    from shuangfang.core.jobs import FLOW
    from shuangfang.core.models import Job

    cache = w.__dict__.setdefault("_jobs", {})
    if status not in cache:
        job = Job.objects.create(
            owner=w.users["safety_officer"], organization=w.inst_a, title="导出", path="/hazards/?export=xlsx"
        )
        job.filename = "a.xlsx"
        job.file.save("a.xlsx", ContentFile(b"x"))
        FLOW.move(FLOW.move(job, "start", actor=None), "finish", actor=None)
        cache[status] = job
    return {"uuid": cache[status].uuid}


CASES += [
    Case("core:jobs", ALL_IN_TENANT),  # one's own downloads: everyone, outsiders their own
    Case("core:choose", ALL_IN_TENANT),  # a filter's matches, within one's own scope
    Case("core:job", frozenset({"safety_officer"}), kwargs=_job, denied=404),
    Case("core:job_file", frozenset({"safety_officer"}), kwargs=_job, denied=404),
]
