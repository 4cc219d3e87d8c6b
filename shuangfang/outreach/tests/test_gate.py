"""The gate and visitor log: a visitor checking out before checking in is refused, nothing saved."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from shuangfang.outreach import gate
from shuangfang.outreach.gate_models import Visit

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 12, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def visit(w, **kw):
    data = {"visitor": "访客甲", "purpose": "探望", "visiting": "值班室", "phone": "13900001111"}
    data.update(kw)
    return gate.check_in(actor=w.users["staff"], organization=w.inst_a, data=data)


def test_out_before_in_refused(world):
    with time_machine.travel(NOON, tick=False):
        v = visit(world)
        with pytest.raises(ValidationError, match="before arriving"):
            gate.check_out(actor=world.users["staff"], visit=v, at=NOON - dt.timedelta(minutes=30))
        v.refresh_from_db()
        assert v.left_at is None
        with pytest.raises(ValidationError, match="future"):
            gate.check_out(actor=world.users["staff"], visit=v, at=NOON + dt.timedelta(minutes=40))
    with time_machine.travel(NOON + dt.timedelta(minutes=40), tick=False):
        gate.check_out(actor=world.users["staff"], visit=v)
        with pytest.raises(ValidationError, match="already left"):
            gate.check_out(actor=world.users["staff"], visit=v)


def test_bad_check_in_refused(world):
    with time_machine.travel(NOON, tick=False), pytest.raises(ValidationError) as exc:
        visit(world, visitor="", purpose="", arrived_at=NOON + dt.timedelta(hours=1))
    assert set(exc.value.message_dict) == {"visitor", "purpose", "arrived_at"}
    assert not Visit.objects.exists()
    with pytest.raises(ValidationError, match="relief station"):
        gate.check_in(actor=world.root, organization=world.inst_b, data={"visitor": "x", "purpose": "y"})


def test_gate_page_masks_the_phone(world, login):
    visit(world)
    client = login(world.users["staff"])
    page = client.get(reverse("outreach:gate")).content.decode()
    assert "访客甲" in page and "13900001111" not in page and "139****1111" in page
    r = client.post(reverse("outreach:gate"), {"visitor": "", "purpose": ""})
    assert r.status_code == 400 and Visit.objects.count() == 1
