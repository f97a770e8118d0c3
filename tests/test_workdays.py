"""Privacy Act 2020 working days, checked against dates counted by hand.

Every expected due date below was counted on a calendar, one working day at a time, and the count is
written out beside it; none comes from calling the function under test. Day 0 is the day the request is
received; day 1 is the first working day after it ("within 20 working days after the day on which the
request is received").
"""

from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dpup_eval.rights import workdays
from dpup_eval.rights.workdays import (
    ACCESS_REQUEST_WORKING_DAYS,
    TRANSFER_WORKING_DAYS,
    UnknownHolidayError,
    UnsupportedDateError,
    act_holidays,
    add_working_days,
    is_working_day,
    working_days_between,
)


def test_constants() -> None:
    assert ACCESS_REQUEST_WORKING_DAYS == 20
    assert TRANSFER_WORKING_DAYS == 10


def test_access_request_across_christmas_new_year_period() -> None:
    # Received Wed 10 Dec 2025.
    # 1 Thu 11, 2 Fri 12, 3 Mon 15, 4 Tue 16, 5 Wed 17, 6 Thu 18, 7 Fri 19, 8 Mon 22, 9 Tue 23, 10 Wed 24 Dec;
    # 25 Dec 2025 – 15 Jan 2026 excluded;
    # 11 Fri 16 Jan, 12 Mon 19 (Wellington Anniversary: still a working day), 13 Tue 20, 14 Wed 21,
    # 15 Thu 22, 16 Fri 23, 17 Mon 26 (Auckland Anniversary: still a working day), 18 Tue 27, 19 Wed 28,
    # 20 Thu 29 Jan 2026.
    assert add_working_days(date(2025, 12, 10), ACCESS_REQUEST_WORKING_DAYS) == date(2026, 1, 29)


def test_request_received_inside_the_christmas_period() -> None:
    # Received Tue 30 Dec 2025 (inside the period). Nothing counts until Fri 16 Jan 2026.
    # 1 Fri 16, 2 Mon 19, 3 Tue 20, 4 Wed 21, 5 Thu 22, 6 Fri 23, 7 Mon 26, 8 Tue 27, 9 Wed 28, 10 Thu 29,
    # 11 Fri 30 Jan, 12 Mon 2 Feb, 13 Tue 3, 14 Wed 4, 15 Thu 5, (Fri 6 Feb Waitangi Day excluded),
    # 16 Mon 9, 17 Tue 10, 18 Wed 11, 19 Thu 12, 20 Fri 13 Feb 2026.
    assert add_working_days(date(2025, 12, 30), 20) == date(2026, 2, 13)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 12, 24), True),  # Wed, last working day before the period
        (date(2025, 12, 25), False),  # first day of the period
        (date(2026, 1, 5), False),  # Mon, inside the period though no public holiday
        (date(2026, 1, 15), False),  # Thu, last day of the period
        (date(2026, 1, 16), True),  # Fri, first working day after it
        (date(2027, 1, 15), False),  # Fri, last day of the period
        (date(2027, 1, 18), True),  # Mon
    ],
)
def test_christmas_period_boundaries(day: date, expected: bool) -> None:
    assert is_working_day(day) is expected


def test_matariki_2025_in_a_transfer() -> None:
    # Matariki 2025 is Fri 20 June. Received Fri 13 June 2025, 10 working days to transfer.
    # 1 Mon 16, 2 Tue 17, 3 Wed 18, 4 Thu 19, (Fri 20 Matariki excluded), 5 Mon 23, 6 Tue 24, 7 Wed 25,
    # 8 Thu 26, 9 Fri 27, 10 Mon 30 June 2025.
    assert not is_working_day(date(2025, 6, 20))
    assert add_working_days(date(2025, 6, 13), TRANSFER_WORKING_DAYS) == date(2025, 6, 30)


def test_matariki_2026() -> None:
    # Matariki 2026 is Fri 10 July. Received Mon 29 June 2026.
    # 1 Tue 30 Jun, 2 Wed 1 Jul, 3 Thu 2, 4 Fri 3, 5 Mon 6, 6 Tue 7, 7 Wed 8, 8 Thu 9, (Fri 10 Matariki),
    # 9 Mon 13, 10 Tue 14, 11 Wed 15, 12 Thu 16, 13 Fri 17, 14 Mon 20, 15 Tue 21, 16 Wed 22, 17 Thu 23,
    # 18 Fri 24, 19 Mon 27, 20 Tue 28 July 2026.
    assert not is_working_day(date(2026, 7, 10))
    assert add_working_days(date(2026, 6, 29), 20) == date(2026, 7, 28)


