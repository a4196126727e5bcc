"""Go's time.Duration in integer nanoseconds: ParseDuration, Duration.String, kubectl's --request-timeout."""

from __future__ import annotations

from kubectl_imagerepo.gocompat.strconv import atoi
from kubectl_imagerepo.gocompat.unicode import go_bytes

NANOSECOND = 1
MICROSECOND = 1_000 * NANOSECOND
MILLISECOND = 1_000 * MICROSECOND
SECOND = 1_000 * MILLISECOND
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

_UNITS = {
    "ns": NANOSECOND,
    "us": MICROSECOND,
    "\u00b5s": MICROSECOND,  # micro sign
    "\u03bcs": MICROSECOND,  # Greek small letter mu
    "ms": MILLISECOND,
    "s": SECOND,
    "m": MINUTE,
    "h": HOUR,
}
_LIMIT = 1 << 63  # |math.MinInt64|; Go accumulates in a uint64 and checks against this
_UINT64 = 1 << 64
_DIGITS = "0123456789"

_REQUEST_TIMEOUT_ERROR = (
    "Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a "
    "corresponding time unit (e.g. 1s | 2m | 3h)"
)


def _quote(text: str) -> str:
    """Quote ``text`` as Go's time package does in its errors (not strconv.Quote).

    Every byte of a character outside printable ASCII is written as ``\\xNN``; ``"`` and ``\\`` are
    backslash-escaped. Lone surrogates from undecodable command-line bytes are turned back into
    those bytes first, as Go would have seen them.
    """
    out = ['"']
    for char in text:
        code = ord(char)
        if code < 0x20 or code >= 0x80:
            out.extend(f"\\x{byte:02x}" for byte in go_bytes(char))
        else:
            if char in '"\\':
                out.append("\\")
            out.append(char)
    out.append('"')
    return "".join(out)


def _error(message: str, original: str) -> ValueError:
    return ValueError(f"time: {message} {_quote(original)}")


def _leading_int(text: str, start: int) -> tuple[int, int] | None:
    """Digits from ``start``: (value, end), or None when the value passes 1<<63."""
    value = 0
    end = start
    while end < len(text) and text[end] in _DIGITS:
        if value > _LIMIT // 10:
            return None
        value = value * 10 + int(text[end])
        if value > _LIMIT:
            return None
        end += 1
    return value, end


def _leading_fraction(text: str, start: int) -> tuple[int, float, int]:
    """Digits after a '.': (value, scale, end); digits that would overflow are skipped, as in Go."""
    value = 0
    scale = 1.0
    overflow = False
    end = start
    while end < len(text) and text[end] in _DIGITS:
        if not overflow:
            if value > (_LIMIT - 1) // 10:
                overflow = True
            else:
                candidate = value * 10 + int(text[end])
                if candidate > _LIMIT:
                    overflow = True
                else:
                    value = candidate
                    scale *= 10
        end += 1
    return value, scale, end


