"""The snap report sent by the phone's outbox with an idempotency key (core.submissions): a replay
returns the first hazard, a forged or reused key is refused, nothing is half-saved."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from shuangfang.core.models import Submission
from shuangfang.hazards.models import Hazard

from .conftest import jpeg

pytestmark = pytest.mark.django_db

QUEUED = {"HTTP_X_QUEUED": "1"}


def fields(world, **more):
    data = {
        "description": "灭火器压力不足",
        "location": "厨房",
        "source": "snap",
        "organization": world.inst_a.pk,
        "photos": jpeg(),
    }
    data.update(more)
    return data


def send(client, key, data, **headers):
    return client.post(reverse("hazards:report"), data, HTTP_IDEMPOTENCY_KEY=str(key), **QUEUED, **headers)


def test_a_replayed_snap_report_makes_one_hazard_and_returns_the_first(world, login):
    client = login(world.users["staff"])
    key = uuid.uuid4()
    first = send(client, key, fields(world))
    assert first.status_code == 201, first.content
    hazard = Hazard.objects.get()
    assert first.json() == {"url": reverse("hazards:detail", args=[hazard.uuid]), "replay": False}
    for _ in range(3):  # the phone lost the answer and sends again
        again = send(client, key, fields(world))
        assert again.status_code == 200 and again.json() == {"url": first.json()["url"], "replay": True}
    assert Hazard.objects.count() == 1 and hazard.photos.count() == 1
    # a plain form post (no outbox) with the same key is redirected to the same hazard
    plain = client.post(reverse("hazards:report"), {**fields(world), "idempotency_key": str(key)})
    assert plain.status_code == 302 and plain["Location"] == first.json()["url"]
    assert Hazard.objects.count() == 1


@pytest.mark.parametrize(
    "raw",
    [
        "not-a-key",
        "12345",
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        "00000000-0000-0000-0000-000000000000",
        "<script>",
    ],
)
def test_a_forged_key_is_refused_and_saves_nothing(world, login, raw):
    client = login(world.users["staff"])
    response = send(client, raw, fields(world))
    assert response.status_code == 400
    assert "无效" in response.json()["detail"]
    assert not Hazard.objects.exists() and not Submission.objects.exists()


def test_a_key_reused_for_other_content_or_by_someone_else_is_refused(world, login):
    key = uuid.uuid4()
    assert send(login(world.users["staff"]), key, fields(world)).status_code == 201
    other_text = send(login(world.users["staff"]), key, fields(world, description="另一件事"))
    assert other_text.status_code == 409
    someone_else = send(login(world.users["department_head"]), key, fields(world))
    assert someone_else.status_code == 409
    for response in (other_text, someone_else):
        assert "url" not in response.json() and "已用于" in response.json()["detail"]
    assert Hazard.objects.count() == 1


def test_a_refused_report_frees_its_key_and_says_why(world, login):
    client = login(world.users["staff"])
    key = uuid.uuid4()
    bad = send(client, key, fields(world, description="", photos=b""))
    assert bad.status_code == 422
    assert "不对" in bad.json()["detail"] or "必填" in bad.json()["detail"]
    assert not Hazard.objects.exists() and not Submission.objects.exists()
    assert send(client, key, fields(world)).status_code == 201  # corrected, same key


def test_a_non_image_and_a_40_mb_photo_are_refused_with_the_reason(world, login, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.users["staff"])
    text = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    not_image = send(client, uuid.uuid4(), fields(world, photos=text))
    assert not_image.status_code == 422 and "不是图片" in not_image.json()["detail"]
    settings.UPLOAD_MAX_BYTES = 40 * 1024 * 1024 - 1
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
    big = SimpleUploadedFile("big.jpg", jpeg().read() + b"\0" * (40 * 1024 * 1024), content_type="image/jpeg")
    too_big = send(client, uuid.uuid4(), fields(world, photos=big))
    assert too_big.status_code == 422 and "上限" in too_big.json()["detail"]
    assert not Hazard.objects.exists() and not Submission.objects.exists()


def test_another_institution_cannot_be_reported_into(world, login):
    response = send(login(world.users["outsider"]), uuid.uuid4(), fields(world))
    assert response.status_code == 422
    assert not Hazard.objects.exists()


def test_a_photo_with_a_script_in_its_exif_is_kept_harmless(world, login, settings, tmp_path):
    """Sent without the phone's re-encoding: stored, served as a picture that browsers never sniff."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    exif = Image.Exif()
    exif[0x010E] = "<script>alert(1)</script>"  # ImageDescription
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 20, 30)).save(buf, format="JPEG", exif=exif)
    photo = SimpleUploadedFile("x.jpg", buf.getvalue(), content_type="image/jpeg")
    client = login(world.users["staff"])
    sent = send(client, uuid.uuid4(), fields(world, photos=photo))
    assert sent.status_code == 201
    page = client.get(sent.json()["url"])
    assert b"<script>alert(1)" not in page.content
    stored = Hazard.objects.get().photos.get()
    served = client.get(reverse("hazards:photo", args=[stored.uuid]) + "?size=original")
    assert served["Content-Type"] == "image/jpeg" and served["X-Content-Type-Options"] == "nosniff"
    display = client.get(reverse("hazards:photo", args=[stored.uuid]) + "?size=display")
    assert b"<script>" not in b"".join(display.streaming_content)  # re-encoded: no EXIF at all


def test_a_phone_stays_logged_in_for_30_days(world, login):
    client = login(world.users["staff"])
    assert client.session.get_expiry_age() >= 30 * 24 * 3600
