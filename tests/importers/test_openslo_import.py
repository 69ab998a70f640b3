"""``relpolicy import openslo``: OpenSLO v1 documents as policy files, and the round trip through OpenSLO."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import REPO

from relpolicy.export.openslo import documents_file, export_openslo
from relpolicy.importers._shared import policy_text
from relpolicy.importers.openslo import import_openslo
from relpolicy.model.slo import SLO
from relpolicy.render.load import load_policy
from relpolicy.source.parse import parse_yaml

from .conftest import INPUTS

Run = Callable[..., tuple[int, str, str]]


def _import_folder(run_import: Run, tmp_path: Path, *args: str) -> tuple[int, dict[str, str]]:
    out = tmp_path / "out"
    code, stdout, stderr = run_import(*args, "--out", str(out))
    assert stdout == ""
    texts = {path.name: path.read_text(encoding="utf-8") for path in sorted(out.iterdir())}
    texts["stderr.txt"] = stderr.replace(out.as_posix(), "OUT")
    return code, texts


def test_import_of_the_openslo_inputs_matches_the_golden_files(
    run_import: Run, tmp_path: Path, golden_folder: Callable[[str, dict[str, str]], None]
) -> None:
    """Every document maps or is noted at its file:line:col; refused SLOs make the exit code 1."""
    inputs = sorted(str(p.relative_to(REPO)) for p in (INPUTS / "openslo").iterdir())
    code, texts = _import_folder(run_import, tmp_path, "openslo", *inputs, "--tier", "2")
    assert code == 1
    golden_folder("openslo", texts)


def test_the_written_files_are_valid_policy_files(run_import: Run, tmp_path: Path) -> None:
    """What import writes loads with no problem (the formatter's layout, relpolicy's models)."""
    inputs = [str(p) for p in sorted((INPUTS / "openslo").iterdir())]
    run_import("openslo", *inputs, "--tier", "2", "--out", str(tmp_path / "out"))
    loaded = load_policy([tmp_path / "out"], tmp_path)
    assert loaded.problems == 0
    assert sorted(s.name for s in loaded.policy.slos) == [
        "checkout-datadog",
        "checkout-fixed-range",
        "checkout-latency-fast",
        "checkout-latency-very-fast",
        "payments-availability",
        "search-availability",
    ]


def test_existing_files_are_not_replaced_without_force(run_import: Run, tmp_path: Path) -> None:
    """A second import into the same folder stops with one line; --force replaces the files."""
    inputs = [str(INPUTS / "openslo" / "service-and-inline.yaml")]
    out = str(tmp_path / "out")
    assert run_import("openslo", *inputs, "--out", out)[0] == 0
    code, _, err = run_import("openslo", *inputs, "--out", out)
    assert code == 2
    assert err.splitlines()[-1] == f"relpolicy: error: {out}/payments.yaml: already exist(s); pass --force to replace"
    assert run_import("openslo", *inputs, "--out", out, "--force")[0] == 0


def _import_text(text: str) -> tuple[dict[str, str], list[str]]:
    imported = import_openslo(parse_yaml(text, "in.yaml").documents)
    files = {name: policy_text(documents, "test") for name, documents in imported.files.items()}
    ordered = sorted(imported.notes, key=lambda n: (n.location.line, n.location.col))
    notes = [f"{n.location.line}:{n.location.col} {n.severity}: {n.message}" for n in ordered]
    return files, notes


_SLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: api-availability
spec:
  service: api
  indicator:
    metadata:
      name: api-errors
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(errors_total[{{{{.window}}}}]))
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(requests_total[{{{{.window}}}}]))
  timeWindow:
{window}
  budgetingMethod: Occurrences
  objectives:
{objectives}
"""


def _slo(window: str = "    - duration: 30d\n      isRolling: true", objectives: str = "    - target: 0.999") -> str:
    return _SLO.format(window=window, objectives=objectives)


