"""Value types shared by the models: names, durations, percentages, times of day, dates.

Each type validates the raw YAML value itself (strings stay strings: ``tier: "1"`` is not an
integer), gives a message that says what to write instead, and publishes the same constraint in
the JSON Schema, so that the models and ``schemas/`` accept exactly the same documents.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from typing import Annotated, Any, Final, TypeAlias, TypeVar

from pydantic import BeforeValidator, GetCoreSchemaHandler, PlainSerializer, WithJsonSchema
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

T = TypeVar("T")

NAME_PATTERN: Final = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"
_DURATION_UNITS: Final = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
DURATION_PATTERN: Final = r"^(?=.)([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$"
POSITIVE_DURATION_PATTERN: Final = r"^(?=.*[1-9])([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$"
_CLOCK: Final = r"([01][0-9]|2[0-3]):[0-5][0-9]"
LOCAL_TIME_PATTERN: Final = rf"^{_CLOCK}$"
TIME_RANGE_PATTERN: Final = rf"^{_CLOCK}-({_CLOCK}|24:00)$"
MIN_YEAR: Final = 1970
"""The first year a date in a policy (or ``--as-of``) may fall in."""
MAX_YEAR: Final = 2199
"""The last such year: date arithmetic (a year's horizon, 100-year durations) stays far from year 9999."""
_YEAR: Final = r"(19[7-9][0-9]|2[01][0-9]{2})"  # MIN_YEAR to MAX_YEAR
_SHAPE_OF_DATE: Final = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_SHAPE_OF_DATETIME: Final = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
DATE_PATTERN: Final = _SHAPE_OF_DATE.replace("^[0-9]{4}", "^" + _YEAR)
DATETIME_PATTERN: Final = _SHAPE_OF_DATETIME.replace("^[0-9]{4}", "^" + _YEAR)
EMAIL_PATTERN: Final = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
LABEL_KEY_PATTERN: Final = r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"


CUSTOM_ERROR_PREFIX: Final = "relpolicy_"
"""Marks validation errors whose message relpolicy wrote (and which need no rewording)."""


def exactly_one(first: object, second: object, message: str) -> None:
    """Cross-field rule of alternatives: exactly one of two optional fields is given."""
    if (first is None) == (second is None):
        raise _fail("alternatives", message)


EMPTY_VALUE_ERROR: Final = CUSTOM_ERROR_PREFIX + "empty"


def empty_value(field: str) -> PydanticCustomError:
    """The error for a key given no value; ``field`` is in its context for locating it."""
    return PydanticCustomError(
        EMPTY_VALUE_ERROR, f"`{field}` has no value: give it one or remove the key", {"field": field}
    )


def fail_at(field: str, code: str, message: str) -> PydanticCustomError:
    """A cross-field error of a model that is about one of its fields (located at that field's value)."""
    return PydanticCustomError(CUSTOM_ERROR_PREFIX + code, message, {"field": field})


def _fail(code: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(CUSTOM_ERROR_PREFIX + code, message)


_SHOWN: Final = 40
"""Values longer than this are shortened in messages (a policy value may be megabytes long)."""


def shown(text: str) -> str:
    """``text`` for a message: whole when short, else its start and end and its length."""
    if len(text) <= _SHOWN:
        return text
    return f"{text[: _SHOWN // 2]}...{text[-8:]} ({len(text):,} characters)"


def _describe(value: object) -> str:
    if isinstance(value, str):
        return f"`{shown(value)}`"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the boolean `{str(value).lower()}`"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"`{shown(str(value))}`" if isinstance(value, int) else f"`{value}`"


FAST_SCHEMA_KEY: Final = "relpolicy_fast"
"""Where :class:`FastSchema` leaves its schema in the core schema's metadata."""


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity: Annotated metadata must hash
class FastSchema:
    """Gives the validator just before it in an ``Annotated`` type a stand-in that runs in pydantic-core.

    ``schema`` must accept only values the validator accepts, and give the same value for them,
    without calling back into Python for each value (at most a cached function). It may reject
    more: ``model/fast.py`` builds each kind's fast validator from these stand-ins and falls back
    to the model itself, whose message is the one reported, whenever the fast one rejects.
    """

    schema: CoreSchema

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        schema = handler(source)
        return {**schema, "metadata": {**schema.get("metadata", {}), FAST_SCHEMA_KEY: self.schema}}


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """``pattern`` for Python's ``re``, read as JSON Schema reads it.

    Patterns are written for JSON Schema, whose ``$`` (ECMA 262) never matches before a final
    newline as Python's does; ``\\Z`` gives the models the same reading.
    """
    return re.compile(re.sub(r"(?<!\\)\$", r"\\Z", pattern))


def _matching(pattern: str, then: Callable[[str], object] | None = None) -> FastSchema:
    """The stand-in of a ``_text`` check: a string ``pattern`` finds, searched with the very same regex.

    ``then`` (cached: values repeat across documents) turns the string into the value, like the
    validator does; an error it raises only sends the value to the model.
    """
    text = core_schema.str_schema(pattern=_compiled(pattern), regex_engine="python-re", strict=True)
    if then is None:
        return FastSchema(text)
    return FastSchema(core_schema.no_info_after_validator_function(lru_cache(maxsize=4096)(then), text))


def _text(code: str, pattern: str, advice: str) -> Callable[[object], str]:
    """A validator that takes only a string matching ``pattern`` (see :func:`_compiled`)."""
    compiled = _compiled(pattern)

    def check(value: object) -> str:
        if not isinstance(value, str) or not compiled.search(value):
            raise _fail(code, f"{_describe(value)} is not {advice}")
        return value

    return check


def _schema(pattern: str, description: str) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "pattern": pattern, "description": description})


