"""The exported rules through Prometheus' own promtool: every file loads, and the alerts fire when they should.

``promtool test rules`` evaluates the real rules on synthetic series: checkout-availability
(99.7 % over 30 days, so a 0.3 % budget) fed with requests of which a steady share fails.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.export.conftest import CONFIG, GOLDEN

Export = Callable[..., tuple[int, str, str]]
ALERT = "CheckoutAvailabilityErrorBudgetBurn"
REQUESTS_PER_MINUTE = 1000
BUDGET = 0.003
"""checkout-availability's error budget: 100 % - 99.7 %."""


def _check(promtool: str, path: Path) -> None:
    done = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_the_rules_file_passes_promtool_check(promtool: str) -> None:
    """The golden rules file of the example policies: 10 SLOs, 17 rules each."""
    path = GOLDEN / "policies.rules.yaml"
    _check(promtool, path)
    done = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False)
    assert "SUCCESS: 170 rules found" in done.stdout


def test_every_prometheusrule_spec_passes_promtool_check(promtool: str, tmp_path: Path) -> None:
    """Each PrometheusRule resource's spec is a rules file promtool accepts."""
    documents = list(yaml.safe_load_all((GOLDEN / "policies.prometheusrule.yaml").read_text(encoding="utf-8")))
    assert len(documents) == 8
    for document in documents:
        assert document["kind"] == "PrometheusRule"
        path = tmp_path / f"{document['metadata']['name']}.yaml"
        path.write_text(yaml.safe_dump(document["spec"]), encoding="utf-8")
        _check(promtool, path)


def test_every_file_of_a_folder_export_passes_promtool_check(promtool: str, export: Export, tmp_path: Path) -> None:
    """--out DIR: each service's file loads on its own."""
    assert export("prometheus", "policies", "--out", str(tmp_path / "rules"))[0] == 0
    files = sorted((tmp_path / "rules").iterdir())
    assert len(files) == 8
    for path in files:
        _check(promtool, path)


# -- promtool test rules ---------------------------------------------------------------------------------


def _group() -> dict[str, Any]:
    """checkout-availability's group of the golden rules file (the others would only slow promtool down)."""
    groups = yaml.safe_load((GOLDEN / "policies.rules.yaml").read_text(encoding="utf-8"))["groups"]
    (group,) = (g for g in groups if g["name"] == "relpolicy-slo-checkout-availability")
    return dict(group)


def _alerts(group: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The page and ticket alerts of checkout-availability as promtool reports them, by severity."""
    series = {
        "sloth_id": "checkout-checkout-availability",
        "sloth_service": "checkout",
        "sloth_slo": "checkout-availability",
    }
    found = {}
    for rule in group["rules"]:
        if rule.get("alert") == ALERT:
            annotations = {
                key: text.replace("{{$labels.sloth_service}}", "checkout").replace(
                    "{{$labels.sloth_slo}}", "checkout-availability"
                )
                for key, text in rule["annotations"].items()
            }
            found[rule["labels"]["severity"]] = {
                "exp_labels": {**series, **rule["labels"]},
                "exp_annotations": annotations,
            }
    assert sorted(found) == ["page", "ticket"]
    return found


def _unit_test(
    promtool: str,
    tmp_path: Path,
    burn: float,
    expected: list[tuple[str, list[str]]],
    series: tuple[str, str] | None = None,
) -> None:
    """Feed a steady burn (errors = burn x budget of the requests) and expect these alerts at these times.

    ``series`` replaces the values of the failed and the successful requests' counters.
    """
    errors = REQUESTS_PER_MINUTE * BUDGET * burn
    failed, succeeded = series or (f"0+{errors:g}x360", f"0+{REQUESTS_PER_MINUTE - errors:g}x360")
    group = _group()
    alerts = _alerts(group)
    rules = tmp_path / "checkout.yaml"
    rules.write_text(yaml.safe_dump({"groups": [group]}, sort_keys=False), encoding="utf-8")
    test = {
        "rule_files": [str(rules)],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {"series": 'http_requests_total{job="checkout",code="500"}', "values": failed},
                    {"series": 'http_requests_total{job="checkout",code="200"}', "values": succeeded},
                ],
                "alert_rule_test": [
                    {"eval_time": at, "alertname": ALERT, "exp_alerts": [alerts[s] for s in severities]}
                    for at, severities in expected
                ],
            }
        ],
    }
    path = tmp_path / "test.yaml"
    path.write_text(yaml.safe_dump(test, sort_keys=False), encoding="utf-8")
    done = subprocess.run([promtool, "test", "rules", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_a_burn_above_14_4x_pages_within_five_minutes(promtool: str, tmp_path: Path) -> None:
    """At a steady 20x burn (6 % errors) the page fires by the 5th minute, with the ticket: both windows agree."""
    _unit_test(promtool, tmp_path, 20, [("0m", []), ("5m", ["page", "ticket"]), ("6h", ["page", "ticket"])])


def test_after_two_healthy_hours_a_20x_burn_pages_when_the_hour_has_burnt_at_14_4x(
    promtool: str, tmp_path: Path
) -> None:
    """Healthy for 2 h, then 6 % errors from minute 120: the 5-minute window is above 14.4x within 5 minutes,
    but the page waits for the 1-hour window, which is above it after 44 burning minutes (44/1000 > 0.0432)
    and not after 43; the ticket comes first, once the whole 2h+k history is above 1x (k = 7)."""
    failed = "0x120 60+60x60"  # 60 failed requests a minute from minute 120
    succeeded = "0+1000x120 120940+940x60"  # and 940 that succeed: 1000 a minute throughout
    expected = [("126m", []), ("127m", ["ticket"]), ("163m", ["ticket"]), ("164m", ["page", "ticket"])]
    _unit_test(promtool, tmp_path, 20, expected, (failed, succeeded))


def test_a_burn_between_6x_and_14_4x_pages_through_the_slow_pair(promtool: str, tmp_path: Path) -> None:
    """At 10x the 1-hour pair stays quiet but the 6-hour and 30-minute pair (above 6x) pages."""
    _unit_test(promtool, tmp_path, 10, [("5m", ["page", "ticket"]), ("6h", ["page", "ticket"])])


def test_a_2x_burn_opens_only_a_ticket(promtool: str, tmp_path: Path) -> None:
    """At 2x the 3-day and 6-hour windows are above 1x, no page window is above 6x, and the 1-day one not above 3x."""
    _unit_test(promtool, tmp_path, 2, [("5m", ["ticket"]), ("6h", ["ticket"])])


@pytest.mark.parametrize("burn", [0.5, 0.9])
def test_a_burn_within_budget_alerts_nobody(promtool: str, tmp_path: Path, burn: float) -> None:
    """At 0.5x (and 0.9x) the budget lasts the period: nothing fires, however long it lasts."""
    _unit_test(promtool, tmp_path, burn, [("5m", []), ("6h", [])])


def test_rules_exported_with_the_settings_are_the_golden_ones(export: Export) -> None:
    """The unit tests above run on the golden file: it is what the command writes with the test settings."""
    code, out, _ = export("prometheus", "policies", "--config", str(CONFIG))
    assert code == 0
    assert out == (GOLDEN / "policies.rules.yaml").read_text(encoding="utf-8")
