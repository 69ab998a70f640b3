"""Every way an OpenSLO document can fail to map: each gives its own located note, nothing is dropped silently."""

from __future__ import annotations

import pytest

from relpolicy.importers.openslo import import_openslo
from relpolicy.source.parse import parse_yaml

BASE = """\
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
              query: sum(rate(errors_total[{{.window}}]))
        total:
          metricSource:
            type: Prometheus
            spec:
              query: sum(rate(requests_total[{{.window}}]))
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
"""


def r(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new)


CASES: dict[str, str] = {
    "not-a-mapping": "- just\n- a list\n",
    "other-api-version": r("openslo/v1", "example.com/v1"),
    "unknown-kind": r("kind: SLO", "kind: Objective"),
    "bad-name": r("name: api-availability", "name: API_Availability"),
    "no-service": r("  service: api\n", ""),
    "no-window": r("  timeWindow:\n    - duration: 30d\n      isRolling: true\n", ""),
    "two-windows": r("      isRolling: true\n", "      isRolling: true\n    - duration: 7d\n      isRolling: true\n"),
    "bad-duration": r("duration: 30d", "duration: 30 days"),
    "calendar-without-calendar": r("      isRolling: true\n", "      isRolling: false\n").replace("30d", "1M"),
    "calendar-rolling-true": r(
        "    - duration: 30d\n      isRolling: true\n",
        "    - duration: 1Y\n      isRolling: true\n      calendar: {startTime: 2024-01-01, timeZone: UTC}\n",
    ),
    "no-objectives": r("  objectives:\n    - target: 0.999\n", "  objectives: []\n"),
    "objective-not-mapping": r("    - target: 0.999\n", "    - 0.999\n"),
    "target-and-percent": r("    - target: 0.999\n", "    - target: 0.999\n      targetPercent: 99.9\n"),
    "threshold-op": r("    - target: 0.999\n", "    - target: 0.999\n      op: lte\n      value: 300\n"),
    "no-budgeting": r("  budgetingMethod: Occurrences\n", ""),
    "inline-and-ref": r("  budgetingMethod: Occurrences\n", "  budgetingMethod: Occurrences\n  indicatorRef: other\n"),
    "missing-ref": r(
        "  indicator:\n    metadata:\n      name: api-errors\n    spec:\n",
        "  indicatorRef: nowhere\n  unused:\n    metadata:\n      name: api-errors\n    spec:\n",
    ),
    "no-indicator": r("  indicator:\n", "  unused:\n"),
    "no-ratio": r("      ratioMetric:\n", "      otherMetric:\n"),
    "raw-without-type": r("        bad:\n", "        raw:\n").replace(
        "        total:\n          metricSource:\n            type: Prometheus\n            spec:\n"
        "              query: sum(rate(requests_total[{{.window}}]))\n",
        "",
    ),
    "bad-and-good": r("        total:\n", "        good:\n"),
    "no-query": r("              query: sum(rate(errors_total[{{.window}}]))\n", "              expr: x\n"),
    "sla-annotations": r(
        "  name: api-availability\n",
        "  name: api-availability\n  annotations:\n    relpolicy.dev/sla: lots\n"
        "    relpolicy.dev/indicator-type: latency\n    bad key!: x\n  labels: not-a-mapping\n",
    ),
}