Name: TypeAlias = Annotated[
    str,
    BeforeValidator(
        _text(
            "name",
            NAME_PATTERN,
            "a valid name: use lowercase letters, digits and `-`, at most 63 characters, "
            "starting and ending with a letter or digit",
        )
    ),
    _matching(NAME_PATTERN),
    _schema(NAME_PATTERN, "A lowercase DNS label: letters, digits and '-', at most 63 characters."),
]

Email: TypeAlias = Annotated[
    str,
    BeforeValidator(_text("email", EMAIL_PATTERN, "an email address")),
    _matching(EMAIL_PATTERN),
    _schema(EMAIL_PATTERN, "An email address."),
]

LabelKey: TypeAlias = Annotated[
    str,
    BeforeValidator(_text("label_key", LABEL_KEY_PATTERN, "a valid label key (like `domain` or `example.com/team`)")),
    _matching(LABEL_KEY_PATTERN),
    _schema(LABEL_KEY_PATTERN, "A Kubernetes-style label key."),
]

Text: TypeAlias = Annotated[
    str,
    BeforeValidator(_text("text", r"\S", "a non-empty string")),
    _matching(r"\S"),
    WithJsonSchema({"type": "string", "minLength": 1, "pattern": r"\S"}),
]


MAX_DURATION: Final = dt.timedelta(days=100 * 366)
"""Longer durations are surely typos, and would overflow date arithmetic."""


_MAX_DIGITS: Final = len(str(int(MAX_DURATION.total_seconds())))
"""An amount with more digits than MAX_DURATION has seconds is too long whatever its unit (read before ``int()``)."""


def parse_duration(text: str) -> dt.timedelta:
    """``"1h30m"`` -> ``timedelta(hours=1, minutes=30)``; ``text`` must match DURATION_PATTERN.

    Raises ValueError for a duration longer than MAX_DURATION.
    """
    amounts = re.findall(r"([0-9]+)([wdhms])", text)
    if any(len(amount.lstrip("0")) > _MAX_DIGITS for amount, _ in amounts):  # and int() refuses 4,300 digits
        msg = f"`{shown(text)}` is longer than 100 years"
        raise ValueError(msg)
    seconds = sum(int(amount) * _DURATION_UNITS[unit] for amount, unit in amounts)
    if seconds > MAX_DURATION.total_seconds():
        msg = f"`{text}` is longer than 100 years"
        raise ValueError(msg)
    return dt.timedelta(seconds=seconds)


