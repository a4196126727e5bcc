"""kubectl's ages (apimachinery duration.HumanDuration and ShortHumanDuration) and RFC 3339 timestamps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

_SECOND = 1_000_000_000
_MINUTE = 60 * _SECOND
_HOUR = 60 * _MINUTE
_MAX_DURATION = (1 << 63) - 1
_MIN_DURATION = -(1 << 63)
_UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_GREGORIAN_CYCLE_DAYS = 146_097  # days in 400 years

# time.Parse(time.RFC3339, ...) as Go runs it: a strict fast path, then the general parser, which also
# takes a one-digit hour, a comma before the fraction and zone offsets up to 24:60.
_RFC3339 = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"T(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})"
    r"(?:[.,](?P<fraction>[0-9]+))?"
    r"(?:Z|(?P<sign>[+-])(?P<zone_hour>[0-9]{2}):(?P<zone_minute>[0-9]{2}))"
)


@dataclass(frozen=True)
class _Timestamp:
    """A parsed RFC 3339 timestamp; unlike datetime it can hold Go's year 0."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    nanosecond: int
    offset_seconds: int

    def unix_nanoseconds(self) -> int:
        year, shift = (self.year, 0) if self.year >= 1 else (self.year + 400, _GREGORIAN_CYCLE_DAYS)
        days = date(year, self.month, self.day).toordinal() - shift - _UNIX_EPOCH_ORDINAL
        seconds = days * 86_400 + self.hour * 3_600 + self.minute * 60 + self.second - self.offset_seconds
        return seconds * _SECOND + self.nanosecond


_ZERO_TIME_NANOSECONDS = _Timestamp(1, 1, 1, 0, 0, 0, 0, 0).unix_nanoseconds()


def _seconds(nanoseconds: int) -> float:
    """Go's Duration.Seconds(): whole and fractional parts added in float64."""
    whole = abs(nanoseconds) // _SECOND
    rest = abs(nanoseconds) % _SECOND
    if nanoseconds < 0:
        whole, rest = -whole, -rest
    return float(whole) + float(rest) / 1e9


def _per_unit(nanoseconds: int, unit: int) -> float:
    """Go's Duration.Minutes()/Hours(): whole and fractional parts added in float64."""
    whole = abs(nanoseconds) // unit
    rest = abs(nanoseconds) % unit
    if nanoseconds < 0:
        whole, rest = -whole, -rest
    return float(whole) + float(rest) / float(unit)


def _nanoseconds(seconds: float) -> int:
    return round(seconds * _SECOND)


def _negative(seconds: int) -> str | None:
    """What both durations print for a negative age: `0s` within a second of clock skew, else `<invalid>`."""
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    return None


def _human(duration: int) -> str:
    """HumanDuration on integer nanoseconds."""
    seconds = int(_seconds(duration))
    negative = _negative(seconds)
    if negative is not None:
        return negative
    if seconds < 60 * 2:
        return f"{seconds}s"
    minutes = duration // _MINUTE
    if minutes < 10:
        rest = (duration // _SECOND) % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = duration // _HOUR
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        rest = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if rest == 0 else f"{years}y{rest}d"
    return f"{hours // 24 // 365}y"


def _short(duration: int) -> str:
    """ShortHumanDuration on integer nanoseconds."""
    seconds = int(_seconds(duration))
    negative = _negative(seconds)
    if negative is not None:
        return negative
    if seconds < 60:
        return f"{seconds}s"
    minutes = int(_per_unit(duration, _MINUTE))
    if minutes < 60:
        return f"{minutes}m"
    hours = int(_per_unit(duration, _HOUR))
    if hours < 24:
        return f"{hours}h"
    if hours < 24 * 365:
        return f"{hours // 24}d"
    return f"{int(_per_unit(duration, _HOUR) / 24 / 365)}y"


def human_duration(seconds: float) -> str:
    """An age as kubectl prints it (``duration.HumanDuration``): ``59s``, ``5m30s``, ``2d3h``, ``3y40d``.

    About two significant figures. Slightly negative values (clock skew under 2s) print ``0s``; anything
    further in the future prints ``<invalid>``.
    """
    return _human(_nanoseconds(seconds))


def short_human_duration(seconds: float) -> str:
    """An age in one unit only (``duration.ShortHumanDuration``): ``59s``, ``5m``, ``3h``, ``2d``, ``1y``."""
    return _short(_nanoseconds(seconds))


def days_in_month(month: int, year: int) -> int:
    """The days of a month of the proleptic Gregorian calendar, as Go's time package counts them."""
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _parse(timestamp: str) -> _Timestamp:
    match = _RFC3339.fullmatch(timestamp)
    if match is None:
        raise ValueError(f"parsing time {timestamp!r}: not an RFC 3339 timestamp")
    fields = {name: int(value) for name, value in match.groupdict().items() if value and name != "sign"}
    year, month, day = fields["year"], fields["month"], fields["day"]
    if not 1 <= month <= 12:
        raise ValueError(f"parsing time {timestamp!r}: month out of range")
    if not 1 <= day <= days_in_month(month, year):
        raise ValueError(f"parsing time {timestamp!r}: day out of range")
    if fields["hour"] > 23 or fields["minute"] > 59 or fields["second"] > 59:
        raise ValueError(f"parsing time {timestamp!r}: time out of range")
    offset = 0
    if match["sign"]:
        if fields["zone_hour"] > 24 or fields["zone_minute"] > 60:
            raise ValueError(f"parsing time {timestamp!r}: time zone offset out of range")
        offset = fields["zone_hour"] * 3_600 + fields["zone_minute"] * 60
        if match["sign"] == "-":
            offset = -offset
    fraction = (match["fraction"] or "")[:9].ljust(9, "0")
    return _Timestamp(
        year, month, day, fields["hour"], fields["minute"], fields["second"], int(fraction), offset
    )


def parse_time(timestamp: str) -> datetime:
    """Parse an RFC 3339 timestamp (``Z`` or ``±hh:mm``, optional fraction) into an aware UTC datetime.

    Accepts what Go's ``time.Parse(time.RFC3339, ...)`` accepts; the fraction is cut to microseconds.
    Raises ValueError otherwise, and for year 0, which Go accepts but datetime cannot hold.
    """
    parsed = _parse(timestamp)
    if parsed.year < 1:
        raise ValueError(f"parsing time {timestamp!r}: year 0 is out of range")
    unix = parsed.unix_nanoseconds()
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=unix // 1_000)


def _unix_nanoseconds(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * _SECOND + delta.microseconds * 1_000


def age(timestamp: str | None, now: datetime) -> str:
    """The age of ``timestamp`` at ``now`` as kubectl prints it in an AGE column.

    Follows what the API server prints for a CRD column of ``type: date``: ``<unknown>`` for None, an
    empty string, ``null`` and Go's zero time (``0001-01-01T00:00:00Z``); ``<invalid>`` for text that is
    not an RFC 3339 timestamp and for times more than a second in the future. A naive ``now`` is taken
    to be UTC. As Go's ``time.Since``, the difference saturates at about 292 years.
    """
    if not timestamp or timestamp == "null":
        return "<unknown>"
    try:
        moment = _parse(timestamp).unix_nanoseconds()
    except ValueError:
        return "<invalid>"
    if moment == _ZERO_TIME_NANOSECONDS:
        return "<unknown>"
    elapsed = _unix_nanoseconds(now) - moment
    return _human(min(max(elapsed, _MIN_DURATION), _MAX_DURATION))
