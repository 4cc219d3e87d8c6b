"""Responsibility letters: the holder's risk points listed from the inventory, signature integrity
(signed PDF and its hash kept; a changed letter needs a new signature), revoked letters refused."""

from __future__ import annotations

import base64
import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image, ImageDraw

from shuangfang.readiness import letters
from shuangfang.readiness.choices import LetterLevel, LetterStatus
from shuangfang.readiness.models import Letter
from shuangfang.risks.tests.fixtures import risk_world

from .helpers import letter_a, template_b

pytestmark = pytest.mark.django_db


def drawn_png(blank: bool = False) -> bytes:
    img = Image.new("RGBA", (320, 120), (0, 0, 0, 0))
    if not blank:
        ImageDraw.Draw(img).line([(20, 80), (120, 30), (200, 90), (300, 40)], fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def test_letters_list_the_posts_risk_points_and_measures(world):
    risk_world(world)  # the kitchen point of the cook's post, with a measure
    letter = letter_a(world)
    assert letter.holder == world.users["staff"] and letter.level == LetterLevel.POST_HOLDER
    assert letter.risk_lines and letter.risk_lines[0]["point"].endswith("厨房")
    assert letter.risk_lines[0]["measures"] == ["安装可燃气体报警器"]
    assert "后勤科" in letter.issuer and "厨师" in letter.holder_party
    # Generated again for the same year: nobody gets a second live letter.
    again = letters.generate_letters(
        actor=world.users["institution_head"], template=template_b(world), institution=world.inst_a, year=2026
    )
    assert again == []
    # Department heads' letters list their department's points.
    dept = letters.generate_letters(
        actor=world.users["institution_head"],
        template=template_b(world, LetterLevel.DEPARTMENT_HEAD),
        institution=world.inst_a,
        year=2026,
    )
    assert [x.holder for x in dept] == [world.users["department_head"]]
    assert dept[0].risk_lines[0]["point"].endswith("厨房")


def test_signature_keeps_the_signed_pdf_and_its_hash(world):
    letter = letter_a(world)
    with pytest.raises(PermissionDenied):
        letters.sign_letter(actor=world.users["department_head"], letter=letter, png=drawn_png())
    with pytest.raises(ValidationError, match="Draw your signature"):
        letters.sign_letter(actor=world.users["staff"], letter=letter, png=drawn_png(blank=True))
    signed = letters.sign_letter(actor=world.users["staff"], letter=letter, png=drawn_png())
    signed.refresh_from_db()
    assert signed.status == LetterStatus.SIGNED and signed.signed_by == world.users["staff"]
    pdf = bytes(signed.signed_pdf or b"")
    assert pdf.startswith(b"%PDF") and signed.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert signed.signed_hash == signed.content_hash == letters.content_hash(signed)
    assert letters.verify(signed)
    # Tampering with the stored text (outside the services) breaks the check.
    Letter.objects.filter(pk=signed.pk).update(duties="改过的职责")
    signed.refresh_from_db()
    assert not letters.verify(signed)


def test_a_changed_letter_needs_a_new_signature(world):
    letter = letters.sign_letter(actor=world.users["staff"], letter=letter_a(world), png=drawn_png())
    old_hash = letter.content_hash
    changed = letters.amend_letter(
        actor=world.users["institution_head"], letter=letter, duties="遵守安全操作规程\n每日班前检查燃气阀门"
    )
    changed.refresh_from_db()
    assert changed.status == LetterStatus.ISSUED and changed.content_hash != old_hash
    assert changed.signed_pdf is None and changed.pdf_sha256 == "" and not letters.verify(changed)
    again = letters.sign_letter(actor=world.users["staff"], letter=changed, png=drawn_png())
    assert letters.verify(again) and again.signed_hash == again.content_hash != old_hash


def test_a_revoked_letter_cannot_be_signed(world):
    letter = letter_a(world)
    with pytest.raises(ValidationError, match="Say why"):
        letters.revoke_letter(actor=world.users["institution_head"], letter=letter, reason="")
    revoked = letters.revoke_letter(actor=world.users["institution_head"], letter=letter, reason="调岗")
    with pytest.raises(ValidationError, match="revoked"):
        letters.sign_letter(actor=world.users["staff"], letter=revoked, png=drawn_png())
    revoked.refresh_from_db()
    assert revoked.status == LetterStatus.REVOKED and revoked.signed_at is None
    # Issued again: a new live letter for the same holder and year.
    made = letters.generate_letters(
        actor=world.users["institution_head"], template=template_b(world), institution=world.inst_a, year=2026
    )
    assert [x.holder for x in made] == [world.users["staff"]]


def test_signing_on_the_page_with_a_drawn_signature(world, login):
    letter = letter_a(world)
    client = login(world.users["staff"])
    url = f"/readiness/letters/{letter.uuid}/"
    page = client.get(url)
    assert page.status_code == 200 and b"data-signature-pad" in page.content
    data_url = "data:image/png;base64," + base64.b64encode(drawn_png()).decode()
    response = client.post(f"{url}sign/", {"signature": data_url})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == LetterStatus.SIGNED and letters.verify(letter)
    pdf = client.get(f"{url}letter.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == bytes(letter.signed_pdf or b"")
    # The outsider learns nothing about the letter.
    assert login(world.users["outsider"]).get(url).status_code == 404


def test_a_letter_is_renewed_when_its_holder_changes_post(world, login):
    """The cook moves from the kitchen to the laundry: the head renews the letter on its page; the old
    one is revoked (kept, with the reason), the new one names the new post and lists its risk points
    (none: the kitchen point is no longer the cook's), and waits for a new signature."""
    from shuangfang.orgs import services as orgs
    from shuangfang.orgs.models import Membership

    risk_world(world)
    cook = world.users["staff"]
    old = letters.sign_letter(actor=cook, letter=letter_a(world), png=drawn_png())
    assert old.risk_lines and "厨师" in old.holder_party
    laundry = orgs.create_post(
        actor=world.root, institution=world.inst_a, name="洗衣工", department=world.dept_a
    )
    membership = Membership.objects.get(user=cook, organization=world.dept_a)
    orgs.end_membership(actor=world.root, membership=membership)
    orgs.add_membership(
        actor=world.root, person=cook, organization=world.dept_a, role=membership.role, post=laundry
    )
    client = login(world.users["institution_head"])
    response = client.post(f"/readiness/letters/{old.uuid}/change/", {"action": "renew", "reason": "调岗"})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.status == LetterStatus.REVOKED and old.revoked_reason == "调岗"
    assert letters.verify(old) is False and bytes(old.signed_pdf or b"").startswith(b"%PDF")
    new = Letter.objects.get(holder=cook, year=2026, status=LetterStatus.ISSUED)
    assert "洗衣工" in new.holder_party and new.risk_lines == [] and new.signed_at is None
    # Renewing someone else's letter: the staff member may not.
    assert login(cook).post(f"/readiness/letters/{new.uuid}/change/", {"action": "renew"}).status_code in (
        403,
        404,
    )
    assert Letter.objects.filter(holder=cook, year=2026).count() == 2