def format_duration(value: dt.timedelta) -> str:
    """The shortest duration string for ``value``: ``timedelta(minutes=90)`` -> ``"1h30m"``."""
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in _DURATION_UNITS.items():
        if unit == "w" and seconds % size:
            continue  # "10d" reads better than "1w3d"
        amount, seconds = divmod(seconds, size)
        if amount:
            parts.append(f"{amount}{unit}")
    return "".join(parts)


_DURATION_ADVICE: Final = "a duration: write a number and a unit, like 30s, 15m, 4h, 1h30m, 2d or 1w"


def checked_duration(parse: Callable[[str], T]) -> Callable[[str], T]:
    """``parse`` with its ValueError (a duration too long) turned into a validation error."""

    def validate(text: str) -> T:
        try:
            return parse(text)
        except ValueError as error:
            raise _fail("duration", f"{error}: is it a typo?") from None

    return validate


def _duration(pattern: str, advice: str) -> Callable[[object], dt.timedelta]:
    check = _text("duration", pattern, advice)
    parse = checked_duration(parse_duration)
    return lambda value: parse(check(value))


Duration: TypeAlias = Annotated[
    dt.timedelta,
    BeforeValidator(_duration(DURATION_PATTERN, _DURATION_ADVICE)),
    _matching(DURATION_PATTERN, then=checked_duration(parse_duration)),
    PlainSerializer(format_duration, return_type=str),
    _schema(DURATION_PATTERN, "A duration such as 30s, 15m, 4h, 1h30m, 2d or 1w."),
]

PositiveDuration: TypeAlias = Annotated[
    dt.timedelta,
    BeforeValidator(_duration(POSITIVE_DURATION_PATTERN, f"{_DURATION_ADVICE} (longer than zero)")),
    _matching(POSITIVE_DURATION_PATTERN, then=checked_duration(parse_duration)),
    PlainSerializer(format_duration, return_type=str),
    _schema(POSITIVE_DURATION_PATTERN, "A duration longer than zero, such as 30s, 15m, 4h, 1h30m, 2d or 1w."),
]


