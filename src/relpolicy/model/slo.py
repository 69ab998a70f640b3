"""SLO: a target on one indicator of one service (field names follow OpenSLO where they agree)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Final, Literal, Self

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema, model_validator

from relpolicy.model.base import Model, Reference, Resource, Spec
from relpolicy.model.types import (
    MAX_DURATION,
    Flag,
    Name,
    Percentage,
    Text,
    _fail,
    _matching,
    _text,
    checked_duration,
    fail_at,
    shown,
)

TIME_WINDOW_PATTERN: Final = r"^([1-9][0-9]{0,3}d|[1-9][0-9]{0,2}w|month|quarter|year)$"  # rolling: < 28 years
LATENCY_PATTERN: Final = r"^[1-9][0-9]*(ms|s)$"

TimeWindow = Annotated[
    str,
    BeforeValidator(
        _text(
            "time_window",
            TIME_WINDOW_PATTERN,
            "a time window: a rolling number of days or weeks (30d, 4w; at most 9999d or 999w), "
            "or a calendar `month`, `quarter` or `year`",
        )
    ),
    _matching(TIME_WINDOW_PATTERN),
    WithJsonSchema({"type": "string", "pattern": TIME_WINDOW_PATTERN}),
]


def _parse_latency(text: str) -> dt.timedelta:
    amount = text.removesuffix("ms").removesuffix("s")
    # more digits than 100 years has milliseconds is longer whatever the unit (and int() refuses 4,300 digits)
    too_many_digits = len(amount.lstrip("0")) > len(str(int(MAX_DURATION.total_seconds() * 1000)))
    milliseconds = 0 if too_many_digits else int(amount) if text.endswith("ms") else int(amount) * 1000
    if too_many_digits or milliseconds > MAX_DURATION.total_seconds() * 1000:
        msg = f"`{shown(text)}` is longer than 100 years"
        raise ValueError(msg)
    return dt.timedelta(milliseconds=milliseconds)


_check_latency = _text("latency", LATENCY_PATTERN, "a latency threshold: write it like 300ms or 2s")
_checked_latency = checked_duration(_parse_latency)


def _latency(value: object) -> dt.timedelta:
    return _checked_latency(_check_latency(value))


LatencyThreshold = Annotated[
    dt.timedelta,
    BeforeValidator(_latency),
    _matching(LATENCY_PATTERN, then=_checked_latency),
    PlainSerializer(lambda v: f"{int(v.total_seconds() * 1000)}ms", return_type=str),
    WithJsonSchema({"type": "string", "pattern": LATENCY_PATTERN}),
]


QUERY_PATTERN: Final = r"\{\{ *\.window *\}\}"
"""A PromQL query template must say where the range goes: ``{{.window}}`` (as in Sloth)."""

Query = Annotated[
    str,
    BeforeValidator(
        _text(
            "query",
            QUERY_PATTERN,
            "a PromQL query template: write `{{.window}}` where the range goes, "
            'like `sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))`',
        )
    ),
    _matching(QUERY_PATTERN),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": QUERY_PATTERN,
            "description": "A PromQL query with `{{.window}}` where the range goes (5m, 1h, 30d...).",
        }
    ),
]


class Prometheus(Model):
    """How the indicator is measured in Prometheus: bad and total events, or a ratio of bad events.

    The fields are Sloth's: ``errorQuery`` with ``totalQuery`` (its ``events`` SLI), or
    ``errorRatioQuery`` alone (its ``raw`` SLI). ``relpolicy export prometheus`` reads them.
    """

    error_query: Query | None = Field(
        default=None, examples=['sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))']
    )
    """The rate of bad events over `{{.window}}` (give it with `totalQuery`, or give `errorRatioQuery`)."""
    total_query: Query | None = Field(
        default=None, examples=['sum(rate(http_requests_total{job="checkout"}[{{.window}}]))']
    )
    """The rate of all events over `{{.window}}` (give it with `errorQuery`)."""
    error_ratio_query: Query | None = Field(
        default=None,
        examples=['1 - avg_over_time(probe_success{job="blackbox",target="checkout"}[{{.window}}])'],
    )
    """The share of bad events over `{{.window}}`, from 0 to 1 (instead of `errorQuery` and `totalQuery`)."""

    model_config = {
        "json_schema_extra": {
            "oneOf": [{"required": ["errorQuery", "totalQuery"]}, {"required": ["errorRatioQuery"]}],
        }
    }

    @model_validator(mode="after")
    def _events_or_ratio(self) -> Self:
        events = self.error_query is not None or self.total_query is not None
        if events and self.error_ratio_query is not None:
            raise fail_at(
                "errorRatioQuery",
                "alternatives",
                "give either `errorQuery` and `totalQuery`, or `errorRatioQuery`, not both",
            )
        if not events and self.error_ratio_query is None:
            raise _fail("alternatives", "give either `errorQuery` and `totalQuery`, or `errorRatioQuery`")
        if events and self.error_query is None:
            raise _fail("alternatives", "`totalQuery` needs an `errorQuery`: the rate of bad events")
        if events and self.total_query is None:
            raise _fail("alternatives", "`errorQuery` needs a `totalQuery`: the rate of all events")
        return self


class AvailabilityIndicator(Model):
    """The share of time (or of requests) the service works."""

    type: Literal["availability"]
    """`availability`: the share of time, or of requests, the service works."""
    description: Text | None = None
    """How availability is measured, in words."""
    prometheus: Prometheus | None = None
    """How availability is measured in Prometheus (`relpolicy export prometheus` turns it into alerts)."""


class LatencyIndicator(Model):
    """The share of requests served faster than a threshold."""

    type: Literal["latency"]
    """`latency`: the share of requests served faster than `threshold`."""
    threshold: LatencyThreshold
    """How fast a request must be served to count as good, in ms or s."""
    description: Text | None = None
    """How latency is measured, in words."""
    prometheus: Prometheus | None = None
    """How latency is measured in Prometheus: bad events are requests slower than `threshold`."""


class CustomIndicator(Model):
    """Any other indicator, described in words."""

    type: Literal["custom"]
    """`custom`: an indicator described in words."""
    description: Text
    """What the indicator measures and how."""
    prometheus: Prometheus | None = None
    """How the indicator is measured in Prometheus (`relpolicy export prometheus` turns it into alerts)."""


Indicator = Annotated[
    AvailabilityIndicator | LatencyIndicator | CustomIndicator,
    Field(discriminator="type"),
]


class SLOSpec(Spec):
    """An objective for one indicator of one service."""

    service: Name = Field(examples=["checkout"])
    """The service the objective is for, by name."""
    description: Text | None = None
    """What the objective protects, in a sentence."""
    indicator: Indicator
    """What is measured: `availability`, `latency`, or a `custom` indicator."""
    objective: Percentage
    """Target percentage of good time or good requests over the window."""
    time_window: TimeWindow = "30d"
    """Rolling `Nd`/`Nw`, or calendar `month`, `quarter`, `year`."""
    sla: Percentage | None = None
    """The customer-facing promise, if any (should be looser than the objective)."""
    maintenance_counts_against_budget: Flag = False
    """Whether planned maintenance spends the error budget."""

    def references(self) -> Iterator[Reference]:
        yield Reference("Service", self.service, ("spec", "service"))

    @property
    def is_availability(self) -> bool:
        """Is this an availability objective?"""
        return self.indicator.type == "availability"


class SLO(Resource):
    """A service level objective."""

    KIND = "SLO"
    kind: Literal["SLO"]
    spec: SLOSpec
