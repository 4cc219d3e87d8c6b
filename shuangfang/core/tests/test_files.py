import io
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from shuangfang.core import events
from shuangfang.core.pdf import html_to_pdf
from shuangfang.core.photos import save_photo
from shuangfang.core.qr import qr_svg


def jpeg(width=2000, height=1000, exif_rotate=False) -> SimpleUploadedFile:
    img = Image.new("RGB", (width, height), (200, 30, 30))
    buf = io.BytesIO()
    if exif_rotate:
        exif = Image.Exif()
        exif[0x0112] = 6  # rotate 90° clockwise when displayed
        img.save(buf, format="JPEG", exif=exif)
    else:
        img.save(buf, format="JPEG")
    return SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


def test_photo_keeps_the_original_and_makes_an_upright_display_copy(media):
    stored = save_photo(jpeg(exif_rotate=True), folder="test")
    assert default_storage.exists(stored.original)
    with default_storage.open(stored.display) as fh, Image.open(fh) as img:
        assert max(img.size) == 1280 and img.size[1] > img.size[0]  # rotated upright
    with default_storage.open(stored.thumb) as fh, Image.open(fh) as img:
        assert max(img.size) == 320


def test_a_file_that_is_not_a_picture_is_refused_whatever_its_name(media):
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError, match="不是图片|not a picture"):
        save_photo(fake, folder="test")


def test_an_oversized_picture_is_refused(media):
    with pytest.raises(ValidationError, match="上限|limit"):
        save_photo(jpeg(), folder="test", limit=1000)


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed (CI installs it)")
def test_pdf_embeds_a_cjk_font_and_the_chinese_text_is_extractable(tmp_path):
    data = html_to_pdf("<h1>岗位风险告知卡</h1><p>厨房 燃气泄漏 一般风险</p>")
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "岗位风险告知卡" in text and "燃气泄漏" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(" yes " in line for line in cjk), fonts  # embedded


def test_qr_svg_points_at_the_site(settings):
    settings.SITE_URL = "https://safety.example.cn"
    svg = qr_svg("/risks/points/abc/")
    assert svg.startswith("<svg") and "path" in svg


@pytest.mark.django_db(transaction=True)
def test_events_exist_only_if_the_change_commits():
    def report(n: int) -> None:
        events.publish(
            "report.generated", organization_id=1, object_uuid=f"r{n}", title="月报", generated_at="t"
        )

    with transaction.atomic():
        report(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        report(2)
        raise RuntimeError
    assert [p["object_uuid"] for _k, p in events.published("report.*")] == ["r1"]
