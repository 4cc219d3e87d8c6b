import shutil

import polib
import pytest

from shuangfang.core.i18n import app_dirs, catalogue, extracted_msgids


@pytest.mark.parametrize("app_dir", app_dirs(), ids=lambda p: p.name)
def test_every_string_has_a_chinese_translation(app_dir):
    po_path = catalogue(app_dir)
    if not po_path.exists():
        pytest.skip("app has no user-facing strings")
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries()] + [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated in {app_dir.name}: {untranslated}"


@pytest.mark.parametrize("app_dir", app_dirs(), ids=lambda p: p.name)
def test_catalogue_is_up_to_date_with_the_source(app_dir):
    if not shutil.which("xgettext"):
        pytest.skip("GNU gettext not installed (CI installs it)")
    po_path = catalogue(app_dir)
    current = {e.msgid for e in polib.pofile(str(po_path))} if po_path.exists() else set()
    fresh = extracted_msgids(app_dir)
    assert fresh == current, (
        f"run `make makemessages`: new {sorted(fresh - current)}, stale {sorted(current - fresh)}"
    )