def parse_go_duration(text: str) -> int:
    """Parse a Go duration string such as ``1h30m`` or ``-1.5s`` into nanoseconds.

    Exactly ``time.ParseDuration``: optional sign, then one or more ``<decimal><unit>`` pairs with units
    ns, us, µs (U+00B5), μs (U+03BC), ms, s, m and h; a lone ``0`` needs no unit. Raises ValueError with
    Go's message (``time: invalid duration "x"``, ``time: missing unit in duration "x"``,
    ``time: unknown unit "u" in duration "x"``); overflow is reported as an invalid duration.
    """
    original = text
    negative = False
    if text and text[0] in "+-":
        negative = text[0] == "-"
        text = text[1:]
    if text == "0":
        return 0
    if not text:
        raise _error("invalid duration", original)
    total = 0
    pos = 0
    while pos < len(text):
        if not (text[pos] == "." or text[pos] in _DIGITS):
            raise _error("invalid duration", original)
        leading = _leading_int(text, pos)
        if leading is None:
            raise _error("invalid duration", original)
        whole, end = leading
        has_whole = end != pos
        pos = end
        fraction, scale, has_fraction = 0, 1.0, False
        if pos < len(text) and text[pos] == ".":
            fraction, scale, end = _leading_fraction(text, pos + 1)
            has_fraction = end != pos + 1
            pos = end
        if not has_whole and not has_fraction:
            raise _error("invalid duration", original)
        unit_end = pos
        while unit_end < len(text) and not (text[unit_end] == "." or text[unit_end] in _DIGITS):
            unit_end += 1
        if unit_end == pos:
            raise _error("missing unit in duration", original)
        unit_name = text[pos:unit_end]
        pos = unit_end
        unit = _UNITS.get(unit_name)
        if unit is None:
            raise _error(f"unknown unit {_quote(unit_name)} in duration", original)
        if whole > _LIMIT // unit:
            raise _error("invalid duration", original)
        value = whole * unit
        if fraction > 0:
            # Go computes the fractional part in float64 and truncates it, so do the same.
            value += int(float(fraction) * (float(unit) / scale))
            if value > _LIMIT:
                raise _error("invalid duration", original)
        total = (total + value) % _UINT64  # Go's uint64 addition wraps
        if total > _LIMIT:
            raise _error("invalid duration", original)
    if negative:
        return -total
    if total > _LIMIT - 1:
        raise _error("invalid duration", original)
    return total


def _fraction(value: int, precision: int) -> tuple[str, int]:
    """The last ``precision`` digits of ``value`` as ``.ddd`` without trailing zeros, and the rest."""
    digits = []
    printing = False
    for _ in range(precision):
        digit = value % 10
        printing = printing or digit != 0
        if printing:
            digits.append(str(digit))
        value //= 10
    text = "." + "".join(reversed(digits)) if printing else ""
    return text, value


def format_go_duration(nanoseconds: int) -> str:
    """Print nanoseconds as Go's ``Duration.String()``: ``0s``, ``1.5ms``, ``1µs``, ``1h0m0s``, ``-1m30s``.

    Values outside Go's int64 range are printed as if Go's type were wider.
    """
    sign = "-" if nanoseconds < 0 else ""
    amount = abs(nanoseconds)
    if amount == 0:
        return "0s"
    if amount < SECOND:
        if amount < MICROSECOND:
            return f"{sign}{amount}ns"
        unit, precision = ("\u00b5s", 3) if amount < MILLISECOND else ("ms", 6)
        fraction, whole = _fraction(amount, precision)
        return f"{sign}{whole}{fraction}{unit}"
    fraction, seconds = _fraction(amount, 9)
    text = f"{seconds % 60}{fraction}s"
    minutes = seconds // 60
    if minutes > 0:
        text = f"{minutes % 60}m{text}"
        hours = minutes // 60
        if hours > 0:
            text = f"{hours}h{text}"
    return sign + text


def parse_request_timeout(text: str) -> float | None:
    """Seconds to wait for one API request, from kubectl's ``--request-timeout``; None means no timeout.

    As client-go's ``clientcmd.ParseTimeout``: a bare integer is seconds, anything else a Go duration
    (``1s``, ``2m``, ``3h``); zero means no timeout. kubectl lets a negative duration such as ``-5s`` through
    (it then behaves like no timeout); this plugin rejects every negative value, with kubectl's message.
    """
    seconds = atoi(text)
    if seconds is not None and seconds >= 0:
        nanoseconds = seconds * SECOND
    else:
        try:
            nanoseconds = parse_go_duration(text)
        except ValueError:
            raise ValueError(_REQUEST_TIMEOUT_ERROR) from None
    if nanoseconds < 0:
        raise ValueError(_REQUEST_TIMEOUT_ERROR)
    if nanoseconds == 0:
        return None
    return nanoseconds / SECOND
