"""Posters and public reports for tests (made through the services, as a visitor would)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from shuangfang.publicreports import services
from shuangfang.publicreports.models import Poster, PublicReport


def jpeg(
    size=(64, 48), colour=(200, 30, 30), exif: bytes | None = None, name: str = "p.jpg"
) -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    kwargs = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, colour).save(out, format="JPEG", **kwargs)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def poster_at(institution, risk_point=None) -> Poster:
    poster = Poster.objects.filter(organization=institution, risk_point=risk_point).first()
    if poster is None:
        poster = Poster.objects.create(
            organization=institution,
            risk_point=risk_point,
            code=services._code(services.POSTER_CODE_LENGTH),
            created_by=_someone(institution),
        )
    return poster


def _someone(institution):
    from shuangfang.orgs.models import Membership

    m = Membership.objects.filter(organization=institution).select_related("user").first()
    assert m is not None
    return m.user


_n = iter(range(1, 1_000_000))


def report_at(
    institution, *, text: str = "楼梯间堆放杂物，堵住了安全出口", photo: bool = False
) -> PublicReport:
    n = next(_n)
    return services.submit_report(
        poster=poster_at(institution),
        text=text,
        photos=[jpeg()] if photo else [],
        address=f"198.51.100.{n % 250}",
        device=f"factory-device-{n}",
    )