def _objective_and_window(text: str) -> tuple[str, str]:
    files, _ = _import_text(text)
    [written] = files.values()
    lines = written.splitlines()
    objective = next(line for line in lines if line.startswith("  objective:"))
    window = next((line for line in lines if line.startswith("  timeWindow:")), "")
    return objective.strip(), window.strip()


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ("    - duration: 1M\n      calendar: {startTime: 2024-01-01 00:00:00, timeZone: UTC}", "timeWindow: month"),
        ("    - duration: 3M\n      calendar: {startTime: 2024-04-01 00:00:00, timeZone: UTC}", "timeWindow: quarter"),
        ("    - duration: 1Q\n      calendar: {startTime: 2024-07-01 00:00:00, timeZone: UTC}", "timeWindow: quarter"),
        ("    - duration: 1Y\n      calendar: {startTime: 2024-01-01 00:00:00, timeZone: Etc/UTC}", "timeWindow: year"),
        ("    - duration: 4w\n      isRolling: true", "timeWindow: 4w"),
        ("    - duration: 168h\n      isRolling: true", "timeWindow: 7d"),
        ("    - duration: 43200m\n      isRolling: true", "timeWindow: 30d"),
    ],
    ids=["1M", "3M", "1Q", "1Y", "4w", "168h", "43200m"],
)
def test_windows_that_map_exactly_leave_no_note(window: str, expected: str) -> None:
    """Calendar 1M/3M/1Q/1Y at their UTC starts, weeks, and hours or minutes making whole days map exactly."""
    _, notes = _import_text(_slo(window))
    assert notes == [
        "8:5 note: SLO `api-availability`: OpenSLO does not say whether the SLI measures availability or latency; "
        "written as a `custom` indicator (change `type` to availability, or latency with a threshold, if it is one)"
    ]
    assert _objective_and_window(_slo(window))[1] == expected


@pytest.mark.parametrize(
    ("window", "message"),
    [
        (
            "    - duration: 1m\n      isRolling: true",
            "24:17 error: SLO `api-availability` not imported: `1m` is 1 minute, not whole days (a month is `M`: "
            "`1M`, a calendar month)",
        ),
        (
            "    - duration: 1M\n      isRolling: true",
            "24:17 error: SLO `api-availability` not imported: a rolling `1M` has no fixed length; relpolicy rolling "
            "windows are days or weeks",
        ),
        (
            "    - duration: 2M\n      calendar: {startTime: 2024-01-01 00:00:00, timeZone: UTC}",
            "24:17 error: SLO `api-availability` not imported: a calendar `2M` is not a month (1M), a quarter (1Q, 3M) "
            "or a year (1Y, 4Q, 12M), the calendar periods relpolicy has",
        ),
        (
            "    - duration: 36h\n      isRolling: true",
            "24:17 error: SLO `api-availability` not imported: `36h` is not a whole number of days from 1 to 9999 "
            "(or weeks up to 999)",
        ),
    ],
    ids=["1m-minute", "rolling-month", "two-months", "36h"],
)
def test_windows_that_do_not_map_refuse_the_slo_at_the_duration(window: str, message: str) -> None:
    """A minute is not a month, and a window relpolicy cannot keep refuses the SLO, located at `duration`."""
    files, notes = _import_text(_slo(window))
    assert files == {}
    assert notes[-1] == message


def test_a_calendar_month_in_another_zone_from_mid_month_is_noted_twice() -> None:
    """Zone and start are each a note at their node; the SLO is imported as calendar months."""
    window = (
        "    - duration: 1M\n      calendar:\n        startTime: 2024-03-15 09:30:00\n        timeZone: Europe/Paris"
    )
    _, notes = _import_text(_slo(window))
    assert notes[1:] == [
        "26:20 note: SLO `api-availability`: startTime `2024-03-15 09:30:00` not mapped: it is not the start of a "
        "month; relpolicy's months start at midnight on the 1st",
        "27:19 note: SLO `api-availability`: timeZone `Europe/Paris` not mapped: relpolicy's calendar periods start "
        "at midnight UTC, so each month starts at the UTC midnight instead of the local one",
    ]
    assert _objective_and_window(_slo(window))[1] == "timeWindow: month"


@pytest.mark.parametrize(
    ("objective", "expected"),
    [
        ("    - target: 0.999", "objective: 99.9"),
        ("    - target: 0.99995", "objective: 99.995"),
        ("    - targetPercent: 99.9", "objective: 99.9"),
        ("    - target: 0.99", "objective: 99"),
    ],
)
def test_targets_are_ratios_and_target_percents_are_percentages(objective: str, expected: str) -> None:
    """`target: 0.999` and `targetPercent: 99.9` are both 99.9, exactly."""
    assert _objective_and_window(_slo(objectives=objective))[0] == expected


