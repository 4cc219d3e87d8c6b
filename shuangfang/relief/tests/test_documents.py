from __future__ import annotations

import pytest
from django.urls import reverse

from shuangfang.core.models import AuditEntry
from shuangfang.relief import cases, documents, stay

from .helpers import admitted, new_case

pytestmark = pytest.mark.django_db


def test_forms_are_offered_when_they_apply_and_printing_is_logged(world, login):
    staff = world.users["staff"]
    refused = new_case(world, name="测试乙", seq=2)
    cases.move(refused, "refuse", actor=staff, reason="refused_check")
    assert [k for k, _label in documents.available(refused)] == ["registration", "refusal"]
    case = admitted(world)
    stay.take_item(actor=staff, case=case, description="手机")
    stay.return_items(actor=staff, case=case, item_ids=[case.items.get().pk])
    cases.move(case, "depart", actor=staff, mode="self_return")
    keys = [k for k, _label in documents.available(case)]
    assert keys == ["registration", "receipt", "self_departure", "departure"]
    client = login(staff)
    for key in keys:
        response = client.get(reverse("relief:case_pdf", kwargs={"uuid": case.uuid}), {"doc": key})
        assert response.status_code == 200 and response.content.startswith(b"%PDF"), key
    assert (
        client.get(reverse("relief:case_pdf", kwargs={"uuid": case.uuid}), {"doc": "refusal"}).status_code
        == 404
    )
    assert AuditEntry.objects.filter(action="relief.document_printed").count() == len(keys)
    notes = AuditEntry.objects.filter(action="relief.document_printed").values_list("note", flat=True)
    assert not any("full numbers" in n for n in notes)  # staff print masked numbers