def test_kings_birthday_and_matariki_2025() -> None:
    # King's Birthday 2025 is Mon 2 June (first Monday in June); Matariki Fri 20 June.
    # Received Fri 30 May 2025. (Mon 2 June excluded), 1 Tue 3, 2 Wed 4, 3 Thu 5, 4 Fri 6, 5 Mon 9,
    # 6 Tue 10, 7 Wed 11, 8 Thu 12, 9 Fri 13, 10 Mon 16, 11 Tue 17, 12 Wed 18, 13 Thu 19, (Fri 20),
    # 14 Mon 23, 15 Tue 24, 16 Wed 25, 17 Thu 26, 18 Fri 27, 19 Mon 30 June, 20 Tue 1 July 2025.
    assert not is_working_day(date(2025, 6, 2))
    assert add_working_days(date(2025, 5, 30), 20) == date(2025, 7, 1)
    # King's Birthday 2026 is Mon 1 June 2026 (June 2026 starts on a Monday).
    assert not is_working_day(date(2026, 6, 1))


def test_waitangi_day_on_a_weekday_2026() -> None:
    # Waitangi Day 2026 is Fri 6 Feb. Received Mon 2 Feb 2026, 10 working days.
    # 1 Tue 3, 2 Wed 4, 3 Thu 5, (Fri 6 excluded), 4 Mon 9, 5 Tue 10, 6 Wed 11, 7 Thu 12, 8 Fri 13,
    # 9 Mon 16, 10 Tue 17 Feb 2026.
    assert not is_working_day(date(2026, 2, 6))
    assert add_working_days(date(2026, 2, 2), 10) == date(2026, 2, 17)


def test_waitangi_day_on_a_saturday_2027_excludes_the_monday() -> None:
    # Waitangi Day 2027 is Sat 6 Feb, so Mon 8 Feb 2027 is excluded. Received Wed 3 Feb 2027.
    # 1 Thu 4, 2 Fri 5, (Sat 6, Sun 7, Mon 8 excluded), 3 Tue 9, 4 Wed 10, 5 Thu 11, 6 Fri 12, 7 Mon 15,
    # 8 Tue 16, 9 Wed 17, 10 Thu 18 Feb 2027.
    assert not is_working_day(date(2027, 2, 8))
    assert add_working_days(date(2027, 2, 3), 10) == date(2027, 2, 18)


def test_easter_and_anzac_day_on_a_saturday_2026() -> None:
    # Good Friday Fri 3 April 2026, Easter Monday Mon 6 April; Anzac Day Sat 25 April, so Mon 27 April is
    # excluded. Received Wed 1 April 2026.
    # 1 Thu 2, (Fri 3 .. Mon 6 excluded), 2 Tue 7, 3 Wed 8, 4 Thu 9, 5 Fri 10, 6 Mon 13, 7 Tue 14,
    # 8 Wed 15, 9 Thu 16, 10 Fri 17, 11 Mon 20, 12 Tue 21, 13 Wed 22, 14 Thu 23, 15 Fri 24,
    # (Sat 25, Sun 26, Mon 27 excluded), 16 Tue 28, 17 Wed 29, 18 Thu 30 Apr, 19 Fri 1 May, 20 Mon 4 May 2026.
    for excluded in (date(2026, 4, 3), date(2026, 4, 6), date(2026, 4, 27)):
        assert not is_working_day(excluded)
    assert is_working_day(date(2026, 4, 28))
    assert add_working_days(date(2026, 4, 1), 20) == date(2026, 5, 4)


def test_labour_day_2026_in_a_transfer() -> None:
    # Labour Day 2026 is the fourth Monday in October: Mondays are 5, 12, 19, 26 -> Mon 26 Oct.
    # Received Fri 23 Oct 2026. (Mon 26 excluded), 1 Tue 27, 2 Wed 28, 3 Thu 29, 4 Fri 30, 5 Mon 2 Nov,
    # 6 Tue 3, 7 Wed 4, 8 Thu 5, 9 Fri 6, 10 Mon 9 Nov 2026.
    assert not is_working_day(date(2026, 10, 26))
    assert add_working_days(date(2026, 10, 23), TRANSFER_WORKING_DAYS) == date(2026, 11, 9)


def test_regional_anniversary_days_are_working_days() -> None:
    # These are public holidays in their regions (the library confirms it), but the Act does not
    # exclude anniversary days, so they count.
    auckland = date(2027, 2, 1)  # Mon, Auckland Anniversary Day 2027
    show_day = date(2025, 11, 14)  # Fri, Canterbury Show Day (anniversary) 2025
    assert auckland in holidays.NewZealand(subdiv="AUK", years=2027)
    assert show_day in holidays.NewZealand(subdiv="CAN", years=2025)
    assert is_working_day(auckland)
    assert is_working_day(show_day)
    # Received Fri 29 Jan 2027 -> day 1 is Mon 1 Feb 2027 (Auckland Anniversary).
    assert add_working_days(date(2027, 1, 29), 1) == auckland
    # Received Thu 13 Nov 2025 -> day 1 is Fri 14 Nov 2025 (Show Day).
    assert add_working_days(date(2025, 11, 13), 1) == show_day


