"""MaintenanceWindow (planned downtime) and ChangeFreeze (no planned change), both aimed at services."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Final, Literal, Self

from pydantic import BeforeValidator, Field, WithJsonSchema, model_validator
from pydantic_core import core_schema

from relpolicy.model.base import Model, Reference, Resource, Selector, Spec, refs
from relpolicy.model.types import (
    FastSchema,
    LocalTime,
    Name,
    OffsetDatetime,
    PositiveDuration,
    Text,
    TimeZone,
    _compiled,
    _fail,
    _text,
    exactly_one,
    fail_at,
)

RRULE_PATTERN: Final = r"^(RRULE:)?FREQ=(HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(;[A-Z]+=[-+,A-Za-z0-9]+)*$"
MAX_RRULE_LENGTH: Final = 256
"""The longest recurrence rule: a real one is a few dozen characters."""
_RRULE_SHAPE: Final = (
    r"^(RRULE:)?FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(;[A-Z]+=[-+,A-Za-z0-9]+)*$"
)
_check_rrule_shape: Final = _text("rrule", _RRULE_SHAPE, "an RFC 5545 recurrence rule, like FREQ=WEEKLY;BYDAY=SU")


def _rrule(value: object) -> str:
    """A recurrence rule of at most MAX_RRULE_LENGTH characters, recurring at most hourly."""
    if isinstance(value, str) and len(value) > MAX_RRULE_LENGTH:
        raise _fail("rrule", f"the recurrence rule is {len(value)} characters long; at most {MAX_RRULE_LENGTH}")
    text = _check_rrule_shape(value)
    if not _compiled(RRULE_PATTERN).search(text):
        frequency = text.removeprefix("RRULE:").split(";", 1)[0]
        raise _fail(
            "rrule",
            f"`{frequency}` recurs every {'second' if frequency.endswith('SECONDLY') else 'minute'}: "
            "a maintenance window recurs at most hourly (FREQ=HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY)",
        )
    return text


RRule = Annotated[
    str,
    BeforeValidator(_rrule),
    FastSchema(
        core_schema.str_schema(
            pattern=_compiled(RRULE_PATTERN), regex_engine="python-re", strict=True, max_length=MAX_RRULE_LENGTH
        )
    ),
    WithJsonSchema({"type": "string", "pattern": RRULE_PATTERN, "maxLength": MAX_RRULE_LENGTH}),
]


class Targeted(Model):
    """Something aimed at services, by name or by label selector."""

    services: list[Name] | None = Field(default=None, examples=[["orders-db", "inventory"]])
    """The services concerned, by name (or pick them by label with `selector`)."""
    selector: Selector | None = None
    """Picks the services concerned by their labels (instead of naming them in `services`)."""

    def references(self) -> Iterator[Reference]:
        yield from refs("Service", self.services or [], "spec", "services")


class MaintenanceWindowSpec(Targeted, Spec):
    """Planned downtime: a recurrence (`rrule`, `start`, `timezone`) or one occurrence (`at`)."""

    description: Text | None = None
    """What the maintenance is, in a sentence."""
    rrule: RRule | None = None
    """When the window recurs: an RFC 5545 recurrence rule, read in `timezone` (give `rrule` or `at`)."""
    start: LocalTime | None = None
    """The local time each occurrence starts, HH:MM in `timezone` (with `rrule`)."""
    timezone: TimeZone | None = None
    """The IANA time zone `rrule` and `start` are read in (with `rrule`)."""
    at: OffsetDatetime | None = None
    """When a one-off window starts: a date and time with its UTC offset (give `at` or `rrule`)."""
    duration: PositiveDuration
    """How long each occurrence lasts."""

    @model_validator(mode="after")
    def _one_target_one_schedule(self) -> Self:
        exactly_one(self.services, self.selector, "name the `services` or give a label `selector`, not both or neither")
        exactly_one(
            self.rrule, self.at, "give either a recurrence (`rrule`, `start`, `timezone`) or one `at`, not both"
        )
        if self.rrule is not None and (self.start is None or self.timezone is None):
            raise _fail("schedule", "a recurring window needs `start` (local time) and `timezone`")
        if self.at is not None and self.start is not None:
            raise _fail("schedule", "a single window starts `at` a date and time; drop `start`")
        if self.rrule is not None:
            from relpolicy.timebase.recurrence import Recurrence, RecurrenceError  # noqa: PLC0415 - dateutil on demand

            try:
                Recurrence.of(self)  # the pattern checks the shape; dateutil knows the parts
            except RecurrenceError as error:
                raise fail_at("rrule", "rrule", str(error)) from None
        return self

    model_config = {
        "json_schema_extra": {
            "allOf": [
                {"oneOf": [{"required": ["services"]}, {"required": ["selector"]}]},
                {"oneOf": [{"required": ["rrule"]}, {"required": ["at"]}]},
                {"if": {"required": ["rrule"]}, "then": {"required": ["start", "timezone"]}},
                {"if": {"required": ["at"]}, "then": {"not": {"required": ["start"]}}},
            ]
        }
    }


class MaintenanceWindow(Resource):
    """A maintenance window."""

    KIND = "MaintenanceWindow"
    kind: Literal["MaintenanceWindow"]
    spec: MaintenanceWindowSpec


class ChangeFreezeSpec(Targeted, Spec):
    """A period with no planned change; with neither `services` nor `selector` it covers every service."""

    reason: Text
    """Why nothing may change (a launch, a sales peak, an audit)."""
    start: OffsetDatetime
    """When the freeze begins: a date and time with its UTC offset."""
    end: OffsetDatetime
    """When the freeze ends: a date and time with its UTC offset, after `start`."""

    @model_validator(mode="after")
    def _valid_period(self) -> Self:
        if self.services is not None and self.selector is not None:
            raise _fail("target", "name the `services` or give a label `selector`, not both")
        if self.end <= self.start:
            raise _fail("period", "the freeze must `end` after it starts")
        return self

    model_config = {"json_schema_extra": {"not": {"required": ["services", "selector"]}}}


class ChangeFreeze(Resource):
    """A change freeze."""

    KIND = "ChangeFreeze"
    kind: Literal["ChangeFreeze"]
    spec: ChangeFreezeSpec
