"""Readiness on a 360 px phone: a carer signs in to a training by its QR URL and passes the quiz;
an institution head signs the year's responsibility letter by drawing on the screen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from shuangfang.orgs import services as orgs
from shuangfang.orgs.roles import Role
from shuangfang.orgs.tests.factories import PASSWORD, make_person
from shuangfang.readiness import letters, training
from shuangfang.readiness.choices import LetterLevel, LetterStatus
from shuangfang.readiness.models import Attendance, Letter

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone_as(browser, base: str, username: str, errors: list[str]):
    ctx = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{base}/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("h1.greeting")
    return ctx, page


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], "page overflows at 360 px"


def test_a_carer_signs_in_to_a_training_by_qr(live_server, world, browser, desktop, shot):
    base = live_server.url
    errors: list[str] = []
    carer_post = orgs.create_post(
        actor=world.root, institution=world.inst_a, name="护理员", department=world.dept_a
    )
    make_person(world.root, "carer_a", world.dept_a, Role.STAFF, post=carer_post, name="朱护理")
    training.install_defaults(actor=world.root, bureau=world.bureau)
    start = timezone.now().replace(microsecond=0)
    session = training.create_session(
        actor=world.users["safety_officer"],
        institution=world.inst_a,
        course=training.courses_for(world.inst_a).get(name="消防安全培训"),
        title="消防安全“四个能力”培训",
        trainer="市消防救援支队",
        place="一楼多功能厅",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        pass_mark=60,
        questions=[("发现火情第一步应当？", ["继续工作", "立即报警并组织疏散", "先拍照"], 2)],
    )

    # The safety officer shows the QR code in the room (desktop).
    desktop.goto(f"{base}/")
    desktop.fill("input[name=username]", "officer_a")
    desktop.fill("input[name=password]", PASSWORD)
    desktop.click("#login-form button[type=submit]")
    desktop.goto(f"{base}/readiness/sessions/{session.uuid}/")
    desktop.wait_for_selector(".rd-qr svg")
    shot(desktop, "readiness-1-session-qr-desktop")
    sign_url = desktop.get_attribute("a:has-text('签到链接')", "href")
    assert sign_url and session.sign_in_key in sign_url

    # The carer opens the code's URL on her phone, signs in, and answers the quiz.
    ctx, carer = _phone_as(browser, base, "carer_a", errors)
    carer.goto(f"{base}{sign_url}" if sign_url.startswith("/") else sign_url)
    carer.wait_for_selector("button.rd-bigbutton")
    _fits(carer)
    shot(carer, "readiness-2-sign-in-phone")
    carer.click("button.rd-bigbutton")
    carer.wait_for_selector("p.rd-big")
    assert "您已签到" in carer.inner_text(".messages")
    carer.check("input[type=radio][value='2']")
    shot(carer, "readiness-3-quiz-phone")
    carer.click("text=提交答案")
    carer.wait_for_selector(".msg-success")
    assert "及格" in carer.inner_text(".messages")
    _fits(carer)
    shot(carer, "readiness-4-passed-phone")
    # Scanning again signs in once.
    carer.goto(f"{base}{sign_url}" if sign_url.startswith("/") else sign_url)
    assert carer.locator("button.rd-bigbutton").count() == 0
    att = Attendance.objects.get(session=session)
    assert att.person.username == "carer_a" and att.passed and att.score == 100
    # Her training page shows the fire course done.
    carer.goto(f"{base}/readiness/")
    carer.wait_for_selector("h1")
    _fits(carer)
    shot(carer, "readiness-5-my-training-phone")
    assert "消防安全培训" in carer.inner_text(".rd-lines")
    ctx.close()
    assert errors == []


def test_a_head_signs_a_responsibility_letter_on_a_phone(live_server, world, browser, shot):
    base = live_server.url
    errors: list[str] = []
    template = letters.save_template(
        actor=world.root,
        organization=world.bureau,
        level=LetterLevel.INSTITUTION_HEAD,
        title="安全生产目标责任书",
        principle="谁主管谁负责、谁在岗谁负责、谁当班谁负责",
        duties="全面负责本机构安全生产工作\n每季度至少组织一次安全检查\n按要求开展消防演练",
    )
    letter = letters.generate_letters(
        actor=world.root, template=template, institution=world.inst_a, year=2026
    )[0]
    assert letter.holder == world.users["institution_head"]

    ctx, head = _phone_as(browser, base, "head_a", errors)
    head.goto(f"{base}/readiness/")
    head.click(".rd-attention a")
    head.wait_for_selector("canvas[data-signature-pad]")
    _fits(head)
    shot(head, "readiness-6-letter-phone")
    # Submitting without drawing is refused with the reason.
    head.click("text=已阅读并签订")
    head.wait_for_selector(".msg-error")
    assert "手写签名" in head.inner_text(".messages")
    head.locator("canvas[data-signature-pad]").scroll_into_view_if_needed()
    box = head.locator("canvas[data-signature-pad]").bounding_box()
    assert box is not None
    head.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    head.mouse.down()
    for i in range(1, 12):
        head.mouse.move(box["x"] + 20 + i * 24, box["y"] + box["height"] * (0.3 if i % 2 else 0.7), steps=3)
    head.mouse.up()
    shot(head, "readiness-7-letter-drawn-phone")
    head.click("text=已阅读并签订")
    head.wait_for_selector(".msg-success")
    assert "签名完整有效" in head.inner_text("main")
    _fits(head)
    shot(head, "readiness-8-letter-signed-phone")
    letter = Letter.objects.get(pk=letter.pk)
    assert letter.status == LetterStatus.SIGNED and letter.signed_by == world.users["institution_head"]
    assert letters.verify(letter)
    ctx.close()
    assert errors == []


def test_the_officers_pages_fit_a_phone(live_server, world, browser, desktop, shot):
    from shuangfang.readiness import drills
    from shuangfang.readiness.choices import StepKind

    base = live_server.url
    errors: list[str] = []
    training.install_defaults(actor=world.root, bureau=world.bureau)
    officer = world.users["safety_officer"]
    drill = drills.plan_drill(
        actor=officer,
        institution=world.inst_a,
        title="消防疏散演练",
        planned_on=timezone.localdate(),
        building="综合楼",
    )
    t0 = timezone.now().replace(microsecond=0) - dt.timedelta(hours=2)
    drills.record_drill(
        actor=officer,
        drill=drill,
        started_at=t0,
        ended_at=t0 + dt.timedelta(minutes=20),
        steps=[
            drills.Step(t0 + dt.timedelta(minutes=1), StepKind.ALARM, "烟感报警"),
            drills.Step(t0 + dt.timedelta(minutes=4, seconds=30), StepKind.EVACUATED, "全部撤离"),
        ],
        participants=[world.users["staff"]],
        others=20,
    )
    drills.evaluate_drill(
        actor=officer, drill=drill, evaluation="疏散有序", improvements=["二楼疏散指示灯不亮"]
    )
    template = letters.save_template(
        actor=world.root,
        organization=world.bureau,
        level=LetterLevel.POST_HOLDER,
        title="岗位安全责任书",
        principle="谁主管谁负责、谁在岗谁负责、谁当班谁负责",
        duties="遵守安全操作规程",
    )
    letters.generate_letters(actor=officer, template=template, institution=world.inst_a, year=2026)
    ctx, page = _phone_as(browser, base, "officer_a", errors)
    desktop.goto(f"{base}/")
    desktop.fill("input[name=username]", "officer_a")
    desktop.fill("input[name=password]", PASSWORD)
    desktop.click("#login-form button[type=submit]")
    for name, path in [
        ("status", "/readiness/status/"),
        ("drills", "/readiness/drills/"),
        ("drill", f"/readiness/drills/{drill.uuid}/"),
        ("letters", "/readiness/letters/"),
        ("requirements", "/readiness/requirements/"),
    ]:
        page.goto(f"{base}{path}")
        page.wait_for_selector("h1")
        _fits(page)
        shot(page, f"readiness-9-{name}-phone")
        desktop.goto(f"{base}{path}")
        shot(desktop, f"readiness-9-{name}-desktop")
    ctx.close()
    assert errors == []


def test_the_bureaus_pages_fit_a_phone(live_server, world, browser, desktop, shot):
    from shuangfang.readiness import bureau, emergency

    base = live_server.url
    errors: list[str] = []
    sup = world.users["bureau_supervisor"]
    officer = world.users["safety_officer"]
    today = timezone.localdate()
    bureau.send_notice(
        actor=sup, bureau=world.bureau, title="汛期安全生产责任告知书", body="请落实汛期安全责任"
    )
    bureau.record_meeting(
        actor=sup,
        organization=world.bureau,
        title="月度安全形势分析研判会",
        held_on=today,
        period_start=today - dt.timedelta(days=30),
        period_end=today,
        decisions="逾期隐患限期整改",
        follow_ups=[("督导整改", sup, today + dt.timedelta(days=7))],
    )
    emergency.create_plan(
        actor=officer,
        institution=world.inst_a,
        kind="special",
        topic="fire",
        title="火灾事故专项应急预案",
        owner=officer,
        content="一、总则",
        phone_tree="总指挥 | head_a | 13900000000",
        review_on=today + dt.timedelta(days=10),
    )
    emergency.create_supply(
        actor=officer,
        institution=world.inst_a,
        kind="first_aid",
        name="急救箱",
        place="医务室",
        quantity=1,
        minimum=2,
    )
    pages = {
        "supervisor": [
            "/readiness/bureau/",
            "/readiness/bureau/meetings/",
            "/readiness/bureau/notices/",
            "/readiness/bureau/accountability/",
        ],
        "officer_a": ["/readiness/plans/", "/readiness/supplies/"],
    }
    for username, paths in pages.items():
        ctx, page = _phone_as(browser, base, username, errors)
        desktop.context.clear_cookies()
        desktop.goto(f"{base}/")
        desktop.fill("input[name=username]", username)
        desktop.fill("input[name=password]", PASSWORD)
        desktop.click("#login-form button[type=submit]")
        desktop.wait_for_selector("h1.greeting")
        for path in paths:
            name = path.strip("/").replace("/", "-")
            page.goto(f"{base}{path}")
            page.wait_for_selector("h1")
            _fits(page)
            shot(page, f"readiness-10-{name}-phone")
            desktop.goto(f"{base}{path}")
            shot(desktop, f"readiness-10-{name}-desktop")
        ctx.close()
    assert errors == []


def test_an_officer_attaches_drill_photos_and_materials_on_a_phone(
    live_server, world, browser, desktop, shot
):
    import io

    from PIL import Image

    from shuangfang.core import outbox
    from shuangfang.inspections import seed
    from shuangfang.inspections.checklists import create_checklist
    from shuangfang.inspections.records import Answer, bureau_inspect
    from shuangfang.readiness import drills

    seed.load(only_if_missing=True)  # a transactional test before this one flushed the seed rows
    base = live_server.url
    errors: list[str] = []
    training.install_defaults(actor=world.root, bureau=world.bureau)
    officer = world.users["safety_officer"]
    drill = drills.plan_drill(
        actor=officer, institution=world.inst_a, title="消防疏散演练", planned_on=timezone.localdate()
    )
    start = timezone.now().replace(microsecond=0)
    session = training.create_session(
        actor=officer,
        institution=world.inst_a,
        course=training.courses_for(world.inst_a).get(name="消防安全培训"),
        title="灭火器使用培训",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
    )
    buf = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 80, 40)).save(buf, format="JPEG")
    photo = {"name": "集合点.jpg", "mimeType": "image/jpeg", "buffer": buf.getvalue()}
    ctx, page = _phone_as(browser, base, "officer_a", errors)
    page.goto(f"{base}/readiness/drills/{drill.uuid}/")
    page.click("text=添加照片")
    page.set_input_files("input[name=file]", files=[photo])
    page.fill("input[name=title]", "疏散集合点")
    page.click("form[action$='/photos/'] button[type=submit]")
    page.wait_for_selector(".rd-photos img")
    # served and decoded (the page's load event may come before the picture on a busy machine)
    page.wait_for_function("() => document.querySelector('.rd-photos img').naturalWidth > 0")
    _fits(page)
    shot(page, "readiness-10-drill-photos-phone")
    page.goto(f"{base}/readiness/sessions/{session.uuid}/")
    page.click("text=添加附件")
    pdf = {"name": "灭火器使用.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}
    page.set_input_files("input[name=file]", files=[pdf])
    page.click("form[action$='/materials/'] button[type=submit]")
    page.wait_for_selector("text=灭火器使用.pdf")
    _fits(page)
    shot(page, "readiness-10-session-materials-phone")
    ctx.close()
    # The bureau's spot check with a finding that became a hazard.
    checklist = create_checklist(
        actor=world.users["admin"],
        organization=world.bureau,
        name="季度抽查",
        kind="bureau",
        category="rules",
        library_codes=["F01"],
    )
    item = checklist.items.get()
    bureau_inspect(
        actor=world.users["bureau_supervisor"],
        institution=world.inst_a,
        checklist=checklist,
        answers=[Answer(str(item.uuid), "problem", note="消防通道堆放杂物")],
    )
    outbox.drain()
    ctx, page = _phone_as(browser, base, "supervisor", errors)
    page.goto(f"{base}/readiness/bureau/?org={world.bureau.uuid}")
    page.wait_for_selector("#spot-checks")
    assert page.locator(".rd-spot a[href*='/hazards/']").count() == 1
    _fits(page)
    shot(page, "readiness-10-spot-checks-phone")
    desktop.goto(f"{base}/")
    desktop.fill("input[name=username]", "supervisor")
    desktop.fill("input[name=password]", PASSWORD)
    desktop.click("#login-form button[type=submit]")
    desktop.goto(f"{base}/readiness/bureau/?org={world.bureau.uuid}")
    shot(desktop, "readiness-10-spot-checks-desktop")
    ctx.close()
    assert errors == []
