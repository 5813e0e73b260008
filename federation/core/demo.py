"""The demo's clock, which every app's demo part shares: 2024 (the year the seed article tells,
reproduced figure for figure) and the current year up to today, each record written as on
its own day."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from unittest import mock

from django.utils import timezone

YEAR = 2024  # the seed article's year, which the demo reproduces figure for figure
START = date(YEAR, 1, 2)  # the registry, the users, the rules and goods as the town had them
_clock = timezone.now  # the real clock, whatever `on` makes Django read


def seed_day() -> date:
    """The day the demo is loaded: the current year is written up to it, never past it."""
    return timezone.localdate()


def current_year(today: date) -> int | None:
    """The year the demo lives in besides 2024 (the one of `today`), or None before 2025."""
    return today.year if today.year > YEAR else None


def moment(day: date, at: time = time(9)) -> datetime:
    """The time of a record of `day`: a working hour of that day, never later than now."""
    return min(timezone.make_aware(datetime.combine(day, at)), _clock())


@contextmanager
def on(day: date, at: time = time(9)) -> Iterator[datetime]:
    """Write as on `day` at `at`. Inside, Django's clock reads that moment, so each time a write
    takes from it — an auto_now_add field (recorded_at), django-simple-history's history_date,
    a service's submitted_at, reviewed_at or cancelled_at — is that day's, and a service's
    "today" is that day. Nothing that parses an ID number runs inside: its check of a birth
    date in the future keeps today for a second (identity.cached_today)."""
    stamp = moment(day, at)
    with mock.patch.object(timezone, "now", return_value=stamp):
        yield stamp
