from shuangfang.core.matrix import ALL_IN_TENANT, ApiCase, Case

MANAGERS = frozenset({"admin", "institution_head", "safety_officer"})


def objects(w):
    """Institution A's equipment: an extinguisher (with a document) and a camera on a recorder."""
    if hasattr(w, "_equipment"):
        return w._equipment
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile

    from shuangfang.equipment import services, video

    officer = w.users["safety_officer"]
    item = services.register_equipment(
        actor=officer,
        organization=w.inst_a,
        kind="extinguisher_powder",
        name="走廊灭火器",
        manufactured_on=dt.date(2024, 1, 1),
    )
    doc = services.add_document(
        actor=officer, item=item, title="合格证", upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")
    )
    recorder = video.create_recorder(actor=officer, organization=w.inst_a, name="NVR", adapter="manual")
    camera = video.create_camera(actor=officer, recorder=recorder, channel=1, name="大门")
    w._equipment = {"item": item, "document": doc, "camera": camera, "recorder": recorder}
    return w._equipment


def o(name):
    return lambda w: {"uuid": objects(w)[name].uuid}


CASES = [
    Case("equipment:list", ALL_IN_TENANT),
    Case("equipment:create", MANAGERS),
    Case("equipment:labels", ALL_IN_TENANT, object_scoped=False),
    Case("equipment:detail", ALL_IN_TENANT, kwargs=o("item")),
    Case("equipment:edit", MANAGERS, kwargs=o("item")),
    Case("equipment:report", ALL_IN_TENANT, kwargs=o("item")),
    Case("equipment:label", ALL_IN_TENANT, kwargs=o("item")),
    Case("equipment:document_add", MANAGERS, kwargs=o("item")),
    Case("equipment:visit_add", MANAGERS, kwargs=o("item")),
    Case("equipment:retire", MANAGERS, kwargs=o("item"), method="post"),
    Case("equipment:document", ALL_IN_TENANT, kwargs=o("document")),
    Case("equipment:cameras", ALL_IN_TENANT),
    Case("equipment:camera", ALL_IN_TENANT, kwargs=o("camera")),
    Case("equipment:camera_create", MANAGERS),
    Case("equipment:recorder_create", MANAGERS),
]

API_CASES = [
    ApiCase("get", "/api/v1/equipment/items", ALL_IN_TENANT),
    ApiCase("get", "/api/v1/equipment/items/{uuid}", ALL_IN_TENANT, params=o("item"), object_scoped=True),
    ApiCase("get", "/api/v1/equipment/cameras", ALL_IN_TENANT),
]
