"""A hazard raised by an inspection is titled with what is wrong (the inspector's note, else "not
met: <check>"), never with the check's own text, which says what should be true, nor the place."""

from __future__ import annotations

import pytest
import time_machine
from django.utils import translation

from shuangfang.inspections.records import Answer, problem_title
from shuangfang.inspections.taskflow import submit_record

from .conftest import local
from .test_submit import answers, published, task  # noqa: F401 - fixtures

PASSING = "安全出口标志和应急照明完好有效"


def test_the_note_is_the_title():
    assert problem_title(PASSING, "东侧安全出口指示灯不亮\n已报修") == "东侧安全出口指示灯不亮"


@pytest.mark.parametrize(("language", "prefix"), [("zh-hans", "未达标："), ("en", "Not met: ")])
def test_without_a_note_the_title_says_the_check_was_not_met(language, prefix):
    with translation.override(language):
        title = problem_title(PASSING, "  ")
    assert title == f"{prefix}{PASSING}"


def test_the_published_problem_has_the_note_as_title_and_no_place(world, task, published):  # noqa: F811
    cook = world.users["staff"]
    with time_machine.travel(local(2026, 6, 1, 8, 30), tick=False):
        submit_record(actor=cook, task=task, answers=answers(task), note="")
    problem = next(p for k, p in published if k == "inspection.problem_found")
    assert problem["title"] == "冰箱温度 12 度"
    assert problem["location"] not in problem["title"]
    assert isinstance(Answer, type)
