from shuangfang.core.matrix import ALL_IN_TENANT, ApiCase, Case

DOERS = frozenset({"admin", "institution_head", "safety_officer", "department_head", "staff"})
VIEWERS = frozenset(
    {"admin", "bureau_supervisor", "institution_head", "safety_officer", "department_head", "assessor"}
)
MANAGERS = frozenset({"admin", "institution_head", "safety_officer"})
BUREAU = frozenset({"admin", "bureau_supervisor"})


def objects(w):
    """Institution A's inspection objects, made once per world: a checklist, a checkpoint, an hourly
    plan for the cook's post with its current task, a record with a photo, a bureau checklist."""
    if hasattr(w, "_insp"):
        return w._insp
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from shuangfang.inspections import seed
    from shuangfang.inspections.checklists import create_checklist, create_checkpoint
    from shuangfang.inspections.models import Task
    from shuangfang.inspections.plans import create_plan, generate_tasks
    from shuangfang.inspections.records import Answer
    from shuangfang.inspections.taskflow import submit_record

    seed.load(only_if_missing=True)  # browser journeys (transactional) flush the migration's seed rows

    officer = w.users["safety_officer"]
    checklist = create_checklist(
        actor=officer, organization=w.inst_a, name="厨房", kind="post", category="food", library_codes=["C04"]
    )
    cp = create_checkpoint(actor=officer, organization=w.inst_a, name="厨房")
    plan = create_plan(
        actor=officer,
        organization=w.inst_a,
        name="每小时",
        checklist=checklist,
        frequency="hours",
        rule={"interval_hours": 1},
        assignee_kind="post",
        assignee_post=w.post_a,
        checkpoints=[cp],
    )
    generate_tasks(organizations=[w.inst_a])
    done, current = list(Task.objects.filter(plan=plan).order_by("window_start"))[:2]
    from django.utils import timezone

    now = timezone.now()
    current = Task.objects.filter(plan=plan, window_start__lte=now, window_end__gt=now).get()
    buf = io.BytesIO()
    Image.new("RGB", (40, 30)).save(buf, format="PNG")
    item = checklist.items.get()
    record = submit_record(
        actor=w.users["staff"],
        task=current,
        answers=[Answer(str(item.uuid), "problem", "脏", [SimpleUploadedFile("a.png", buf.getvalue())])],
    )
    generate_tasks(organizations=[w.inst_a])
    bureau_list = create_checklist(
        actor=w.users["admin"],
        organization=w.bureau,
        name="局检查",
        kind="bureau",
        category="fire",
        library_codes=["A01"],
    )
    w._insp = {
        "checklist": checklist,
        "checkpoint": cp,
        "plan": plan,
        "task": Task.objects.filter(plan=plan, status="open").exclude(pk=current.pk).first() or done,
        "record": record,
        "photo": record.items.get().photos.get(),
        "bureau_checklist": bureau_list,
    }
    return w._insp


def o(name):
    return lambda w: {"uuid": objects(w)[name].uuid}


CASES = [
    Case("inspections:mine", DOERS),
    Case("inspections:checkpoint", DOERS, kwargs=o("checkpoint")),
    Case("inspections:task", DOERS, kwargs=o("task")),
    Case("inspections:record", ALL_IN_TENANT, kwargs=o("record")),
    Case("inspections:photo", ALL_IN_TENANT, kwargs=o("photo")),
    Case("inspections:ledger", VIEWERS),
    Case("inspections:checklists", MANAGERS),
    Case("inspections:checklist_create", MANAGERS),
    Case("inspections:checklist", MANAGERS, kwargs=o("checklist")),
    Case("inspections:checkpoints", MANAGERS),
    Case("inspections:checkpoint_create", MANAGERS),
    # Excel imports (core.importing): one institution's page for each sheet.
    Case(
        "core:import", MANAGERS, kwargs=lambda w: {"name": "inspections.checkpoints", "uuid": w.inst_a.uuid}
    ),
    Case("core:import", MANAGERS, kwargs=lambda w: {"name": "inspections.plans", "uuid": w.inst_a.uuid}),
    Case("inspections:checkpoint_qr", MANAGERS, kwargs=o("checkpoint")),
    Case("inspections:plans", MANAGERS),
    Case("inspections:plan_create", MANAGERS),
    Case("inspections:plan", MANAGERS, kwargs=o("plan")),
    Case("inspections:plan_toggle", MANAGERS, kwargs=o("plan"), method="post"),
    Case("inspections:routes", DOERS),
    Case("inspections:route", DOERS, kwargs=o("plan")),
    Case("inspections:route_edit", MANAGERS, kwargs=o("plan")),
    Case("inspections:bureau_start", BUREAU),
    Case("inspections:bureau_tasks", BUREAU),
    Case("inspections:bureau_inspect", BUREAU, kwargs=lambda w: {"uuid": w.inst_a.uuid}),
]


API_CASES = [
    ApiCase("get", "/api/v1/inspections/checklists", VIEWERS),
    ApiCase(
        "get", "/api/v1/inspections/checklists/{uuid}", VIEWERS, params=o("checklist"), object_scoped=True
    ),
    ApiCase("get", "/api/v1/inspections/plans", VIEWERS),
    ApiCase("get", "/api/v1/inspections/tasks", VIEWERS),
    ApiCase("get", "/api/v1/inspections/tasks/mine", DOERS),
    ApiCase("get", "/api/v1/inspections/tasks/{uuid}", DOERS, params=o("task"), object_scoped=True),
    # The matrix's task lies in the future: every doer reaches the service and is told "not yet" (400).
    ApiCase(
        "post",
        "/api/v1/inspections/tasks/{uuid}/record",
        DOERS,
        params=o("task"),
        body=lambda w: {},
        object_scoped=True,
        ok=(400,),
    ),
    ApiCase("get", "/api/v1/inspections/records/{uuid}", VIEWERS, params=o("record"), object_scoped=True),
]


def _risk_point(w):
    from shuangfang.risks import services as risks

    point = risks.create_risk_point(actor=w.users["safety_officer"], institution=w.inst_a, name="配电室")
    return {"uuid": point.uuid}


CASES.append(Case("inspections:risk_point", DOERS, kwargs=_risk_point))