def _percentage(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail("percentage", f"{_describe(value)} is not a percentage: write a number such as 99.9")
    number = Decimal(str(value))
    if number.is_nan() or not (0 < number < 100):  # a Decimal NaN raises when compared
        raise _fail("percentage", f"{value} is not a percentage strictly between 0 and 100")
    return number


Percentage: TypeAlias = Annotated[
    Decimal,
    BeforeValidator(_percentage),
    # int or float (bool too, which the cached _percentage refuses); typed: 1, 1.0 and True are not one key
    FastSchema(
        core_schema.no_info_after_validator_function(
            lru_cache(maxsize=4096, typed=True)(_percentage), core_schema.is_instance_schema((int, float))
        )
    ),
    PlainSerializer(float, return_type=float),
    WithJsonSchema(
        {
            "type": "number",
            "exclusiveMinimum": 0,
            "exclusiveMaximum": 100,
            "description": "A percentage strictly between 0 and 100, such as 99.9.",
        }
    ),
]


def _whole(value: object) -> int | None:
    """``value`` as an int when it is a whole number, as JSON Schema's ``integer`` reads it (1.0 is one)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _tier(value: object) -> int:
    tier = _whole(value)
    if tier is None or not 1 <= tier <= 4:
        raise _fail("tier", f"{_describe(value)} is not a tier: use 1 (most critical) to 4 (least)")
    return tier


Tier: TypeAlias = Annotated[
    int,
    BeforeValidator(_tier),
    FastSchema(core_schema.int_schema(strict=True, ge=1, le=4)),  # strict: no bool; 1.0 is left to the model
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": 1,
            "maximum": 4,
            "description": "1 = revenue or safety critical ... 4 = low.",
        }
    ),
]


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise _fail("type", f"{_describe(value)} is not true or false")
    return value


MAX_COUNT: Final = 1_000_000
"""The largest count (backup copies, escalation repeats): far above any real one, safe to multiply."""


def _count(value: object) -> int:
    count = _whole(value)
    if count is None or count < 0:
        raise _fail("type", f"{_describe(value)} is not a whole number of zero or more")
    if count > MAX_COUNT:
        raise _fail("count", f"{shown(str(count))} is more than {MAX_COUNT:,}: is it a typo?")
    return count


Flag: TypeAlias = Annotated[
    bool,
    BeforeValidator(_flag),
    FastSchema(core_schema.bool_schema(strict=True)),
    WithJsonSchema({"type": "boolean"}),
]
Count: TypeAlias = Annotated[
    int,
    BeforeValidator(_count),
    FastSchema(core_schema.int_schema(strict=True, ge=0, le=MAX_COUNT)),  # strict: no bool; 1.0 left to the model
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": MAX_COUNT}),
]

LocalTime: TypeAlias = Annotated[
    str,
    BeforeValidator(_text("time", LOCAL_TIME_PATTERN, "a time of day: write HH:MM on a 24-hour clock, like 02:00")),
    _matching(LOCAL_TIME_PATTERN),
    _schema(LOCAL_TIME_PATTERN, "A local time of day, HH:MM (24-hour clock)."),
]

TimeRange: TypeAlias = Annotated[
    str,
    BeforeValidator(
        _text(
            "time_range",
            TIME_RANGE_PATTERN,
            "a range of hours: write HH:MM-HH:MM, like 09:00-17:30 (22:00-06:00 crosses midnight)",
        )
    ),
    _matching(TIME_RANGE_PATTERN),
    _schema(TIME_RANGE_PATTERN, "Working hours HH:MM-HH:MM; an end before the start crosses midnight."),
]


def _iso(parse: Callable[[str], dt.date], code: str, pattern: str, advice: str, noun: str) -> Callable[[object], Any]:
    """A validator for an ISO 8601 string: shape first (with advice), then a real calendar value in the years."""
    check = _text(code, pattern, advice)

    def validate(value: object) -> dt.date:
        text = check(value)
        try:
            parsed = parse(text)
        except ValueError:
            raise _fail(code, f"`{shown(text)}` is not a real {noun}") from None
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            raise _fail(code, f"`{text}` is outside the years relpolicy handles, {MIN_YEAR} to {MAX_YEAR}")
        return parsed

    return validate


Date: TypeAlias = Annotated[
    dt.date,
    BeforeValidator(_iso(dt.date.fromisoformat, "date", _SHAPE_OF_DATE, "a date: write YYYY-MM-DD", "date")),
    _matching(DATE_PATTERN, then=dt.date.fromisoformat),
    PlainSerializer(dt.date.isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]

OffsetDatetime: TypeAlias = Annotated[
    dt.datetime,
    BeforeValidator(
        _iso(
            dt.datetime.fromisoformat,
            "datetime",
            _SHAPE_OF_DATETIME,
            "a date and time with a UTC offset: write it like 2026-12-24T18:00:00-05:00 or 2026-12-24T23:00:00Z",
            "date and time",
        )
    ),
    _matching(DATETIME_PATTERN, then=dt.datetime.fromisoformat),
    PlainSerializer(dt.datetime.isoformat, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": DATETIME_PATTERN}),
]


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


_check_zone_name: Final = _text("timezone", r"^\S+$", "a time zone name")


def _timezone(value: object) -> str:
    text = _check_zone_name(value)
    if text not in _known_zones():
        raise _fail("timezone", f"`{text}` is not an IANA time zone name (like Europe/London or America/New_York)")
    return text


TimeZone: TypeAlias = Annotated[
    str,
    BeforeValidator(_timezone),
    WithJsonSchema(
        {
            "type": "string",
            "description": "An IANA time zone name, such as Europe/London.",
            "examples": ["Europe/London", "America/New_York", "UTC"],
        }
    ),
]