def test_received_on_a_saturday() -> None:
    # Received Sat 7 March 2026: day 0 is the Saturday, day 1 is Mon 9 March 2026.
    assert add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)
    assert add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)


def test_2022_sovereigns_birthday_and_queen_elizabeth_memorial_day() -> None:
    assert not is_working_day(date(2022, 6, 6))  # Queen's Birthday 2022
    assert not is_working_day(date(2022, 9, 26))  # Queen Elizabeth II Memorial Day (one-off)
    assert not is_working_day(date(2022, 6, 24))  # first Matariki public holiday


def test_working_days_between() -> None:
    # From the Christmas example: 10 Dec 2025 -> 29 Jan 2026 is 20 working days.
    assert working_days_between(date(2025, 12, 10), date(2026, 1, 29)) == 20
    assert working_days_between(date(2026, 1, 29), date(2025, 12, 10)) == -20
    assert working_days_between(date(2026, 4, 1), date(2026, 4, 1)) == 0
    # Fri 10 Apr -> Sun 12 Apr 2026: no working day after the Friday.
    assert working_days_between(date(2026, 4, 10), date(2026, 4, 12)) == 0
    # Days left: received Wed 1 Apr 2026; on Fri 24 Apr it is day 15 (see the Easter example), 5 remain.
    used = working_days_between(date(2026, 4, 1), date(2026, 4, 24))
    assert used == 15
    assert ACCESS_REQUEST_WORKING_DAYS - used == 5
    # Overdue: due Mon 4 May 2026; on Wed 6 May it is 2 working days late.
    assert working_days_between(date(2026, 5, 4), date(2026, 5, 6)) == 2


def test_selected_library_holiday_names_2024_to_2030() -> None:
    names = {
        name for year in range(2024, 2031) for day_names in act_holidays(year).values() for name in day_names
    }
    assert names == {
        "Waitangi Day",
        "Waitangi Day (observed)",
        "Good Friday",
        "Easter Monday",
        "Anzac Day",
        "Anzac Day (observed)",
        "King's Birthday",
        "Matariki",
        "Labour Day",
    }
    # Each year has exactly the named national holidays, plus a Monday when Waitangi/Anzac Day is at a weekend.
    assert len(act_holidays(2026)) == 8  # Anzac Day Sat 25 Apr -> observed Mon 27 Apr
    assert len(act_holidays(2027)) == 9  # both Waitangi Day and Anzac Day at a weekend
    assert len(act_holidays(2025)) == 7


def test_every_supported_year_is_classified() -> None:
    # No holiday name in 2020-2052 is unknown to the module (an unknown name raises).
    for year in range(workdays.FIRST_SUPPORTED_YEAR, workdays.LAST_SUPPORTED_YEAR + 1):
        act_holidays(year)
    # Matariki is in the calendar for every year the Act fixes it (2022-2052).
    for year in range(2022, 2053):
        assert any("Matariki" in names for names in act_holidays(year).values()), year


def test_unknown_holiday_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeCalendar(dict[date, str]):
        def get_list(self, day: date) -> list[str]:
            return [self[day]]

    def fake_new_zealand(years: int) -> FakeCalendar:
        return FakeCalendar({date(years, 3, 2): "Some New Holiday"})

    act_holidays.cache_clear()
    monkeypatch.setattr(workdays.holidays, "NewZealand", fake_new_zealand)
    try:
        with pytest.raises(UnknownHolidayError, match="Some New Holiday"):
            is_working_day(date(2031, 3, 3))
    finally:
        monkeypatch.undo()
        act_holidays.cache_clear()


def test_unsupported_dates_and_negative_n() -> None:
    with pytest.raises(UnsupportedDateError):
        is_working_day(date(2053, 3, 3))
    with pytest.raises(UnsupportedDateError):
        add_working_days(date(2052, 12, 20), 20)  # runs into 2053
    with pytest.raises(ValueError, match="zero or positive"):
        add_working_days(date(2026, 3, 3), -1)


@settings(deadline=None)
@given(
    start=st.dates(min_value=date(2021, 1, 1), max_value=date(2051, 12, 31)),
    n=st.integers(min_value=0, max_value=60),
)
def test_add_and_between_agree(start: date, n: int) -> None:
    due = add_working_days(start, n)
    assert working_days_between(start, due) == n
    assert working_days_between(due, start) == -n
    if n > 0:
        assert is_working_day(due)
        # No working day is skipped: the day before the due date is at most n-1 working days in.
        assert working_days_between(start, due - timedelta(days=1)) == n - 1