EXPECTED: dict[str, tuple[bool, list[str]]] = {
    "inline-and-ref": (True, ["27:17 note: SLO `api-availability`: indicatorRef ignored: the SLI is inline"]),
    "bad-and-good": (
        True,
        ["12:9 note: SLO `api-availability`: ratioMetric needs `bad` or `good` with `total`, or `raw`; not mapped"],
    ),
    "bad-duration": (
        False,
        [
            "24:17 error: SLO `api-availability` not imported: duration `30 days` is not an OpenSLO "
            "duration (a number and m, h, d, w, M, Q or Y)"
        ],
    ),
    "bad-name": (
        False,
        [
            "4:3 error: SLO `API_Availability` not imported: `metadata.name` is not a relpolicy name "
            "(lowercase letters, digits and `-`, at most 63)"
        ],
    ),
    "calendar-rolling-true": (
        True,
        [
            "25:18 note: SLO `api-availability`: `isRolling: true` with a `calendar`; read as calendar years",
            "26:29 note: SLO `api-availability`: startTime `2024-01-01` not mapped: it is "
            "not a date and time (YYYY-MM-DD hh:mm:ss); relpolicy's years start at midnight "
            "on the 1st of January",
        ],
    ),
    "calendar-without-calendar": (
        True,
        ["24:7 note: SLO `api-availability`: a calendar window without `calendar`; read as calendar months"],
    ),
    "missing-ref": (
        False,
        [
            "7:17 error: SLO `api-availability` not imported: its indicatorRef `nowhere` names no "
            "`kind: SLI` document among the files read"
        ],
    ),
    "no-budgeting": (
        True,
        ["6:3 note: SLO `api-availability`: no budgetingMethod; read as Occurrences, as relpolicy counts"],
    ),
    "no-indicator": (
        False,
        ["6:3 error: SLO `api-availability` not imported: it has neither `indicator` nor `indicatorRef`"],
    ),
    "no-objectives": (False, ["27:15 error: SLO `api-availability` not imported: it has no objectives"]),
    "no-query": (True, ["15:13 note: SLO `api-availability`: the metric source has no `spec.query`; not mapped"]),
    "no-ratio": (True, ["11:7 note: SLO `api-availability`: the SLI has no ratioMetric; no Prometheus measurement"]),
    "no-service": (
        False,
        [
            "6:3 error: SLO `api-availability` not imported: it names no `spec.service`, and every "
            "relpolicy SLO belongs to a service"
        ],
    ),
    "no-window": (
        True,
        ["6:3 note: SLO `api-availability`: no timeWindow; relpolicy's default, a rolling 30d, applies"],
    ),
    "not-a-mapping": (False, ["1:1 error: not a mapping: not an OpenSLO document; skipped"]),
    "objective-not-mapping": (False, ["28:7 error: SLO `api-availability` not imported: objective 1 is not a mapping"]),
    "other-api-version": (False, ["1:13 error: `apiVersion: example.com/v1` is not OpenSLO v1; skipped"]),
    "raw-without-type": (
        True,
        ["12:9 note: SLO `api-availability`: a raw ratio needs `rawType: success` or `failure`; not mapped"],
    ),
    "sla-annotations": (
        True,
        [
            "6:24 note: SLO `api-availability`: `relpolicy.dev/sla` is not valid; not mapped",
            "8:5 note: SLO `api-availability`: annotation key `bad key!` is not a valid relpolicy "
            "label key (letters, digits, `-_.`, an optional `prefix/`); not mapped",
            "9:11 note: SLO `api-availability`: `metadata.labels` is not a mapping; not mapped",
        ],
    ),
    "target-and-percent": (
        False,
        ["28:7 error: SLO `api-availability` not imported: objective 1 has both target and targetPercent"],
    ),
    "threshold-op": (
        True,
        [
            "29:11 note: SLO `api-availability`: objective `op` not mapped: relpolicy objectives are "
            "a share of good events or time, not a threshold on a metric",
            "30:14 note: SLO `api-availability`: objective `value` not mapped: relpolicy objectives "
            "are a share of good events or time, not a threshold on a metric",
        ],
    ),
    "two-windows": (
        False,
        ["24:5 error: SLO `api-availability` not imported: `timeWindow` must be a list of exactly one window"],
    ),
    "unknown-kind": (False, ["2:7 error: `kind: Objective` is not an OpenSLO v1 kind; skipped"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_problem_is_one_located_note(name: str) -> None:
    """The notes (the generic `custom` indicator note aside) and whether a file is written."""
    imported = import_openslo(parse_yaml(CASES[name], "in.yaml").documents)
    ordered = sorted(imported.notes, key=lambda n: (n.location.line, n.location.col))
    notes = [
        f"{n.location.line}:{n.location.col} {n.severity}: {n.message}"
        for n in ordered
        if "OpenSLO does not say" not in n.message
    ]
    assert (bool(imported.files), notes) == EXPECTED[name]
