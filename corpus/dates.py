"""Dates as UN documents print them ("19 December 2025"), read once. Pure functions."""

from __future__ import annotations

import re
from datetime import date

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH_NUMBER = {month.lower(): number for number, month in enumerate(MONTHS, start=1)}
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\s+([a-z]+)\s+(\d{4})")
_YEAR = re.compile(r"\b(19|20)\d{2}\b")


def month_number(name: str) -> int | None:
    """1 for "January" (any case), None for a word that is not a month."""
    return _MONTH_NUMBER.get(name.lower())


def printed_date(text: str | None) -> date | None:
    """The date a document prints ("19 December 2025"); a bare year ("Geneva, 2025") reads
    as the last day of that year, so that it sorts after every dated text of the year."""
    lowered = (text or "").lower()
    match = _DAY_MONTH_YEAR.search(lowered)
    if match and match.group(2) in _MONTH_NUMBER:
        return date(int(match.group(3)), _MONTH_NUMBER[match.group(2)], int(match.group(1)))
    year = _YEAR.search(lowered)
    return date(int(year.group(0)), 12, 31) if year else None
