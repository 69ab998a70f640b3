"""The Prometheus measurement of an SLO's indicator: Sloth's queries, validated like every other field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from relpolicy.engine import Report

_SLO = """\
apiVersion: relpolicy.dev/v1
kind: SLO
metadata:
  name: checkout-availability
spec:
  service: checkout
  indicator:
    type: {kind}
    prometheus:
{queries}
  objective: 99.9
"""


def _document(queries: str, kind: str = "availability") -> str:
    return _SLO.format(kind=kind, queries=queries)


def _rp103(report: Report) -> list[tuple[int, int, str]]:
    return [(f.location.line, f.location.col, f.message) for f in report.findings if f.rule_id == "RP103"]


@pytest.mark.parametrize(
    "queries",
    [
        "      errorQuery: sum(rate(errors[{{.window}}]))\n      totalQuery: sum(rate(requests[{{.window}}]))",
        "      errorRatioQuery: 1 - avg_over_time(probe_success[{{ .window }}])",
    ],
    ids=["events", "raw"],
)
def test_measurements_sloth_accepts_are_accepted(
    queries: str, write_policy: Callable[[str], Path], run_check: Callable[[Path], Report]
) -> None:
    """Events (errorQuery with totalQuery) and a raw error ratio are both valid measurements."""
    assert _rp103(run_check(write_policy(_document(queries)))) == []


def test_a_query_without_the_window_placeholder_is_rp103_at_the_query(
    write_policy: Callable[[str], Path], run_check: Callable[[Path], Report]
) -> None:
    """A query with a fixed range instead of {{.window}} is reported at the query, with what to write."""
    queries = "      errorQuery: sum(rate(errors[5m]))\n      totalQuery: sum(rate(requests[{{.window}}]))"
    assert _rp103(run_check(write_policy(_document(queries)))) == [
        (
            10,
            19,
            "`sum(rate(errors[5m]))` is not a PromQL query template: write `{{.window}}` where the range goes, "
            'like `sum(rate(http_requests_total{code=~"5.."}[{{.window}}]))`',
        )
    ]


@pytest.mark.parametrize(
    ("queries", "expected"),
    [
        (
            "      errorQuery: sum(rate(errors[{{.window}}]))",
            (9, 5, "`errorQuery` needs a `totalQuery`: the rate of all events"),
        ),
        (
            "      totalQuery: sum(rate(requests[{{.window}}]))",
            (9, 5, "`totalQuery` needs an `errorQuery`: the rate of bad events"),
        ),
        (
            "      errorQuery: sum(rate(errors[{{.window}}]))\n      totalQuery: sum(rate(requests[{{.window}}]))\n"
            "      errorRatioQuery: 1 - avg_over_time(up[{{.window}}])",
            (12, 24, "give either `errorQuery` and `totalQuery`, or `errorRatioQuery`, not both"),
        ),
        ("      {}", (9, 5, "give either `errorQuery` and `totalQuery`, or `errorRatioQuery`")),
    ],
    ids=["error-alone", "total-alone", "both-kinds", "empty"],
)
def test_a_measurement_is_events_or_a_ratio(
    queries: str,
    expected: tuple[int, int, str],
    write_policy: Callable[[str], Path],
    run_check: Callable[[Path], Report],
) -> None:
    """Exactly one kind of measurement: both event queries, or the error ratio alone."""
    text = _document(queries).replace("    prometheus:\n      {}", "    prometheus: {}")
    assert _rp103(run_check(write_policy(text))) == [expected]


def test_latency_and_custom_indicators_take_a_measurement(
    write_policy: Callable[[str], Path], run_check: Callable[[Path], Report]
) -> None:
    """A latency indicator counts slow requests as bad ones; a custom one says what it measures."""
    latency = _document("      errorRatioQuery: slow_share[{{.window}}]", kind="latency").replace(
        "    type: latency\n", "    type: latency\n    threshold: 300ms\n"
    )
    custom = _document("      errorRatioQuery: late_share[{{.window}}]", kind="custom").replace(
        "    type: custom\n", "    type: custom\n    description: Orders shipped the same day.\n"
    )
    assert _rp103(run_check(write_policy(latency, "latency.yaml"))) == []
    assert _rp103(run_check(write_policy(custom, "custom.yaml"))) == []
