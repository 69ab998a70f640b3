"""Differential test against Sloth's published examples: the same SLO gives the same rules.

``sloth/*.gen.yml`` are Sloth's own generated rules for two examples of its documentation
(``raw-home-wifi``, a raw error-ratio SLI, and the first SLO of ``k8s-home-wifi``, an events
SLI), from Sloth's repository. relpolicy's :func:`sloth_rules`, given the same objective, period,
queries, names and labels, must produce every rule of them: record or alert name, expression,
labels and annotations, in Sloth's order.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from relpolicy.export.prometheus import SlothSLO, sloth_rules
from relpolicy.model.slo import Prometheus

HERE = Path(__file__).parent / "sloth"
LABELS = {"cluster": "valhalla", "cmd": "examplesgen.sh", "component": "ubiquiti", "context": "home"}
"""The example's service labels, and the label Sloth's example generator adds."""
ALERT_LABELS = {"page": {"severity": "home"}, "ticket": {"severity": "warning"}}


def _published(name: str) -> list[dict[str, Any]]:
    """Every rule of a Sloth output file, in order (a rules file or a PrometheusRule)."""
    (document,) = yaml.safe_load_all((HERE / name).read_text(encoding="utf-8"))
    groups = document["spec"]["groups"] if document.get("kind") == "PrometheusRule" else document["groups"]
    return [rule for group in groups for rule in group["rules"]]


def _normalised(rule: dict[str, Any]) -> dict[str, Any]:
    return {key: rule[key] for key in ("record", "alert", "expr", "labels", "annotations") if key in rule}


EXAMPLES = {
    "raw-home-wifi": (
        "raw-home-wifi.gen.yml",
        SlothSLO(
            service="home-wifi",
            name="wifi-client-satisfaction",
            objective=95.0,
            period=dt.timedelta(days=30),
            measurement=Prometheus.model_validate(
                {
                    # examples/raw-home-wifi.yml: sli.raw.errorRatioQuery (a YAML block, so it ends in a newline)
                    "errorRatioQuery": "1 - (\n"
                    "  sum(sum_over_time(unifipoller_client_satisfaction_ratio[{{.window}}]))\n"
                    "  /\n"
                    "  sum(count_over_time(unifipoller_client_satisfaction_ratio[{{.window}}]))\n"
                    ")\n"
                }
            ),
            labels=LABELS,
        ),
        "WifiClientSatisfaction",
        {"sloth_mode": "cli-gen-prom", "sloth_spec": "prometheus/v1", "sloth_version": "dev"},
    ),
    "k8s-home-wifi": (
        "k8s-home-wifi.gen.yml",
        SlothSLO(
            service="home-wifi",
            name="good-wifi-client-satisfaction",
            objective=95.0,
            period=dt.timedelta(days=30),
            measurement=Prometheus.model_validate(
                {
                    # examples/k8s-home-wifi.yml: sli.events
                    "errorQuery": "sum_over_time((count(unifipoller_client_satisfaction_ratio < 0.75))[{{.window}}:]) "
                    "OR on() vector(0)",
                    "totalQuery": "sum_over_time((count(unifipoller_client_satisfaction_ratio))[{{.window}}:])",
                }
            ),
            labels=LABELS,
        ),
        "GoodWifiClientSatisfaction",
        {"sloth_mode": "cli-gen-k8s", "sloth_spec": "sloth.slok.dev/v1", "sloth_version": "dev"},
    ),
}


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_relpolicy_generates_sloths_rules_for_sloths_examples(example: str) -> None:
    """All 17 rules, equal to the character: expressions, labels, annotations, names and order."""
    published, slo, alert, info = EXAMPLES[example]
    expected = [_normalised(rule) for rule in _published(published)]
    generated = [_normalised(rule) for rule in sloth_rules(slo, alert, info, ALERT_LABELS)]
    assert len(expected) == 17
    for mine, theirs in zip(generated, expected, strict=True):
        assert mine == theirs


def test_the_period_burn_rate_reads_the_period_rule() -> None:
    """A change of the period renames the period rule and every reference to it (30d -> 4w for 28 days)."""
    _, slo, alert, info = EXAMPLES["raw-home-wifi"]
    rules = sloth_rules(
        SlothSLO(slo.service, slo.name, slo.objective, dt.timedelta(days=28), slo.measurement), alert, info
    )
    assert rules[7]["record"] == "slo:sli_error:ratio_rate4w"
    assert rules[12]["expr"].startswith("slo:sli_error:ratio_rate4w{")
    assert rules[10]["expr"] == "vector(28)"
