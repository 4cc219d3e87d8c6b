import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shuangfang.inspections import recurrence
from shuangfang.inspections.recurrence import Calendar, occurrences

from .conftest import local

D = dt.date


def starts(windows):
    return [(s.strftime("%m-%d %H:%M"), e.strftime("%m-%d %H:%M")) for s, e in windows]


def test_night_patrol_every_two_hours_crosses_midnight_in_shanghai_time():
    w = occurrences(
        "hours", {"interval_hours": 2, "start": "20:00", "end": "06:00"}, D(2026, 3, 31), D(2026, 3, 31)
    )
    assert starts(w) == [
        ("03-31 20:00", "03-31 22:00"),
        ("03-31 22:00", "04-01 00:00"),
        ("04-01 00:00", "04-01 02:00"),
        ("04-01 02:00", "04-01 04:00"),
        ("04-01 04:00", "04-01 06:00"),
    ]
    # Asia/Shanghai has no DST: every window is exactly 2 h of real time, and UTC is 8 h behind.
    assert all((e - s) == dt.timedelta(hours=2) for s, e in w)
    assert w[0][0].astimezone(dt.UTC).hour == 12


def test_no_dst_gap_or_overlap_on_the_dates_europe_and_america_switch():
    for day in (D(2026, 3, 8), D(2026, 3, 29), D(2026, 10, 25), D(2026, 11, 1)):
        w = occurrences("hours", {"interval_hours": 1}, day, day)
        assert len(w) == 24
        assert all((b[0] - a[0]) == dt.timedelta(hours=1) for a, b in zip(w, w[1:], strict=False))


def test_monthly_on_day_31_is_clamped_to_the_last_day_of_short_months():
    w = occurrences("monthly", {"month_day": 31, "time": "09:00"}, D(2026, 1, 1), D(2026, 4, 30))
    assert [s.date() for s, _e in w] == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30)]
    leap = occurrences("monthly", {"month_day": 30}, D(2028, 2, 1), D(2028, 2, 29))
    assert [s.date() for s, _e in leap] == [D(2028, 2, 29)]


def test_monthly_across_year_end_and_quarterly_and_seasonal_months():
    w = occurrences("monthly", {"month_day": 1}, D(2026, 11, 15), D(2027, 2, 10))
    assert [s.date() for s, _e in w] == [D(2026, 12, 1), D(2027, 1, 1), D(2027, 2, 1)]
    q = occurrences("quarterly", {}, D(2026, 1, 1), D(2026, 12, 31))
    assert [s.month for s, _e in q] == [1, 4, 7, 10]
    s = occurrences("seasonal", {}, D(2026, 1, 1), D(2026, 12, 31))
    assert [x.month for x, _e in s] == [3, 6, 9, 12]


def test_weekly_on_chosen_days_and_shifts():
    w = occurrences("weekly", {"weekdays": [0, 3], "time": "10:00"}, D(2026, 6, 1), D(2026, 6, 14))
    assert [s.strftime("%a %d") for s, _e in w] == ["Mon 01", "Thu 04", "Mon 08", "Thu 11"]
    sh = occurrences("shift", {"shifts": ["20:00", "08:00"]}, D(2026, 6, 1), D(2026, 6, 1))
    assert starts(sh) == [("06-01 08:00", "06-01 20:00"), ("06-01 20:00", "06-02 08:00")]


def test_working_day_rules_use_holidays_and_make_up_days_as_data():
    cal = Calendar.from_rows(
        [(D(2026, 10, d), "holiday", "国庆节") for d in range(1, 8)] + [(D(2026, 10, 10), "workday", "")]
    )
    w = occurrences("daily", {"day_rule": "workdays"}, D(2026, 9, 28), D(2026, 10, 11), cal)
    days = [s.day for s, _e in w]
    assert days == [28, 29, 30, 8, 9, 10]  # the National Day week is off; Saturday 10 is a make-up day
    rest = occurrences("daily", {"day_rule": "restdays"}, D(2026, 10, 1), D(2026, 10, 11), cal)
    assert [s.day for s, _e in rest] == [1, 2, 3, 4, 5, 6, 7, 11]


def test_before_holidays_uses_the_first_day_of_each_listed_holiday():
    cal = Calendar.from_rows(
        [(D(2026, 2, 15) + dt.timedelta(days=i), "holiday", "春节") for i in range(9)]
        + [(D(2026, 10, 1) + dt.timedelta(days=i), "holiday", "国庆节") for i in range(7)]
    )
    w = occurrences(
        "holidays",
        {"holidays": ["春节", "国庆节"], "days_before": 3, "time": "09:00"},
        D(2026, 1, 1),
        D(2026, 12, 31),
        cal,
    )
    assert [(s, e) for s, e in w] == [
        (local(2026, 2, 12, 9, 0), local(2026, 2, 15, 0, 0)),
        (local(2026, 9, 28, 9, 0), local(2026, 10, 1, 0, 0)),
    ]


def test_seeded_calendar_is_loaded_from_the_database(db):
    cal = Calendar.load(D(2026, 1, 1), D(2026, 12, 31))
    assert not cal.is_workday(D(2026, 10, 2))
    assert "春节" in cal.holiday_starts


@pytest.mark.parametrize(
    ("frequency", "rule"),
    [
        ("hours", {"interval_hours": 0}),
        ("weekly", {"weekdays": []}),
        ("shift", {}),
        ("daily", {"time": "25:99"}),
    ],
)
def test_invalid_rules_are_refused_with_a_message(frequency, rule):
    with pytest.raises(ValidationError):
        recurrence.validate(frequency, rule)
