"""Django merges every app's catalogue into one: for a msgid (with the same msgctxt) translated
differently in two apps, the app earliest in INSTALLED_APPS wins on every page. So the same
msgid + msgctxt must have the same translation in every catalogue; where the apps mean different
things, the source uses pgettext (a context) or a more precise English msgid."""

from collections import defaultdict

import polib

from shuangfang.core.i18n import app_dirs


def _translation(entry: polib.POEntry) -> str:
    if entry.msgid_plural:
        return " | ".join(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural))
    return entry.msgstr


def disagreements(paths: dict[str, str]) -> list[str]:
    """One line per msgid + msgctxt that two apps translate differently, naming the apps and words.
    ``paths`` maps an app name to its .po file; empty and fuzzy translations are ignored (another
    test reports those)."""
    seen: dict[tuple[str | None, str], dict[str, str]] = defaultdict(dict)
    for app, path in paths.items():
        for entry in polib.pofile(path):
            text = _translation(entry)
            if entry.obsolete or entry.fuzzy or not text.strip(" |"):
                continue
            seen[(entry.msgctxt, entry.msgid)][app] = text
    lines = []
    for (context, msgid), by_app in sorted(seen.items(), key=lambda kv: (kv[0][1], kv[0][0] or "")):
        if len(set(by_app.values())) > 1:
            words = ", ".join(f"{app}: {text!r}" for app, text in by_app.items())
            where = f" (context {context!r})" if context else ""
            lines.append(f"{msgid!r}{where} -> {words}")
    return lines


def _catalogues() -> dict[str, dict[str, str]]:
    """Language -> {app name: path of its django.po}."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for app_dir in app_dirs():
        for po in sorted((app_dir / "locale").glob("*/LC_MESSAGES/django.po")):
            found[po.parent.parent.name][app_dir.name] = str(po)
    return found


def test_the_apps_catalogues_agree_on_every_translation():
    catalogues = _catalogues()
    assert "zh_Hans" in catalogues
    problems = []
    for lang, paths in sorted(catalogues.items()):
        problems += [f"[{lang}] {line}" for line in disagreements(paths)]
    assert not problems, (
        "the same msgid is translated differently in two apps' catalogues (the app earliest in "
        "INSTALLED_APPS wins everywhere): use one word, or pgettext with a context where the "
        "meaning differs:\n" + "\n".join(problems)
    )


def test_a_disagreement_names_the_apps_and_their_words(tmp_path):
    def write(name: str, entries: list[polib.POEntry]) -> str:
        po = polib.POFile()
        po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
        for entry in entries:
            po.append(entry)
        path = tmp_path / f"{name}.po"
        po.save(str(path))
        return str(path)

    food = write(
        "food",
        [
            polib.POEntry(msgid="Check", msgstr="晨检"),
            polib.POEntry(msgid="Name", msgstr="名称"),
            polib.POEntry(msgid="Level", msgctxt="tier", msgstr="层级"),
        ],
    )
    risks = write(
        "risks",
        [
            polib.POEntry(msgid="Check", msgstr="检查"),
            polib.POEntry(msgid="Name", msgstr="名称"),
            polib.POEntry(msgid="Level", msgstr="等级"),
            polib.POEntry(msgid="Send", msgstr=""),
        ],
    )
    lines = disagreements({"food": food, "risks": risks})
    assert lines == ["'Check' -> food: '晨检', risks: '检查'"]
