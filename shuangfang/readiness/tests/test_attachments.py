"""Drill photos and training materials as files: checked by content (a PDF by its first bytes, a
photo as a picture), refused with the reason and nothing kept, served only inside the scope."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shuangfang.readiness import attachments, drills
from shuangfang.readiness.models import Attachment

from .helpers import drill_a, jpeg, pdf, session_a

pytestmark = pytest.mark.django_db


def test_a_drill_photo_is_checked_stored_and_shown(world, client):
    officer = world.users["safety_officer"]
    drill = drill_a(world)
    att = attachments.add_drill_photo(actor=officer, drill=drill, upload=jpeg(), title="疏散集合点")
    assert att.organization == world.inst_a and att.thumb and att.display and not att.is_pdf
    # A PDF named .jpg is not a photo; nothing is kept.
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 no picture", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="not a picture"):
        attachments.add_drill_photo(actor=officer, drill=drill, upload=fake)
    assert Attachment.objects.count() == 1
    with pytest.raises(PermissionDenied):
        attachments.add_drill_photo(actor=world.users["staff"], drill=drill, upload=jpeg())
    client.force_login(world.users["staff"])
    page = client.get(f"/readiness/drills/{drill.uuid}/").content.decode()
    assert f"/readiness/files/{att.uuid}/thumb/" in page and "添加照片" not in page  # (the user's language)
    thumb = client.get(f"/readiness/files/{att.uuid}/thumb/")
    client.force_login(officer)
    assert "添加照片" in client.get(f"/readiness/drills/{drill.uuid}/").content.decode()
    assert thumb.status_code == 200 and b"".join(thumb.streaming_content)[:2] == b"\xff\xd8"
    assert client.get(f"/readiness/files/{att.uuid}/huge/").status_code == 404


def test_no_photo_on_a_cancelled_drill(world):
    officer = world.users["safety_officer"]
    drill = drills.cancel_drill(actor=officer, drill=drill_a(world), note="台风")
    with pytest.raises(ValidationError, match="cancelled"):
        attachments.add_drill_photo(actor=officer, drill=drill, upload=jpeg())
    assert not Attachment.objects.exists()


def test_session_material_pdf_by_first_bytes_and_served_in_scope(world, client):
    officer = world.users["safety_officer"]
    session = session_a(world)
    doc = attachments.add_session_material(actor=officer, session=session, upload=pdf())
    assert doc.is_pdf and doc.title == "教材.pdf" and doc.stored_name.endswith(".pdf")
    # A picture is a material too; a text file named .pdf is not.
    pic = attachments.add_session_material(actor=officer, session=session, upload=jpeg("流程图.jpg"))
    assert not pic.is_pdf and pic.thumb
    text = SimpleUploadedFile("教材.pdf", b"just text", content_type="application/pdf")
    with pytest.raises(ValidationError, match="PDF or a picture"):
        attachments.add_session_material(actor=officer, session=session, upload=text)
    assert Attachment.objects.filter(session=session).count() == 2
    client.force_login(world.users["staff"])
    page = client.get(f"/readiness/sessions/{session.uuid}/").content.decode()
    assert f"/readiness/files/{doc.uuid}/" in page and "教材.pdf" in page
    got = client.get(f"/readiness/files/{doc.uuid}/")
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF-")
    client.force_login(world.users["outsider"])
    assert client.get(f"/readiness/files/{doc.uuid}/").status_code == 404


def test_upload_views_refuse_with_the_reason(world, client):
    session = session_a(world)
    client.force_login(world.users["safety_officer"])
    url = f"/readiness/sessions/{session.uuid}/materials/"
    got = client.post(url, {"title": "x"}, follow=True)
    assert "请选择文件。" in got.content.decode()
    bad = SimpleUploadedFile("a.pdf", b"MZ\x90\x00", content_type="application/pdf")
    got = client.post(url, {"file": bad}, follow=True)
    assert "请上传 PDF 或图片" in got.content.decode() and not Attachment.objects.exists()
    got = client.post(url, {"file": pdf(), "title": "灭火器使用"}, follow=True)
    assert "文件已添加。" in got.content.decode() and "灭火器使用" in got.content.decode()


def test_at_most_max_files(world, monkeypatch):
    monkeypatch.setattr(attachments, "MAX_FILES", 1)
    officer = world.users["safety_officer"]
    attachments.add_drill_photo(actor=officer, drill=drill_a(world), upload=jpeg())
    with pytest.raises(ValidationError, match="At most 1"):
        attachments.add_drill_photo(actor=officer, drill=drill_a(world), upload=jpeg())
