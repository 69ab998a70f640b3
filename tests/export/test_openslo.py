"""``relpolicy export openslo``: OpenSLO v1 documents, checked against the OpenSLO v1 schema.

The schema (tests/data/openslo-v1.schema.json) is written from the OpenSLO specification text;
tests/data/openslo-v1.schema.NOTICE.md says why and where. The golden file of the export of
policies/ is rewritten with ``RELPOLICY_UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from tests._golden import assert_golden
from tests.conftest import REPO

from relpolicy.cli import main
from relpolicy.export.openslo import export_openslo, files_by_service, ratio, time_window
from relpolicy.render.load import load_policy

DATA = REPO / "tests" / "data"
SCHEMA = json.loads((DATA / "openslo-v1.schema.json").read_text(encoding="utf-8"))
GOLDEN = DATA / "openslo-export" / "policies.openslo.yaml"


def _validator() -> jsonschema.Draft7Validator:
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    return jsonschema.Draft7Validator(SCHEMA)


def _errors(document: dict[str, Any]) -> list[str]:
    return sorted(f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(document))


def _export(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.chdir(REPO)
    code = main(["export", "openslo", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_export_of_policies_matches_the_golden_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The OpenSLO export of policies/ is byte-stable."""
    code, out, err = _export(["policies"], monkeypatch, capsys)
    assert code == 0
    assert err == (
        "relpolicy: 10 SLO(s) exported; 21 have no `indicator.prometheus` measurement, which an OpenSLO SLI "
        "needs, and are left out\n"
    )
    assert_golden(GOLDEN, out)


def test_every_exported_document_is_valid_openslo_v1() -> None:
    """Each Service and SLO exported from policies/ passes the OpenSLO v1 schema."""
    documents = list(yaml.safe_load_all(GOLDEN.read_text(encoding="utf-8")))
    assert {d["kind"] for d in documents} == {"Service", "SLO"}
    assert [(d["metadata"]["name"], _errors(d)) for d in documents if _errors(d)] == []


_UTC = {"startTime": "2020-01-01 00:00:00", "timeZone": "UTC"}
_NOT_ONE_OF = "is not valid under any of the given schemas"


def _ratio_metric(slo: dict[str, Any]) -> dict[str, Any]:
    metric: dict[str, Any] = slo["spec"]["indicator"]["spec"]["ratioMetric"]
    return metric


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["spec"]["objectives"][0].update(target=99.9), "99.9 is greater than or equal to the maximum of 1"),
        (lambda d: d["spec"]["timeWindow"][0].update(calendar=_UTC), _NOT_ONE_OF),
        (lambda d: d["spec"].pop("budgetingMethod"), "'budgetingMethod' is a required property"),
        (lambda d: d["spec"]["timeWindow"][0].update(duration="30"), "'30' does not match"),
        (lambda d: _ratio_metric(d).update(good=_ratio_metric(d)["bad"]), _NOT_ONE_OF),
    ],
    ids=["target-as-percent", "rolling-with-calendar", "no-budgeting-method", "duration-without-unit", "good-and-bad"],
)
def test_the_schema_refuses_what_the_spec_forbids(change: Any, expected: str) -> None:
    """The schema is not a rubber stamp: each mistake the spec rules out makes an exported SLO invalid."""
    documents = list(yaml.safe_load_all(GOLDEN.read_text(encoding="utf-8")))
    slo = next(d for d in documents if d["kind"] == "SLO")
    assert _errors(slo) == []
    change(slo)
    errors = _errors(slo)
    assert any(expected in error for error in errors), errors


_POLICY = """\
apiVersion: relpolicy.dev/v1
kind: Service
metadata:
  name: api
  displayName: Public API
  labels: {domain: core, example.com/cost-centre: "42"}
spec:
  description: The public API.
  tier: 1
---
apiVersion: relpolicy.dev/v1
kind: SLO
metadata:
  name: api-latency
  annotations: {example.com/dashboard: https://grafana.example/d/api}
spec:
  service: api
  description: Requests answered in time.
  indicator:
    type: latency
    threshold: 2s
    prometheus:
      errorRatioQuery: 1 - avg_over_time(probe_success{job="api"}[{{.window}}])
  objective: 99.95
  timeWindow: quarter
  sla: 99.5
  maintenanceCountsAgainstBudget: true
"""


