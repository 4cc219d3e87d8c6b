"""One period type, one syntax: canonical keys, the legacy quarter spelling, and a clear refusal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from shuangfang.core import periods
from shuangfang.core.periods import PeriodKind


def test_canonical_keys_round_trip():
    for key, start, end in (
        ("2026-11", dt.date(2026, 11, 1), dt.date(2026, 12, 1)),
        ("2026-12", dt.date(2026, 12, 1), dt.date(2027, 1, 1)),
        ("2026-Q4", dt.date(2026, 10, 1), dt.date(2027, 1, 1)),
        ("2026", dt.date(2026, 1, 1), dt.date(2027, 1, 1)),
    ):
        p = periods.parse(key)
        assert (p.key, p.start, p.end, str(p)) == (key, start, end, key)


@pytest.mark.parametrize("legacy", ["2026Q4", "2026q4", " 2026 Q4 ", "2026-q4"])
def test_legacy_quarter_spelling(legacy):
    assert periods.parse(legacy) == periods.quarter(2026, 4)
    assert periods.parse("2026-1").key == "2026-01"


@pytest.mark.parametrize("bad", ["", "bogus", "2026-13", "2026-0", "2026-Q5", "26-11", "1999", "2026-11-01"])
def test_malformed_is_refused_never_the_current_month(bad):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        periods.parse(bad)
    assert err.value.code == "malformed" and "2026-Q4" in err.value.messages[0]


def test_kinds_limit_what_is_accepted():
    with pytest.raises(ValidationError):
        periods.parse("2026", (PeriodKind.MONTH, PeriodKind.QUARTER))
    assert periods.parse_or("", periods.month(2026, 1)) == periods.month(2026, 1)
    with pytest.raises(ValidationError):
        periods.parse_or("x", periods.month(2026, 1))


def test_navigation_and_labels():
    assert periods.month(2026, 1).previous() == periods.month(2025, 12)
    assert periods.quarter(2026, 1).previous() == periods.quarter(2025, 4)
    assert periods.of("quarter", dt.date(2026, 8, 31)) == periods.quarter(2026, 3)
    assert periods.Period(PeriodKind.MONTH, dt.date(2026, 3, 1)) == periods.Period(
        "month", dt.date(2026, 3, 1)
    )
    assert len({periods.Period(PeriodKind.MONTH, dt.date(2026, 3, 1)), periods.month(2026, 3)}) == 1
    nov = periods.month(2026, 11)
    assert nov.measured_until(dt.date(2026, 11, 18)) == dt.date(2026, 11, 18)
    assert nov.measured_until(dt.date(2027, 1, 5)) == dt.date(2026, 11, 30)
    assert nov.is_running(dt.date(2026, 11, 30)) and not nov.has_ended(dt.date(2026, 11, 30))
    with translation.override("zh-hans"):
        assert [p.label for p in (nov, periods.quarter(2026, 4), periods.year(2026))] == [
            "2026年11月",
            "2026年第4季度",
            "2026年",
        ]
