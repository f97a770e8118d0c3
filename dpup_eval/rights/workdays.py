"""Working days as the Privacy Act 2020 defines them, for access and transfer deadlines.

Why this module exists: an access request (IPP 6) must be decided "as soon as reasonably practicable,
and in any case not later than 20 working days after the day on which the request is received"
(Privacy Act 2020, s 44), and a request may be transferred to another agency "not later than
10 working days after the day on which the request is received" (s 43). A privacy officer needs the
due date and the days left, and getting it wrong by one day is a breach, so the rules are applied
exactly as the Act's definition of **working day** (s 7) states them. That definition excludes:

* Saturdays and Sundays;
* Waitangi Day, Good Friday, Easter Monday, Anzac Day, the Sovereign's birthday, Te Kāhui o Matariki
  public holiday and Labour Day;
* if Waitangi Day or Anzac Day falls on a Saturday or a Sunday, the following Monday;
* any day in the period beginning on 25 December in any year and ending on 15 January the next year.

Regional anniversary days are *not* excluded: they are working days for the Act, so the national
calendar (no subdivision) is used. Christmas Day, Boxing Day, New Year's Day, the day after and their
Mondayised "observed" days all fall inside the 25 December–15 January period and are excluded by it.

The holiday dates come from the maintained ``holidays`` library rather than a hand-kept list (Easter and
Matariki move every year). Only the holidays the Act names are taken from it, chosen by the names the
library gives them. A name the module does not recognise is an error rather than a silent working day:
if a future library release renames or adds a holiday, the deadline calculation stops and says so
instead of quietly being a day off.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from dpup_eval.errors import DpupEvalError

__all__ = [
    "ACCESS_REQUEST_WORKING_DAYS",
    "FIRST_SUPPORTED_YEAR",
    "LAST_SUPPORTED_YEAR",
    "TRANSFER_WORKING_DAYS",
    "UnknownHolidayError",
    "UnsupportedDateError",
    "act_holidays",
    "add_working_days",
    "is_working_day",
    "working_days_between",
]

#: Privacy Act 2020, s 44: decide an access request within 20 working days after receipt.
ACCESS_REQUEST_WORKING_DAYS = 20
#: Privacy Act 2020, s 43: transfer a request to another agency within 10 working days after receipt.
TRANSFER_WORKING_DAYS = 10

#: The Privacy Act 2020 came into force on 1 December 2020.
FIRST_SUPPORTED_YEAR = 2020
#: Te Kāhui o Matariki Public Holiday Act 2022 fixes Matariki dates only up to 2052; the library has no
#: Matariki after that, so later dates would silently count Matariki as a working day. Refuse instead.
LAST_SUPPORTED_YEAR = 2052

#: Holiday names (as ``holidays.NewZealand`` spells them) that the Act's definition excludes.
#: "Queen's Birthday" is the Sovereign's birthday before September 2022; "Waitangi Day (observed)" and
#: "Anzac Day (observed)" are the Mondays after a weekend Waitangi or Anzac Day.
#: "Queen Elizabeth II Memorial Day" (26 September 2022) is included because the Queen Elizabeth II
#: Memorial Day Act 2022 made it a non-working day for enactments that count working days.
ACT_HOLIDAY_NAMES: frozenset[str] = frozenset(
    {
        "Waitangi Day",
        "Waitangi Day (observed)",
        "Good Friday",
        "Easter Monday",
        "Anzac Day",
        "Anzac Day (observed)",
        "King's Birthday",
        "Queen's Birthday",
        "Matariki",
        "Labour Day",
        "Queen Elizabeth II Memorial Day",
    }
)

#: Holiday names the Act does not list by name because they always fall in 25 December–15 January.
#: They are recognised only so that an unexpected name can be told apart from an expected one.
WINDOW_HOLIDAY_NAMES: frozenset[str] = frozenset(
    {
        "Christmas Day",
        "Christmas Day (observed)",
        "Boxing Day",
        "Boxing Day (observed)",
        "New Year's Day",
        "New Year's Day (observed)",
        "Day after New Year's Day",
        "Day after New Year's Day (observed)",
    }
)


class UnsupportedDateError(DpupEvalError, ValueError):
    """A date outside the years for which the holiday calendar is known to be complete."""


class UnknownHolidayError(DpupEvalError):
    """The holiday library produced a holiday name this module has not classified."""


def _in_christmas_window(day: date) -> bool:
    """True for 25 December to 15 January inclusive (the Act's Christmas–New Year period)."""
    return (day.month == 12 and day.day >= 25) or (day.month == 1 and day.day <= 15)


def _check_supported(day: date) -> None:
    if not FIRST_SUPPORTED_YEAR <= day.year <= LAST_SUPPORTED_YEAR:
        raise UnsupportedDateError(
            f"{day.isoformat()} is outside {FIRST_SUPPORTED_YEAR}–{LAST_SUPPORTED_YEAR}, the years for "
            "which the Privacy Act working-day calendar (including Matariki) is known"
        )


@lru_cache(maxsize=64)
def act_holidays(year: int) -> dict[date, tuple[str, ...]]:
    """The public holidays in ``year`` that the Act's definition of working day excludes by name.

    Returns each date with the library's names for it. Raises :class:`UnknownHolidayError` if the
    library names a holiday that is neither one the Act lists nor one inside the Christmas window,
    because guessing either way could move a statutory deadline.
    """
    _check_supported(date(year, 1, 1))
    calendar = holidays.NewZealand(years=year)
    selected: dict[date, tuple[str, ...]] = {}
    for day in sorted(calendar):
        names = calendar.get_list(day)
        chosen = tuple(name for name in names if name in ACT_HOLIDAY_NAMES)
        unknown = [name for name in names if name not in ACT_HOLIDAY_NAMES | WINDOW_HOLIDAY_NAMES]
        if unknown:
            raise UnknownHolidayError(
                f"holidays.NewZealand names {unknown!r} on {day.isoformat()}; decide whether the Privacy "
                "Act 2020 definition of working day excludes it and add it to ACT_HOLIDAY_NAMES or "
                "WINDOW_HOLIDAY_NAMES in dpup_eval/workdays.py"
            )
        if chosen:
            selected[day] = chosen
    return selected


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day under the Privacy Act 2020 (s 7).

    Regional anniversary days are working days; so is any weekday not excluded by the Act.
    """
    _check_supported(day)
    if day.weekday() >= 5:
        return False
    if _in_christmas_window(day):
        return False
    return day not in act_holidays(day.year)


def add_working_days(start: date, n: int) -> date:
    """The date that is ``n`` working days after ``start``: the due date for a request received on ``start``.

    Convention, following the Act's "not later than 20 working days after the day on which the request
    is received" (s 44; s 43 for 10-day transfers): the day of receipt is day 0 and is never
    counted, whether or not it is itself a working day; day 1 is the first working day *after* it, and
    the due date is the ``n``-th such day. A request received on a Saturday therefore has the following
    Monday (if a working day) as day 1. ``n == 0`` returns ``start`` unchanged.
    """
    if n < 0:
        raise ValueError(f"n must be zero or positive, got {n}")
    _check_supported(start)
    day = start
    remaining = n
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is before ``start``.

    Used for "days left": ``ACCESS_REQUEST_WORKING_DAYS - working_days_between(received, today)`` is the
    number of working days still available, and ``working_days_between(due, today) > 0`` means overdue
    by that many working days. For a working day ``end``,
    ``add_working_days(start, working_days_between(start, end)) == end``.
    """
    if end < start:
        return -working_days_between(end, start)
    _check_supported(start)
    _check_supported(end)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