def test_a_percentage_written_as_target_is_refused_at_the_target() -> None:
    """`target: 99.9` is a ratio above 1, not 99.9 %: the SLO is refused, not read as 99.9."""
    files, notes = _import_text(_slo(objectives="    - target: 99.9"))
    assert files == {}
    assert notes[-1] == (
        "28:15 error: SLO `api-availability` not imported: objective 1: `target: 99.9` is not a ratio from 0 to 1, "
        "like 0.999 (relpolicy objectives are strictly between 0 and 100 percent)"
    )


def test_several_objectives_make_one_slo_each() -> None:
    """Each objective becomes an SLO named after its displayName (or its number), with a note saying so."""
    objectives = "    - displayName: Most\n      target: 0.99\n    - target: 0.999"
    files, notes = _import_text(_slo(objectives=objectives))
    assert notes[-1] == (
        "28:5 note: SLO `api-availability`: 2 objectives; a relpolicy SLO has one, so they are written as 2 SLOs: "
        "`api-availability-most`, `api-availability-2`"
    )
    names = [line.split(": ")[1] for line in files["api.yaml"].splitlines() if line.startswith("  name:")]
    assert names == ["api-availability-most", "api-availability-2"]


def _slo_fields(slo: SLO) -> dict[str, Any]:
    return {"metadata": slo.metadata.model_dump(by_alias=True), "spec": slo.spec.model_dump(by_alias=True)}


def _round_trip(root: Path, tmp_path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """The exported SLOs of the policy under ``root``, and the same SLOs after export and import."""
    original = load_policy([root], root).policy
    exported = export_openslo(original)
    imported = import_openslo(parse_yaml(documents_file(exported), "openslo.yaml").documents)
    assert [n for n in imported.notes if n.severity == "error"] == []
    out = tmp_path / "round-trip"
    out.mkdir()
    for name, documents in imported.files.items():
        (out / name).write_text(policy_text(documents, "round trip"), encoding="utf-8")
    again = load_policy([out], out)
    assert again.problems == 0
    before = {slo.name: _slo_fields(slo) for slo in original.slos if slo.spec.indicator.prometheus is not None}
    after = {slo.name: _slo_fields(slo) for slo in again.policy.slos}
    return before, after


def test_round_trip_of_policies_keeps_every_slo_field(tmp_path: Path) -> None:
    """relpolicy -> OpenSLO -> relpolicy gives back each measured SLO of policies/, field for field."""
    before, after = _round_trip(REPO / "policies", tmp_path)
    assert len(before) == 10
    assert after == before


_POLICY = """\
apiVersion: relpolicy.dev/v1
kind: SLO
metadata:
  name: api-slo
  displayName: API objective
  labels: {{domain: core}}
  annotations: {{example.com/dashboard: https://grafana.example/d/api}}
spec:
  service: api
  description: What the API promises.
  indicator:
    {indicator}
    prometheus:
      {queries}
  objective: {objective}
  timeWindow: {window}
{extra}"""

_INDICATORS = st.sampled_from(
    [
        "type: availability",
        "type: latency\n    threshold: 250ms\n    description: Fast enough.",
        "type: custom\n    description: Orders shipped on time.",
    ]
)
_QUERIES = st.sampled_from(
    [
        "errorQuery: sum(rate(e[{{.window}}]))\n      totalQuery: sum(rate(t[{{.window}}]))",
        "errorRatioQuery: 1 - avg_over_time(up[{{ .window }}])",
    ]
)
_WINDOWS = st.sampled_from(["30d", "7d", "4w", "9999d", "month", "quarter", "year"])
_EXTRAS = st.sampled_from(["", "  sla: 99.5\n", "  maintenanceCountsAgainstBudget: true\n  sla: 95\n"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    indicator=_INDICATORS,
    queries=_QUERIES,
    objective=st.decimals(min_value=Decimal("90"), max_value=Decimal("99.9999"), places=4),
    window=_WINDOWS,
    extra=_EXTRAS,
)
def test_round_trip_keeps_every_field_of_any_measured_slo(
    tmp_path_factory: pytest.TempPathFactory, indicator: str, queries: str, objective: Decimal, window: str, extra: str
) -> None:
    """Any indicator type, measurement, objective, window, SLA and maintenance flag survives the round trip."""
    root = tmp_path_factory.mktemp("policy")
    text = _POLICY.format(indicator=indicator, queries=queries, objective=objective, window=window, extra=extra)
    (root / "api.yaml").write_text(text, encoding="utf-8")
    before, after = _round_trip(root, tmp_path_factory.mktemp("out"))
    assert after == before
    assert len(after) == 1