def test_an_slo_keeps_every_field_in_openslo_fields_or_relpolicy_annotations(tmp_path: Path) -> None:
    """Calendar window, raw ratio, latency threshold, SLA and the maintenance flag all have a place."""
    (tmp_path / "api.yaml").write_text(_POLICY, encoding="utf-8")
    exported = export_openslo(load_policy([tmp_path], tmp_path).policy)
    service, slo = exported.documents["api"]
    assert service == {
        "apiVersion": "openslo/v1",
        "kind": "Service",
        "metadata": {"name": "api", "displayName": "Public API", "labels": {"domain": "core"}},
        "spec": {"description": "The public API."},
    }
    assert slo == {
        "apiVersion": "openslo/v1",
        "kind": "SLO",
        "metadata": {
            "name": "api-latency",
            "annotations": {
                "example.com/dashboard": "https://grafana.example/d/api",
                "relpolicy.dev/indicator-type": "latency",
                "relpolicy.dev/latency-threshold": "2000ms",
                "relpolicy.dev/maintenance-counts-against-budget": "true",
                "relpolicy.dev/sla": "99.5",
            },
        },
        "spec": {
            "description": "Requests answered in time.",
            "service": "api",
            "indicator": {
                "metadata": {"name": "api-latency-sli"},
                "spec": {
                    "ratioMetric": {
                        "counter": False,
                        "rawType": "failure",
                        "raw": {
                            "metricSource": {
                                "type": "Prometheus",
                                "spec": {"query": '1 - avg_over_time(probe_success{job="api"}[{{.window}}])'},
                            }
                        },
                    }
                },
            },
            "timeWindow": [
                {
                    "duration": "1Q",
                    "calendar": {"startTime": "2020-01-01 00:00:00", "timeZone": "UTC"},
                    "isRolling": False,
                }
            ],
            "budgetingMethod": "Occurrences",
            "objectives": [{"target": 0.9995}],
        },
    }
    assert _errors(service) == []
    assert _errors(slo) == []
    [note] = exported.notes
    assert (note.location.path, note.location.line, note.location.col) == ("api.yaml", 6, 26)
    assert note.message == (
        "Service `api`: label `example.com/cost-centre` has a prefix, which OpenSLO label keys cannot have; "
        "not exported"
    )
    assert list(files_by_service(exported)) == ["api.yaml"]


@pytest.mark.parametrize(
    ("window", "duration"), [("30d", "30d"), ("4w", "4w"), ("month", "1M"), ("quarter", "1Q"), ("year", "1Y")]
)
def test_windows_map_to_openslo_durations(window: str, duration: str) -> None:
    """Rolling days and weeks keep their text; calendar periods are 1M, 1Q, 1Y (capital M: a month, not a minute)."""
    assert time_window(window)[0]["duration"] == duration
    assert time_window(window)[0]["isRolling"] is (window[-1] in "dw")


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal("99.999"), places=3))
def test_targets_are_exact_ratios_of_the_percentage(percent: Decimal) -> None:
    """`target` read back as a decimal and times 100 is the objective exactly (99.9 -> 0.999 -> 99.9)."""
    assert Decimal(repr(ratio(percent))).scaleb(2) == percent


def test_check_finds_a_stale_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--out FILE writes the stream; --check then passes, and fails once the file is changed."""
    out = tmp_path / "openslo.yaml"
    assert _export(["policies", "--out", str(out)], monkeypatch, capsys)[0] == 0
    assert out.read_text(encoding="utf-8") == GOLDEN.read_text(encoding="utf-8")
    assert _export(["policies", "--out", str(out), "--check"], monkeypatch, capsys)[0] == 0
    out.write_text("stale\n", encoding="utf-8")
    assert _export(["policies", "--out", str(out), "--check"], monkeypatch, capsys)[0] == 1
